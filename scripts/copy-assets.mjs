// Part of `npm run build`: copies the files the service serves as they are into the build output,
// so the production install needs none of the packages they come from.
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Beside the compiled docs router, which reads them from its own folder.
const target = join(root, 'dist', 'src', 'adapters', 'http', 'assets');

const assets = [
  join(dirname(require.resolve('redoc/package.json')), 'bundles', 'redoc.standalone.js'),
];

await mkdir(target, { recursive: true });
for (const asset of assets) await copyFile(asset, join(target, asset.split(/[\\/]/).pop()));
