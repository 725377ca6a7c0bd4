/**
 * `npm run bench`: the service's throughput and latency on PostgreSQL and Redis, scenario by
 * scenario, against two ceilings measured in the same run: a bare Koa app answering from memory
 * (1), and a minimal app doing the same work as the service for scenarios 2 and 3a (2w, 3aw: see
 * same-work.ts). Then searches and a deep page at a million users (7a-7d, 8) and the embedded
 * default, PGlite, with its idle and peak RSS (e2). Prints requests/s, p50, p99, errors, the
 * ratios to the ceilings and the server's peak RSS per scenario, and writes the figures to a JSON
 * file. Nothing here passes or fails: the targets are printed beside the figures.
 *
 * Options (after `npm run bench --`):
 *   --duration S      seconds measured per scenario (10)
 *   --warmup S        seconds of warm-up before each (3)
 *   --connections N   concurrent connections (50)
 *   --users N         users seeded (1000000)
 *   --only LIST       scenario ids to run, comma-separated (1,2,2w,3a,3aw,3b,3c,4,5a,5b,6,7a,7b,7c,7d,8,e2; the audit log's A1-A5, see audit.ts; the mail outbox's `mail`, see mail.ts)
 *   --out FILE        where the JSON goes (bench/results/bench-<time>.json)
 *   --keep-db         keep the seeded database and print its name
 *   --database NAME   run on a database kept by --keep-db instead of seeding a new one
 *
 * BENCH_SERVICE_ENV adds or overrides the service's variables, `NAME=value` comma-separated
 * (`LOG_LEVEL=warn`, say, to see what the request log costs).
 * BENCH_SERVICE_MAIN runs another build of the service (its `dist/src/main.js`), for a before
 * and after on the same harness and database.
 * The service starts with the node options of `npm start`. BENCH_SERVICE_NODE_ARGS are given to
 * node after them, before the service's script: for a profile,
 * BENCH_SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench -- --only 2
 * BENCH_SAME_WORK_NODE_ARGS does the same for the same-work ceilings (2w, 3aw), which start with
 * node's own options otherwise.
 *
 * PostgreSQL is BENCH_DATABASE_SERVER_URL (postgres://postgres@127.0.0.1:5432/postgres), Redis
 * BENCH_REDIS_URL (redis://127.0.0.1:6379). The benchmark creates and drops its own database and
 * keeps its Redis keys under a prefix of its own, deleted at the end.
 */
import 'reflect-metadata';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type autocannon from 'autocannon';
import { CursorCodec } from '../src/adapters/http/kit/cursor.js';
import { OWASP_ARGON2ID } from '../src/adapters/security/argon2-password-hasher.js';
import { generateTokenKeyPair } from '../src/adapters/security/paserk-keys.js';
import {
  createBenchDatabase,
  migrate,
  positionAt,
  SEED_PASSWORD,
  seededUser,
  seedUsers,
  serverVersion,
  userIds,
  type BenchDatabase,
} from './database.js';
import { auditScenarios } from './audit.js';
import { measure, type LoadResult } from './load.js';
import { runMailBench, type MailBenchFigures } from './mail.js';
import {
  cpuSeconds,
  freePort,
  machineBusySeconds,
  peakRssMiB,
  pidsMatching,
  processTree,
  resetPeakRss,
  rssMiB,
  startProcess,
  type Started,
} from './processes.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
/** The service under test: this build's, or another build's (BENCH_SERVICE_MAIN) to compare with. */
const MAIN = process.env.BENCH_SERVICE_MAIN ?? join(here, '..', 'src', 'main.js');
const CEILING = join(here, 'ceiling.js');

/**
 * The node options the service starts with: `npm start`'s (the image's are the same), then
 * BENCH_SERVICE_NODE_ARGS.
 */
function serviceNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const options = /\bnode((?: --\S+)*) dist\/src\/main\.js/.exec(pkg.scripts.start)?.[1] ?? '';
  return [...nodeArgs(options), ...nodeArgs(process.env.BENCH_SERVICE_NODE_ARGS)];
}

/** Node options written on one line, space-separated. */
const nodeArgs = (line = ''): string[] => line.split(' ').filter((a) => a !== '');
const SAME_WORK = join(here, 'same-work.js');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    users: { type: 'string', default: '1000000' },
    only: { type: 'string', default: '1,2,2w,3a,3aw,3b,3c,4,5a,5b,6,7a,7b,7c,7d,8,e2' },
    out: { type: 'string' },
    'keep-db': { type: 'boolean', default: false },
    database: { type: 'string' },
  },
});

