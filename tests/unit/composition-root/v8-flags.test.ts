import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGLITE_THREAD_LIMITS } from '../../../src/adapters/persistence/mikro-orm/pglite-thread.js';
import {
  EMBEDDED_THREAD_SEMI_SPACE_MIB,
  runtimeV8Flags,
} from '../../../src/composition-root/v8-flags.js';
import { testConfig } from '../../../src/config/config.js';

/** The node options `npm start` (and the image) run the service with. */
const START_OPTIONS = (() => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  return /exec node((?: --\S+)*) dist\/src\/main\.js$/
    .exec(pkg.scripts.start)![1]!
    .trim()
    .split(' ');
})();

/**
 * Runs `body` as an ES module in a new node process started with `options`, after it sets `flags`
 * at run time, first thing, as the service does; returns what it printed.
 */
function runAfterFlags(options: readonly string[], flags: readonly string[], body: string): string {
  // A file rather than `-e`: threads inherit node's options, and a file's need no --input-type.
  const dir = mkdtempSync(join(tmpdir(), 'um-v8-flags-'));
  try {
    const file = join(dir, 'script.mjs');
    writeFileSync(
      file,
      `import v8 from 'node:v8';
       for (const flag of ${JSON.stringify(flags)}) v8.setFlagsFromString(flag);
       ${body}`,
    );
    return execFileSync(process.execPath, [...options, file], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Code that allocates while it keeps a window of `window` recent objects alive (requests in
 * flight), then hands `report` the largest young generation V8 gave its thread, in MiB.
 */
const inFlightPeak = (window: number, report: string) => `
  const heap = process.getBuiltinModule('node:v8');
  const young = () => heap.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
  const inFlight = new Array(${window});
  let peak = 0;
  for (let r = 0; r < 40 * inFlight.length; r++) {
    inFlight[r % inFlight.length] = { r, s: 'in flight ' + r };
    if (r % 5_000 === 0) peak = Math.max(peak, young());
  }
  ${report}(peak / 1048576);`;

/** The largest young generation of a process started with `npm start`'s options, in MiB. */
const youngGenerationMiB = (flags: readonly string[]): number =>
  Number(runAfterFlags(START_OPTIONS, flags, inFlightPeak(50_000, 'console.log')));

/**
 * As `youngGenerationMiB`, for a thread with PGlite's limits that the process starts after it set
 * the flags; with the largest heap V8 lets that thread have (`heap_size_limit`), in MiB.
 */
const threadHeap = (flags: readonly string[]): { youngMiB: number; limitMiB: number } =>
  JSON.parse(
    runAfterFlags(
      START_OPTIONS,
      flags,
      `import { Worker } from 'node:worker_threads';
       const work = ${JSON.stringify(inFlightPeak(20_000, "((youngMiB) => process.getBuiltinModule('node:worker_threads').parentPort.postMessage({ youngMiB, limitMiB: heap.getHeapStatistics().heap_size_limit / 1048576 }))"))};
       const limits = ${JSON.stringify(PGLITE_THREAD_LIMITS)};
       new Worker(work, { eval: true, resourceLimits: limits }).once('message', (m) => console.log(JSON.stringify(m)));`,
    ),
  ) as { youngMiB: number; limitMiB: number };

/** The compiled modules a child process imports, as file URLs. */
const built = (path: string) => new URL(`../../../src/${path}`, import.meta.url).href;

/**
 * Whether a process with `npm start`'s options and `flags` set could collect its heap at start:
 * its main thread (`collectStartupGarbage`), and the thread of an in-memory PGlite opened after.
 */
const collectedAtStart = (flags: readonly string[]): { main: boolean; pglite: boolean } =>
  JSON.parse(
    runAfterFlags(
      START_OPTIONS,
      flags,
      `const { collectStartupGarbage } = await import(${JSON.stringify(built('composition-root/v8-flags.js'))});
       const { PGliteThread } = await import(${JSON.stringify(built('adapters/persistence/mikro-orm/pglite-thread.js'))});
       const main = collectStartupGarbage();
       const thread = new PGliteThread(null);
       await thread.waitReady;
       const pglite = await thread.collectGarbage();
       await thread.close();
       console.log(JSON.stringify({ main, pglite }));`,
    ),
  ) as { main: boolean; pglite: boolean };

/**
 * A process that keeps a live set and lets young objects reach the old generation before they
 * die (as requests in flight do); the largest heap V8 committed meanwhile, in bytes. Its young
 * generation has a fixed size, so that what differs is the old generation's growth.
 */
const peakHeap = (flags: readonly string[]): number =>
  Number(
    runAfterFlags(
      ['--max-semi-space-size=4'],
      flags,
      `const live = [];
       for (let i = 0; i < 150_000; i++) live.push({ i, s: ('live-' + i).padEnd(80, 'x') });
       const inFlight = new Array(40_000);
       let peak = 0;
       for (let r = 0; r < 3_000_000; r++) {
         inFlight[r % inFlight.length] = { r, a: [r, r + 1], s: 'g' + r };
         if (r % 20_000 === 0) peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
       }
       console.log(live.length > 0 ? peak : 0); // the live set stays reachable to the end`,
    ),
  );

/**
 * A process that sets `flags` at run time, then compiles a WebAssembly function (a loop adding
 * 1..n) and runs a million rounds of it, as PGlite's functions run while it opens, then waits
 * half a second. Returns how many times V8's optimising compiler compiled it, read from V8's own
 * trace.
 */
function optimisedCompilations(flags: readonly string[]): number {
  const trace = runAfterFlags(
    ['--trace-wasm-compilation-times'],
    flags,
    `const sum = new Uint8Array([
      0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // magic, version
      1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f, // type: (i32) -> i32
      3, 2, 1, 0, // one function of that type
      7, 5, 1, 1, 0x66, 0, 0, // exported as "f"
      10, 0x1b, 1, 0x19, 1, 1, 0x7f, // its body, one i32 local
      3, 0x40, 0x20, 1, 0x20, 0, 0x6a, 0x21, 1, // loop: acc += n
      0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b, // n -= 1; again while n != 0
      0x20, 1, 0x0b, // acc
    ]);
    const { instance } = await WebAssembly.instantiate(sum);
    for (let i = 0; i < 10; i++) instance.exports.f(100_000);
    // V8 compiles on its helper thread: on a busy machine the job may still be running.
    await new Promise((resolve) => setTimeout(resolve, 500));`,
  );
  return trace.split('\n').filter((line) => line.includes('using TurboFan')).length;
}

describe('runtimeV8Flags', () => {
  const embedded = runtimeV8Flags(testConfig({ database: { url: null } }));
  const postgres = runtimeV8Flags(testConfig({ database: { url: 'postgres://localhost/users' } }));

  it('leaves V8 its own heap growth on PostgreSQL', () => {
    expect(postgres).to.deep.equal([]);
  });

  it('keeps the heap of an embedded service well below what V8 alone lets it reach', function () {
    this.timeout(30_000);
    const unset = peakHeap([]);
    const set = peakHeap(embedded);
    // Measured: about 80 MiB against 220 MiB (a live set of about 20 MiB).
    expect(set).to.be.below(unset * 0.6);
  });

  it("lets the young generation grow to npm start's ceiling on PostgreSQL, and keeps it small when embedded", function () {
    this.timeout(30_000);
    // Measured: 64 MiB (two 32 MiB semi-spaces) against 3 to 8 MiB (the young generation no
    // longer grows by doubling; pages V8 pins during a collection come and go).
    expect(youngGenerationMiB(postgres)).to.be.at.least(48);
    expect(youngGenerationMiB(embedded)).to.be.at.most(16);
  });

  it("starts PGlite's thread, made after the flags, with 4 MiB semi-spaces and keeps them when embedded", function () {
    this.timeout(30_000);
    const sized = (flag: string) => /^--(min|max)-semi-space-size=/.test(flag);
    const withSizes = threadHeap(embedded);
    const withoutSizes = threadHeap(embedded.filter((flag) => !sized(flag)));
    expect(withSizes.youngMiB).to.equal(2 * EMBEDDED_THREAD_SEMI_SPACE_MIB);
    // Without the two sizes npm start's 32 MiB semi-spaces outrank the thread's limits: a heap
    // limit larger by their difference (measured: 352 against 268 MiB). What the thread then
    // reaches varies (2 to 8 MiB on Node 26, 32 on Node 22), so its limit is what is compared.
    expect(withoutSizes.limitMiB).to.be.above(withSizes.limitMiB + 48);
  });

  it('collects what starting left behind, in both threads, only when embedded', function () {
    this.timeout(60_000);
    expect(collectedAtStart(embedded)).to.deep.equal({ main: true, pglite: true });
    expect(collectedAtStart(postgres)).to.deep.equal({ main: false, pglite: false });
  });

  it('keeps WebAssembly that ran a while on its first compiler when embedded', function () {
    this.timeout(30_000);
    // V8's own budget has the loop compiled again within the million rounds; the embedded one not.
    expect(optimisedCompilations([])).to.be.at.least(1);
    expect(optimisedCompilations(embedded)).to.equal(0);
  });
});
