/**
 * One measurement: autocannon at a fixed number of connections for a fixed time, after a warm-up
 * run whose figures are dropped (JIT, connection pools, caches). Latencies are recorded from every
 * response (autocannon's own histogram keeps whole milliseconds and 2xx only), and every response
 * that is not 2xx counts as an error, as do connection errors and timeouts.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  readonly base: string;
  readonly connections: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly requests: autocannon.Request[];
  /** Called between the warm-up and the measured run (to reset peak RSS, scrape metrics...). */
  readonly beforeMeasure?: () => Promise<void> | void;
  /** Called as soon as the measured run ends. */
  readonly afterMeasure?: () => void;
}

export interface LoadResult {
  readonly requests: number;
  readonly durationS: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Non-2xx responses, connection errors and timeouts. */
  readonly errors: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly connectionErrors: number;
  readonly timeouts: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

function run(options: LoadOptions, durationS: number, record: boolean): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 16);
    let count = 0;
    const statusCodes: Record<string, number> = {};
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: options.base,
        connections: options.connections,
        duration: durationS,
        requests: options.requests,
        timeout: 10,
      },
      (error, result) => {
        if (error !== null && error !== undefined) {
          reject(error);
          return;
        }
        const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
        const sorted = latencies.subarray(0, count).sort();
        const non2xx = Object.entries(statusCodes)
          .filter(([code]) => !code.startsWith('2'))
          .reduce((sum, [, n]) => sum + n, 0);
        resolve({
          requests: count,
          durationS: round(elapsedS),
          rps: round(count / Math.max(elapsedS, 1e-9), 1),
          p50Ms: round(percentile(sorted, 50)),
          p90Ms: round(percentile(sorted, 90)),
          p99Ms: round(percentile(sorted, 99)),
          maxMs: round(count === 0 ? NaN : sorted[count - 1]!),
          errors: non2xx + result.errors + result.timeouts,
          statusCodes,
          connectionErrors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    if (!record) return;
    instance.on(
      'response',
      (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
        if (count === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2);
          bigger.set(latencies);
          latencies = bigger;
        }
        latencies[count++] = responseTimeMs;
        statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      },
    );
  });
}

/** Warms up, then measures. */
export async function measure(options: LoadOptions): Promise<LoadResult> {
  if (options.warmupS > 0) await run(options, options.warmupS, false);
  await options.beforeMeasure?.();
  const result = await run(options, options.durationS, true);
  options.afterMeasure?.();
  return result;
}