const DURATION_S = Number(args.duration);
const WARMUP_S = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const USERS = Number(args.users);
const ONLY = new Set(args.only.split(',').map((s) => s.trim()));
const SERVER_URL =
  process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Monitor interval of prom-client's event-loop histogram: its samples are this plus the delay. */
const ELD_RESOLUTION_MS = 10;
/** Users whose tokens drive scenarios 2 and 6 (each request uses the next one's token). */
const READERS = 100;
/** Users who sign in, in turn, in scenario 4. */
const SIGNERS = 200;

const ADMIN = {
  email: 'bench-admin@bench.example',
  username: 'bench_admin',
  password: 'Bench-admin-passw0rd',
};

interface ScenarioResult extends LoadResult {
  readonly id: string;
  readonly title: string;
  readonly ratioToCeiling: number | null;
  /** Requests/s as a share of the same-work ceiling's for the same request (scenarios 2 and 3a). */
  readonly ratioToSameWork: number | null;
  readonly connections: number;
  /** Peak RSS during the measured run, per process (the primary first in a cluster). */
  readonly peakRssMiB: readonly number[];
  /** Cores busy on average during the measured run, by whom ("other": processes not in the benchmark). */
  readonly cpuCores: Readonly<
    Record<'server' | 'loadGenerator' | 'postgres' | 'redis' | 'other', number>
  >;
  readonly extra?: Readonly<Record<string, unknown>>;
}

const results: ScenarioResult[] = [];
/** The benchmark's database, whose PostgreSQL backends count as its own CPU use. */
let databaseName = '';
const cleanups: Array<() => Promise<unknown>> = [];
let ceilingRps: number | null = null;
/** The same-work ceiling's results, by the id of the service scenario they bound. */
const sameWork = new Map<string, LoadResult>();

const log = (message: string): void => console.log(`[bench] ${message}`);

async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    const step = cleanups.pop()!;
    await step().catch((error: unknown) => console.error('[bench] clean-up step failed:', error));
  }
}

process.on('SIGINT', () => {
  log('interrupted: cleaning up');
  void cleanUp().finally(() => process.exit(130));
});

interface CpuSnapshot {
  readonly at: number;
  readonly machine: number;
  readonly byPid: Map<number, number>;
  readonly groups: Readonly<
    Record<'server' | 'loadGenerator' | 'postgres' | 'redis', readonly number[]>
  >;
}

/** The PostgreSQL backends of the benchmark's database, and the parallel workers they lead. */
function benchPostgresPids(): number[] {
  if (databaseName === '') return [];
  const backends = pidsMatching(new RegExp(`^postgres: .* ${databaseName} `));
  const workers = pidsMatching(/^postgres: .*parallel worker for PID \d+/).filter((pid) => {
    try {
      const leader = Number(
        /parallel worker for PID (\d+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1],
      );
      return backends.includes(leader);
    } catch {
      return false;
    }
  });
  return [...backends, ...workers];
}

function cpuSnapshot(serverPid: number): CpuSnapshot {
  const groups = {
    server: processTree(serverPid),
    loadGenerator: [process.pid],
    postgres: benchPostgresPids(),
    redis: pidsMatching(/^redis-server /),
  };
  return {
    at: performance.now(),
    machine: machineBusySeconds(),
    byPid: cpuSeconds(Object.values(groups).flat()),
    groups,
  };
}

function cpuCores(start: CpuSnapshot, end: CpuSnapshot): ScenarioResult['cpuCores'] {
  const elapsedS = (end.at - start.at) / 1000;
  const round = (seconds: number) => Math.round((seconds / elapsedS) * 100) / 100;
  // A process started during the run (a new database connection, say) counts from zero.
  const used = (pids: readonly number[]) =>
    pids.reduce((sum, pid) => sum + (end.byPid.get(pid) ?? 0) - (start.byPid.get(pid) ?? 0), 0);
  const server = used(end.groups.server);
  const loadGenerator = used(end.groups.loadGenerator);
  const postgres = used(end.groups.postgres);
  const redis = used(end.groups.redis);
  const other = Math.max(
    0,
    end.machine - start.machine - server - loadGenerator - postgres - redis,
  );
  return {
    server: round(server),
    loadGenerator: round(loadGenerator),
    postgres: round(postgres),
    redis: round(redis),
    other: round(other),
  };
}

