/**
 * Runs every compiled test file (dist/tests/**\/*.test.js) with mocha and ends with one line
 * `N passed, N failed[, N skipped]`. Arguments: substrings of test file paths to keep, and
 * `--grep TEXT` to keep tests whose title contains TEXT.
 */
import 'reflect-metadata';
import Mocha from 'mocha';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function findTests(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return findTests(path);
      return name.endsWith('.test.js') ? [path] : [];
    })
    .sort();
}

const args = process.argv.slice(2);
const grepAt = args.indexOf('--grep');
const grep = grepAt >= 0 ? args[grepAt + 1] : undefined;
const filters = args.filter((_, i) => grepAt < 0 || (i !== grepAt && i !== grepAt + 1));

const mocha = new Mocha({
  reporter: process.env.MOCHA_REPORTER ?? 'spec',
  timeout: 30_000,
  ...(grep === undefined ? {} : { grep }),
});
for (const file of findTests(here)) {
  const rel = relative(here, file);
  if (filters.length === 0 || filters.some((f) => rel.includes(f))) mocha.addFile(file);
}
await mocha.loadFilesAsync();
const runner = mocha.run();
runner.on('end', () => {
  const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
  const skipped = stats.pending > 0 ? `, ${stats.pending} skipped` : '';
  // The last line of the run, read by CI.
  setImmediate(() => {
    console.log(`\n${stats.passes} passed, ${stats.failures} failed${skipped}`);
    process.exit(stats.failures > 0 || stats.passes === 0 ? 1 : 0);
  });
});
