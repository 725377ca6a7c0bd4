import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { runtimeV8Flags } from '../../../src/composition-root/v8-flags.js';
import { testConfig } from '../../../src/config/config.js';

/**
 * A process that keeps a live set and lets young objects reach the old generation before they
 * die (as requests in flight do), after setting `flags` at run time as the service does; prints
 * the largest heap V8 committed meanwhile, in bytes.
 */
function peakHeap(flags: readonly string[]): number {
  const script = `
    import v8 from 'node:v8';
    for (const flag of ${JSON.stringify(flags)}) v8.setFlagsFromString(flag);
    const live = [];
    for (let i = 0; i < 150_000; i++) live.push({ i, s: ('live-' + i).padEnd(80, 'x') });
    const inFlight = new Array(40_000);
    let peak = 0;
    for (let r = 0; r < 3_000_000; r++) {
      inFlight[r % inFlight.length] = { r, a: [r, r + 1], s: 'g' + r };
      if (r % 20_000 === 0) peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
    }
    console.log(live.length > 0 ? peak : 0); // the live set stays reachable to the end`;
  return Number(
    execFileSync(
      process.execPath,
      ['--max-semi-space-size=4', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    ),
  );
}

/**
 * A process that sets `flags` at run time, then compiles a WebAssembly function (a loop adding
 * 1..n) and runs a million rounds of it, as PGlite's functions run while it opens. Returns how
 * many times V8's optimising compiler compiled it, read from V8's own trace.
 */
function optimisedCompilations(flags: readonly string[]): number {
  const script = `
    import v8 from 'node:v8';
    for (const flag of ${JSON.stringify(flags)}) v8.setFlagsFromString(flag);
    const sum = new Uint8Array([
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
    for (let i = 0; i < 10; i++) instance.exports.f(100_000);`;
  const trace = execFileSync(
    process.execPath,
    ['--trace-wasm-compilation-times', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  return trace.split('\n').filter((line) => line.includes('using TurboFan')).length;
}

describe('runtimeV8Flags', () => {
  it('leaves V8 its own heap growth on PostgreSQL', () => {
    expect(
      runtimeV8Flags(testConfig({ database: { url: 'postgres://localhost/users' } })),
    ).to.deep.equal([]);
  });

  it('keeps the heap of an embedded service well below what V8 alone lets it reach', function () {
    this.timeout(30_000);
    const flags = runtimeV8Flags(testConfig({ database: { url: null } }));
    const unset = peakHeap([]);
    const set = peakHeap(flags);
    // Measured: about 80 MiB against 220 MiB (a live set of about 20 MiB).
    expect(set).to.be.below(unset * 0.6);
  });

  it('keeps WebAssembly that ran a while on its first compiler when embedded', function () {
    this.timeout(30_000);
    // V8's own budget has the loop compiled again within the million rounds; the embedded one not.
    expect(optimisedCompilations([])).to.be.at.least(1);
    expect(optimisedCompilations(runtimeV8Flags(testConfig({ database: { url: null } })))).to.equal(
      0,
    );
  });
});