function record(
  id: string,
  title: string,
  result: LoadResult,
  connections: number,
  rss: Record<number, number>,
  pids: readonly number[],
  cpu: ScenarioResult['cpuCores'],
  extra?: Record<string, unknown>,
): ScenarioResult {
  const bound = sameWork.get(id);
  const entry: ScenarioResult = {
    id,
    title,
    ...result,
    connections,
    ratioToCeiling:
      ceilingRps === null ? null : Math.round((result.rps / ceilingRps) * 1000) / 1000,
    ratioToSameWork:
      bound === undefined ? null : Math.round((result.rps / bound.rps) * 1000) / 1000,
    peakRssMiB: pids.map((pid) => rss[pid] ?? NaN),
    cpuCores: cpu,
    ...(extra === undefined ? {} : { extra }),
  };
  results.push(entry);
  const ratio =
    (entry.ratioToCeiling === null
      ? ''
      : ` (${(entry.ratioToCeiling * 100).toFixed(1)}% of ceiling)`) +
    (entry.ratioToSameWork === null
      ? ''
      : ` (${(entry.ratioToSameWork * 100).toFixed(1)}% of the same work)`);
  log(
    `${id} ${title}: ${result.rps} req/s at ${connections} connections${ratio}, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
      `errors ${result.errors}, peak RSS ${entry.peakRssMiB.join(' + ')} MiB`,
  );
  log(
    `   cores busy: server ${cpu.server}, load generator ${cpu.loadGenerator}, PostgreSQL ${cpu.postgres}, ` +
      `Redis ${cpu.redis}, other processes ${cpu.other}${cpu.other > 0.15 ? ' (the machine was not quiet: figures are lower than they would be)' : ''}`,
  );
  return entry;
}

/** Runs a load against a process tree, measuring its peak RSS over the measured part. */
async function scenario(
  id: string,
  title: string,
  target: Started,
  requests: autocannon.Request[],
  hooks: {
    connections?: number;
    before?: () => Promise<void>;
    after?: () => Promise<Record<string, unknown>>;
  } = {},
): Promise<ScenarioResult | null> {
  if (!ONLY.has(id)) return null;
  log(`${id} ${title} ...`);
  const pids = processTree(target.pid);
  const connections = hooks.connections ?? CONNECTIONS;
  let start: CpuSnapshot | undefined;
  let end: CpuSnapshot | undefined;
  const result = await measure({
    base: target.base,
    connections,
    durationS: DURATION_S,
    warmupS: WARMUP_S,
    requests,
    async beforeMeasure() {
      resetPeakRss(processTree(target.pid));
      await hooks.before?.();
      start = cpuSnapshot(target.pid);
    },
    afterMeasure() {
      end = cpuSnapshot(target.pid);
    },
  });
  const rss = peakRssMiB(pids);
  const extra = await hooks.after?.();
  return record(id, title, result, connections, rss, pids, cpuCores(start!, end!), extra);
}

/** `count` numbers of seeded users from `from` on that are active (every 50th is not). */
const activeUsers = (from: number, count: number): number[] => {
  const found: number[] = [];
  for (let n = from; found.length < count; n++) if (n % 50 !== 0) found.push(n);
  return found;
};

/** BENCH_SERVICE_ENV: `NAME=value,NAME=value`. */
function extraServiceEnv(): Record<string, string> {
  const spec = process.env.BENCH_SERVICE_ENV ?? '';
  return Object.fromEntries(
    spec
      .split(',')
      .filter((pair) => pair.includes('='))
      .map((pair) => [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1)]),
  );
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function signIn(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return (await json<{ access_token: string }>(res)).access_token;
}

async function eventLoopDelayP99Ms(base: string): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (name: string): number =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  // Each sample is the interval between two ticks of a 10 ms timer: the delay is what exceeds it.
  return {
    p99Ms:
      Math.round(Math.max(0, read('nodejs_eventloop_lag_p99_seconds') - ELD_RESOLUTION_MS) * 100) /
      100,
    maxMs:
      Math.round(Math.max(0, read('nodejs_eventloop_lag_max_seconds') - ELD_RESOLUTION_MS) * 100) /
      100,
  };
}

/** Median single-thread time of one argon2id verification at the service's parameters, in ms. */
async function argon2VerifyMs(stored: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 23; i++) {
    const started = performance.now();
    await verify(stored, SEED_PASSWORD);
    if (i >= 3) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 100) / 100;
}

/** argon2id verifications per second with one in flight per core, measured here. */
async function argon2ParallelPerS(stored: string, cores: number): Promise<number> {
  const count = 20 * cores;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: cores }, async () => {
      while (next++ < count) await verify(stored, SEED_PASSWORD);
    }),
  );
  return Math.round((count / (performance.now() - started)) * 1000);
}

async function redisInfo(): Promise<{ version: string }> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    const info = await client.info('server');
    return { version: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' };
  } finally {
    client.disconnect();
  }
}

async function deleteRedisKeys(prefix: string): Promise<number> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

function printTable(): void {
  const rows = results.map((r) => [
    r.id,
    r.title,
    r.rps.toFixed(0),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    String(r.errors),
    String(r.connections),
    r.ratioToCeiling === null ? '-' : `${(r.ratioToCeiling * 100).toFixed(1)}%`,
    r.ratioToSameWork === null ? '-' : `${(r.ratioToSameWork * 100).toFixed(1)}%`,
    r.peakRssMiB.map((m) => m.toFixed(0)).join('+'),
    r.cpuCores.server.toFixed(2),
    r.cpuCores.other.toFixed(2),
  ]);
  const head = [
    '#',
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'conns',
    'vs ceiling',
    'vs same work',
    'peak RSS MiB',
    'server cores',
    'other cores',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
}

function targets(
  verifyMs: number,
  cores: number,
  parallelPerS: number,
): Array<{ target: string; figure: string; met: boolean | null }> {
  const by = (id: string) => results.find((r) => r.id === id);
  const out: Array<{ target: string; figure: string; met: boolean | null }> = [];
  const s2 = by('2');
  if (s2 !== undefined && s2.ratioToCeiling !== null) {
    out.push({
      target: 'scenario 2 >= 30% of the ceiling',
      figure: `${(s2.ratioToCeiling * 100).toFixed(1)}%`,
      met: s2.ratioToCeiling >= 0.3,
    });
    out.push({ target: 'scenario 2 p99 < 15 ms', figure: `${s2.p99Ms} ms`, met: s2.p99Ms < 15 });
  }
  for (const id of ['3a', '3b', '3c']) {
    const s = by(id);
    if (s !== undefined)
      out.push({
        target: `scenario ${id} p99 < 20 ms`,
        figure: `${s.p99Ms} ms`,
        met: s.p99Ms < 20,
      });
  }
  const [first, deep] = [by('3b'), by('3c')];
  if (first !== undefined && deep !== undefined) {
    const ratio = deep.rps / first.rps;
    out.push({
      target: 'deep cursor page as fast as the first (>= 90% of its req/s)',
      figure: `${(ratio * 100).toFixed(1)}%`,
      met: ratio >= 0.9,
    });
  }
  const s4 = by('4');
  if (s4 !== undefined) {
    const bound = cores / (verifyMs / 1000);
    out.push({
      target: `scenario 4 >= 80% of cores / argon2id verify time (${cores} / ${verifyMs} ms = ${bound.toFixed(0)}/s)`,
      figure: `${s4.rps} /s = ${((s4.rps / bound) * 100).toFixed(1)}% (${((s4.rps / parallelPerS) * 100).toFixed(1)}% of the ${parallelPerS}/s measured with ${cores} verifications at once)`,
      met: s4.rps >= 0.8 * bound,
    });
    const eld = s4.extra?.['eventLoopDelayP99Ms'] as number | undefined;
    if (eld !== undefined)
      out.push({
        target: 'scenario 4 event-loop delay p99 < 20 ms',
        figure: `${eld} ms`,
        met: eld < 20,
      });
  }
  const s6 = by('6');
  if (s2 !== undefined && s6 !== undefined) {
    out.push({
      target: 'scenario 6 >= 1.4x scenario 2',
      figure: `${(s6.rps / s2.rps).toFixed(2)}x`,
      met: s6.rps / s2.rps >= 1.4,
    });
  }
  for (const id of ['2', '3a']) {
    const s = by(id);
    const bound = sameWork.get(id);
    if (s === undefined || bound === undefined || s.ratioToSameWork === null) continue;
    const share = id === '2' ? 0.85 : 0.8;
    out.push({
      target: `scenario ${id} >= ${share * 100}% of its same-work ceiling`,
      figure: `${(s.ratioToSameWork * 100).toFixed(1)}%`,
      met: s.ratioToSameWork >= share,
    });
    const p99Ratio = s.p99Ms / bound.p99Ms;
    out.push({
      target: `scenario ${id} p99 within 1.3x of the same-work ceiling's`,
      figure: `${s.p99Ms} ms / ${bound.p99Ms} ms = ${p99Ratio.toFixed(2)}x`,
      met: p99Ratio <= 1.3,
    });
  }
  const s3a = by('3a');
  if (s3a !== undefined)
    out.push({
      target: `scenario 3a p99 < 40 ms at ${s3a.connections} connections`,
      figure: `${s3a.p99Ms} ms`,
      met: s3a.p99Ms < 40,
    });
  const latency: Array<[string, number]> = [
    ['7a', 30],
    ['7b', 30],
    ['7c', 10],
    ['7d', 150],
    ['8', 100],
  ];
  for (const [id, ms] of latency) {
    const s = by(id);
    if (s !== undefined)
      out.push({
        target: `scenario ${id} p99 < ${ms} ms at ${s.connections} connections`,
        figure: `${s.p99Ms} ms`,
        met: s.p99Ms < ms,
      });
  }
  const e2 = by('e2');
  if (e2 !== undefined) {
    out.push({
      target: `scenario e2 (PGlite) >= 2,000 req/s at ${e2.connections} connections`,
      figure: `${e2.rps} req/s`,
      met: e2.rps >= 2000,
    });
    out.push({
      target: 'scenario e2 (PGlite) p99 < 40 ms',
      figure: `${e2.p99Ms} ms`,
      met: e2.p99Ms < 40,
    });
    const idle = e2.extra?.['idleRssMiB'] as number | undefined;
    if (idle !== undefined)
      out.push({
        target: 'PGlite service RSS < 200 MB at idle',
        figure: `${idle} MiB`,
        met: idle * 1.048576 < 200,
      });
    const peak = Math.max(...e2.peakRssMiB);
    out.push({
      target: 'PGlite service RSS < 300 MB under load',
      figure: `${peak} MiB`,
      met: peak * 1.048576 < 300,
    });
  }
  // The service on PostgreSQL: the ceilings and the embedded database have targets of their own.
  const peaks = results
    .filter((r) => !['1', '2w', '3aw', 'e2'].includes(r.id))
    .flatMap((r) => r.peakRssMiB.filter((m) => Number.isFinite(m)));
  if (peaks.length > 0)
    out.push({
      target: 'RSS < 150 MB per process',
      figure: `${Math.max(...peaks)} MiB at most`,
      met: Math.max(...peaks) * 1.048576 < 150,
    });
  return out;
}

