#!/usr/bin/env bash
# The Node.js that CI uses, for this clone: installs the version named in .nvmrc (or the one given
# as the first argument) from the npm registry into .tools/node-<version>, reusing it when present.
#
#   source scripts/node.sh        puts it first on this shell's PATH
#   scripts/node.sh               prints the `export PATH=...` line (eval "$(scripts/node.sh)")
#   scripts/node.sh 22.23.5       the same for another version
#   scripts/node.sh --bin [v]     prints only the folder of its binary
#
# The registry's node-<os>-<arch> packages carry the official binary (bin/node) and nothing else;
# npm and npx run on whichever node is first on PATH, so they come along.

_um_node_install() {
  local root version os arch dir tarball
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  version="${1:-$(tr -d ' \t\r\nv' < "$root/.nvmrc")}"
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "scripts/node.sh: no Node package for $(uname -s)" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "scripts/node.sh: no Node package for $(uname -m)" >&2; return 1 ;;
  esac
  dir="$root/.tools/node-$version"
  if [ ! -x "$dir/bin/node" ]; then
    echo "Installing Node $version into ${dir#"$root"/} (node-$os-$arch from the npm registry)" >&2
    mkdir -p "$dir.partial" || return 1
    # Only the package's tarball: no install scripts, no other package.
    tarball="$(cd "$dir.partial" && npm pack --silent "node-$os-$arch@$version")" || return 1
    tar -xzf "$dir.partial/$tarball" -C "$dir.partial" --strip-components=1 && rm -f "$dir.partial/$tarball" || return 1
    rm -rf "$dir" && mv "$dir.partial" "$dir" || return 1
  fi
  "$dir/bin/node" --version >/dev/null || return 1
  printf '%s\n' "$dir/bin"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced: change this shell's PATH.
  if _um_node_bin="$(_um_node_install "$@")"; then
    export PATH="$_um_node_bin:$PATH"
    echo "Using Node $(node --version) from $_um_node_bin" >&2
  fi
  unset _um_node_bin
  unset -f _um_node_install
else
  set -euo pipefail
  if [ "${1:-}" = --bin ]; then
    shift
    _um_node_install "$@"
  else
    printf 'export PATH="%s:$PATH"\n' "$(_um_node_install "$@")"
  fi
fi
