#!/usr/bin/env sh
# `npm run dev`: compiles in watch mode and restarts the service whenever its build output changes.
set -eu
npm run -s build
tsc -p tsconfig.json --watch --preserveWatchOutput >&2 &
compiler=$!
trap 'kill "$compiler" 2>/dev/null || true' EXIT INT TERM
node --watch dist/src/main.js