/** Users signed up on the embedded service whose tokens drive scenario e2. */
const EMBEDDED_READERS = 20;

/**
 * Scenario 2 on PGlite, as `npm start` runs it out of the box (the database in DATA_DIR, rate
 * limits in memory): its resident set once started and idle, then under load.
 */
async function embeddedScenario(work: string, signingKey: string): Promise<void> {
  const port = await freePort();
  const service = await startProcess({
    script: MAIN,
    nodeArgs: serviceNodeArgs(),
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      DATA_DIR: join(work, 'embedded'),
      TOKEN_KEY_ID: 'bench',
      TOKEN_SIGNING_KEY: signingKey,
      RATE_LIMIT_MAX: '1000000',
      RATE_LIMIT_WINDOW_S: '60',
      LOG_LEVEL: 'info',
      ...extraServiceEnv(),
    },
    port,
    readyPath: '/health/ready',
    logFile: join(work, 'service-embedded.log'),
  });
  cleanups.push(() => service.stop());
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const idleRssMiB = rssMiB([service.pid])[service.pid] ?? NaN;
  log(`e2 PGlite service idle after start: RSS ${idleRssMiB} MiB`);
  const readers: Array<{ id: number; token: string }> = [];
  for (let n = 0; n < EMBEDDED_READERS; n++) {
    const username = `embedded_${n}`;
    const res = await fetch(`${service.base}/api/v1/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email: `${username}@bench.example`,
        username,
        password: SEED_PASSWORD,
      }),
    });
    const { id } = await json<{ id: number }>(res);
    readers.push({ id, token: await signIn(service.base, username, SEED_PASSWORD) });
  }
  let next = 0;
  await scenario(
    'e2',
    'scenario 2 on the embedded default (PGlite)',
    service,
    [
      {
        method: 'GET',
        setupRequest: (req) => {
          const reader = readers[next++ % readers.length]!;
          return {
            ...req,
            path: `/api/v1/users/${reader.id}`,
            headers: { authorization: `Bearer ${reader.token}` },
          };
        },
      },
    ],
    { after: async () => ({ idleRssMiB }) },
  );
  await service.stop();
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const cores = availableParallelism();
  const runId = randomBytes(4).toString('hex');
  const redisPrefix = `um-bench-${runId}`;
  const work = mkdtempSync(join(tmpdir(), 'um-bench-'));
  cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    postgres: await serverVersion(SERVER_URL),
    redis: (await redisInfo()).version,
  };
  log(
    `${machine.cpu}, ${cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}`,
  );
  log(`${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s per scenario`);

  // 1. The ceiling.
  if (ONLY.has('1')) {
    const port = await freePort();
    const ceiling = await startProcess({
      script: CEILING,
      args: [String(port)],
      env: { NODE_ENV: 'production' },
      port,
      readyPath: '/api/v1/users/1',
      logFile: join(work, 'ceiling.log'),
    });
    cleanups.push(() => ceiling.stop());
    const result = await scenario('1', 'bare Koa, same JSON (ceiling)', ceiling, [
      { method: 'GET', path: '/api/v1/users/2' },
    ]);
    ceilingRps = result?.rps ?? null;
    await ceiling.stop();
  }

  // The database: seeded in bulk, or one kept by an earlier run.
  const storedHash = await hash(SEED_PASSWORD, {
    ...OWASP_ARGON2ID,
    algorithm: Algorithm.Argon2id,
  });
  let database: BenchDatabase;
  let seedSeconds: number | null = null;
  if (args.database !== undefined) {
    const url = new URL(SERVER_URL);
    url.pathname = `/${args.database}`;
    database = { name: args.database, url: url.toString(), drop: async () => undefined };
    log(`using the kept database ${database.name}`);
    databaseName = database.name;
  } else {
    database = await createBenchDatabase(SERVER_URL);
    databaseName = database.name;
    if (args['keep-db']) log(`database ${database.name} will be kept`);
    else cleanups.push(() => database.drop());
    await migrate(database.url);
    log(`seeding ${USERS} users into ${database.name} ...`);
    let shown = 0;
    seedSeconds = await seedUsers(database.url, USERS, storedHash, (done) => {
      if (done - shown >= 250_000 || done === USERS) {
        shown = done;
        log(`  ${done} users`);
      }
    });
    log(`seeded in ${seedSeconds.toFixed(1)} s`);
  }
  const verifyMs = await argon2VerifyMs(storedHash);
  const parallelPerS = await argon2ParallelPerS(storedHash, cores);
  log(
    `argon2id verify (m=${OWASP_ARGON2ID.memoryCost} KiB, t=${OWASP_ARGON2ID.timeCost}, p=${OWASP_ARGON2ID.parallelism}): ` +
      `${verifyMs} ms on one thread; ${parallelPerS}/s with ${cores} at once`,
  );

  const key = await generateTokenKeyPair();
  cleanups.push(() => deleteRedisKeys(redisPrefix));
  const serviceEnv = (workers: number, port: number): Record<string, string> => ({
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: database.url,
    DATA_DIR: join(work, 'data'),
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    TOKEN_KEY_ID: 'bench',
    TOKEN_SIGNING_KEY: key.secret,
    // Rate limiting stays on, with a budget the load cannot exhaust: its cost is measured, not its refusals.
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_WINDOW_S: '60',
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    WEB_CONCURRENCY: String(workers),
    ...extraServiceEnv(),
  });
  const startService = async (workers: number, script = MAIN): Promise<Started> => {
    const port = await freePort();
    const service = await startProcess({
      script,
      nodeArgs: serviceNodeArgs(),
      env: serviceEnv(workers, port),
      port,
      readyPath: '/health/ready',
      logFile: join(work, `service-${workers}.log`),
    });
    cleanups.push(() => service.stop());
    return service;
  };

  let service = await startService(1);
  const adminToken = await signIn(service.base, ADMIN.username, ADMIN.password);
  const readerNames = activeUsers(1, READERS).map((n) => seededUser(n).username);
  const signerNames = activeUsers(10_001, SIGNERS).map((n) => seededUser(n).username);
  const ids = await userIds(database.url, readerNames);
  const readers = await Promise.all(
    readerNames.map(async (username) => ({
      id: ids.get(username)!,
      token: await signIn(service.base, username, SEED_PASSWORD),
    })),
  );
  const [firstId, lastId] = [Math.min(...ids.values()), Math.min(...ids.values()) + USERS - 1];

  let next = 0;
  const readOwnUser: autocannon.Request[] = [
    {
      method: 'GET',
      setupRequest: (req) => {
        const reader = readers[next++ % readers.length]!;
        return {
          ...req,
          path: `/api/v1/users/${reader.id}`,
          headers: { authorization: `Bearer ${reader.token}` },
        };
      },
    },
  ];
  const asAdmin = { authorization: `Bearer ${adminToken}` };
  const firstPage: autocannon.Request[] = [
    { method: 'GET', path: '/api/v1/users?page=1&page_size=50', headers: asAdmin },
  ];

  // 2w, 3aw. The same-work ceilings of scenarios 2 and 3a, on the same database and Redis.
  if (ONLY.has('2w') || ONLY.has('3aw')) {
    const tokensFile = join(work, 'tokens.json');
    writeFileSync(tokensFile, JSON.stringify([adminToken, ...readers.map((r) => r.token)]));
    const port = await freePort();
    const bare = await startProcess({
      script: SAME_WORK,
      nodeArgs: nodeArgs(process.env.BENCH_SAME_WORK_NODE_ARGS),
      args: [String(port), database.url, REDIS_URL, tokensFile],
      env: { NODE_ENV: 'production' },
      port,
      readyPath: '/ready',
      logFile: join(work, 'same-work.log'),
    });
    cleanups.push(() => bare.stop());
    for (const [id, bounds, title, requests] of [
      ['2w', '2', 'same work as scenario 2 (Koa, node-postgres, ioredis)', readOwnUser],
      ['3aw', '3a', 'same work as scenario 3a (Koa, node-postgres, ioredis)', firstPage],
    ] as const) {
      const result = await scenario(id, title, bare, [...requests]);
      if (result !== null) sameWork.set(bounds, result);
    }
    await bare.stop();
  }

  // 2. Authenticated reads with rate limiting on.
  await scenario('2', 'GET /api/v1/users/{id}, authenticated, rate limited', service, readOwnUser);

  // 3. Lists at a million users.
  await scenario('3a', 'GET /api/v1/users?page=1&page_size=50', service, firstPage);
  await scenario('3b', 'GET /api/v2/users?limit=50 (first page)', service, [
    { method: 'GET', path: '/api/v2/users?limit=50', headers: asAdmin },
  ]);
  if (ONLY.has('3c')) {
    const depth = Math.floor(USERS * 0.9);
    const at = await positionAt(database.url, depth);
    const cursors = new CursorCodec(
      createHash('sha256').update(`cursor-signing-key:${key.secret}`).digest(),
    );
    const fingerprint = CursorCodec.fingerprint({
      sort: 'created_at',
      role: undefined,
      is_active: undefined,
      search: undefined,
    });
    const deepPath = `/api/v2/users?limit=50&cursor=${encodeURIComponent(cursors.encode({ key: at.createdAt.toISOString(), id: at.id }, fingerprint))}`;
    const check = await json<{ items: Array<{ id: number }> }>(
      await fetch(`${service.base}${deepPath}`, { headers: asAdmin }),
    );
    if (check.items[0]?.id !== at.id + 1)
      log(`warning: the deep page starts at ${check.items[0]?.id}, expected ${at.id + 1}`);
    await scenario(
      '3c',
      `GET /api/v2/users?limit=50&cursor=(after ${depth.toLocaleString('en')} users)`,
      service,
      [{ method: 'GET', path: deepPath, headers: asAdmin }],
    );
  }

  // 7, 8. Searches at ten connections (the trigram indexes), then one request at a time: a term
  // matching nothing, a broad term whose matches bunch up at the end of the order, a deep page.
  const get = (path: string): autocannon.Request[] => [{ method: 'GET', path, headers: asAdmin }];
  await scenario(
    '7a',
    'GET /api/v1/users?search=user12345 (11 matches)',
    service,
    get('/api/v1/users?search=user12345'),
    { connections: 10 },
  );
  await scenario(
    '7b',
    'GET /api/v2/users?limit=50&search=user12345',
    service,
    get('/api/v2/users?limit=50&search=user12345'),
    { connections: 10 },
  );
  await scenario(
    '7c',
    'GET /api/v1/users?search=zzzz (no match)',
    service,
    get('/api/v1/users?search=zzzz'),
    { connections: 1 },
  );
  await scenario(
    '7d',
    'GET /api/v1/users?search=user99&sort=username (broad)',
    service,
    get('/api/v1/users?search=user99&sort=username'),
    {
      connections: 1,
    },
  );
  await scenario(
    '8',
    'GET /api/v1/users?page=10000&page_size=50 (deep page)',
    service,
    get('/api/v1/users?page=10000&page_size=50'),
    {
      connections: 1,
    },
  );

  // 4. Sign-ins: argon2id bound; the event loop must stay responsive meanwhile.
  let signer = 0;
  await scenario(
    '4',
    'POST /api/v1/auth/token',
    service,
    [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({
          ...req,
          path: '/api/v1/auth/token',
          body: JSON.stringify({
            username: signerNames[signer++ % SIGNERS],
            password: SEED_PASSWORD,
          }),
        }),
      },
    ],
    {
      before: async () => void (await eventLoopDelayP99Ms(service.base)),
      after: async () => {
        const eld = await eventLoopDelayP99Ms(service.base);
        return {
          eventLoopDelayP99Ms: eld.p99Ms,
          eventLoopDelayMaxMs: eld.maxMs,
          argon2VerifyMs: verifyMs,
          cores,
        };
      },
    },
  );

  // 5. Writes.
  let created = 0;
  await scenario('5a', 'POST /api/v1/users (sign-up)', service, [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => {
        const n = created++;
        return {
          ...req,
          path: '/api/v1/users',
          body: JSON.stringify({
            email: `new-${runId}-${n}@bench.example`,
            username: `new_${runId}_${n}`,
            password: SEED_PASSWORD,
          }),
        };
      },
    },
  ]);
  let patched = 0;
  const patches: autocannon.Request[] = [
    {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...asAdmin },
      setupRequest: (req) => {
        const id = firstId + READERS + Math.floor(Math.random() * (lastId - firstId - READERS));
        return {
          ...req,
          path: `/api/v1/users/${id}`,
          body: JSON.stringify({ full_name: `Patched ${patched++}` }),
        };
      },
    },
  ];
  await scenario('5b', 'PATCH /api/v1/users/{id}', service, patches);
  const auditFigures = await auditScenarios(
    {
      only: ONLY,
      databaseUrl: database.url,
      asAdmin,
      writes: patches,
      service,
      startService: (script) => startService(1, script),
      scenario,
      log,
    },
    join(here, 'service-without-audit.js'),
  );
  await service.stop();

  // 6. Scenario 2 on a cluster of two workers.
  if (ONLY.has('6')) {
    service = await startService(2);
    await scenario('6', 'scenario 2 with WEB_CONCURRENCY=2', service, readOwnUser);
    await service.stop();
  }

  // e2. Scenario 2 on the embedded default: PGlite in the service's data directory, no Redis.
  if (ONLY.has('e2')) await embeddedScenario(work, key.secret);

  // The mail outbox's cost to a sign-up and the dispatcher's rate (bench/mail.ts).
  let mail: MailBenchFigures | null = null;
  if (ONLY.has('mail'))
    mail = await runMailBench({ databaseUrl: database.url, log, roundS: DURATION_S });

  printTable();
  const goals = targets(verifyMs, cores, parallelPerS);
  console.log('\ntargets (information, not a test):');
  for (const g of goals)
    console.log(
      `  ${g.met === true ? 'met    ' : g.met === false ? 'not met' : '-      '}  ${g.target}: ${g.figure}`,
    );

  const out =
    args.out ??
    join(ROOT, 'bench', 'results', `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        date: startedAt.toISOString(),
        command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
        service: relative(ROOT, MAIN),
        serviceEnv: extraServiceEnv(),
        serviceNodeArgs: process.env.BENCH_SERVICE_NODE_ARGS ?? '',
        machine,
        options: {
          durationS: DURATION_S,
          warmupS: WARMUP_S,
          connections: CONNECTIONS,
          users: USERS,
        },
        seedSeconds,
        argon2VerifyMs: verifyMs,
        argon2ParallelPerS: parallelPerS,
        ceilingRps,
        ...auditFigures,
        scenarios: results,
        mail,
        targets: goals,
      },
      null,
      2,
    )}\n`,
  );
  log(`figures written to ${relative(process.cwd(), out)}`);
}

try {
  await main();
} finally {
  await cleanUp();
}
