/**
 * The audit log's scenarios for `npm run bench`:
 *
 * - A1 / A2: the PATCH write scenario without and with its audit event, in two alternating rounds
 *   on the same database (A1 on a build of the service that discards events,
 *   `service-without-audit.ts`).
 * - A3 / A4 / A5: the audit list's first page at 1,000,000 events (v1 page, v2 cursor, filtered by
 *   actor), the events seeded in bulk.
 */
import type autocannon from 'autocannon';
import { withClient } from './database.js';
import type { Started } from './processes.js';

export const AUDIT_SCENARIOS = ['A1', 'A2', 'A3', 'A4', 'A5'];

interface ScenarioFigures {
  readonly rps: number;
  readonly cpuCores: { server: number; postgres: number };
}

export interface AuditBenchContext {
  readonly only: ReadonlySet<string>;
  readonly databaseUrl: string;
  readonly asAdmin: Record<string, string>;
  /** The write scenario's requests (a PATCH of a random user's full name). */
  readonly writes: autocannon.Request[];
  /** The running service (with audit events written). */
  readonly service: Started;
  /** Starts a service process from `script` (this build's main when absent). */
  startService(script?: string): Promise<Started>;
  scenario(
    id: string,
    title: string,
    target: Started,
    requests: autocannon.Request[],
  ): Promise<ScenarioFigures | null>;
  log(message: string): void;
}

const EVENTS = 1_000_000;

/** A million events over the last year, across a hundred thousand actors and every action. */
async function seedEvents(url: string): Promise<number> {
  const started = performance.now();
  await withClient(url, async (client) => {
    await client.query(
      `
      insert into audit_events (occurred_at, action, actor_id, subject_type, subject_id, request_id, ip, changes)
      select now() - make_interval(secs => n * 31.5),
             (array['user.registered', 'user.updated', 'session.started', 'session.ended', 'order.placed', 'order.status_changed',
                    'auth.sign_in_failed'])[1 + n % 7],
             1 + n % 100000, 'user', (1 + n % 1000000)::text, md5(n::text), '203.0.113.' || (n % 255),
             '{"full_name": {"from": "Before", "to": "After"}}'::jsonb
        from generate_series(1, $1::int) as n`,
      [EVENTS],
    );
    await client.query('analyze audit_events');
  });
  return (performance.now() - started) / 1000;
}

/** What PostgreSQL itself spends on the first page's statements, in ms (EXPLAIN ANALYZE): steadier than req/s on a busy machine. */
async function firstPageExecutionMs(url: string): Promise<Record<string, number>> {
  const statements: Record<string, string> = {
    page: 'select * from audit_events e order by e.occurred_at desc, e.id desc limit 50',
    cappedCount: 'select count(*) from (select 1 from audit_events e limit 10001) c',
    byActor:
      'select * from audit_events e where e.actor_id = 4242 order by e.occurred_at desc, e.id desc limit 50',
    bySubject:
      "select * from audit_events e where e.subject_type = 'user' and e.subject_id = '4242' order by e.occurred_at desc, e.id desc limit 50",
    byAction:
      "select * from audit_events e where e.action = 'auth.sign_in_failed' order by e.occurred_at desc, e.id desc limit 50",
  };
  const out: Record<string, number> = {};
  await withClient(url, async (client) => {
    for (const [name, sql] of Object.entries(statements)) {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const { rows } = await client.query(`explain (analyze, format json) ${sql}`);
        times.push((rows[0]['QUERY PLAN'] as [{ 'Execution Time': number }])[0]['Execution Time']);
      }
      out[name] = Math.round(times.sort((a, b) => a - b)[3]! * 1000) / 1000;
    }
  });
  return out;
}

export async function auditScenarios(
  ctx: AuditBenchContext,
  withoutAuditScript: string,
): Promise<Record<string, unknown>> {
  const extra: Record<string, unknown> = {};
  if (ctx.only.has('A1') || ctx.only.has('A2')) {
    // Two rounds that alternate (without, with, without, with), both services up throughout, so
    // that a machine getting busier or a table growing weighs on both alike.
    const bare = await ctx.startService(withoutAuditScript);
    const rounds: { without: ScenarioFigures; with: ScenarioFigures }[] = [];
    for (let round = 0; round < 2; round += 1) {
      const without = await ctx.scenario(
        'A1',
        'PATCH /api/v1/users/{id} without its audit event',
        bare,
        ctx.writes,
      );
      const withEvent = await ctx.scenario(
        'A2',
        'PATCH /api/v1/users/{id} with its audit event',
        ctx.service,
        ctx.writes,
      );
      if (without !== null && withEvent !== null) rounds.push({ without, with: withEvent });
    }
    await bare.stop();
    if (rounds.length > 0) {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      // On a busy machine req/s swing with the neighbours; the CPU each request took is steadier.
      const cpuMs = (r: ScenarioFigures) =>
        ((r.cpuCores.server + r.cpuCores.postgres) / r.rps) * 1000;
      const rpsWithout = mean(rounds.map((r) => r.without.rps));
      const rpsWith = mean(rounds.map((r) => r.with.rps));
      const cpuWithout = mean(rounds.map((r) => cpuMs(r.without)));
      const cpuWith = mean(rounds.map((r) => cpuMs(r.with)));
      const round2 = (x: number) => Math.round(x * 100) / 100;
      extra['auditWriteCost'] = {
        rounds: rounds.map((r) => ({ without: r.without.rps, with: r.with.rps })),
        rpsChangePercent: Math.round((rpsWith / rpsWithout - 1) * 1000) / 10,
        cpuMsPerRequestWithout: round2(cpuWithout),
        cpuMsPerRequestWith: round2(cpuWith),
        cpuChangePercent: Math.round((cpuWith / cpuWithout - 1) * 1000) / 10,
      };
      ctx.log(
        `audit event on the write scenario: ${JSON.stringify(extra['auditWriteCost'])} (target: within 10%)`,
      );
    }
  }
  if (ctx.only.has('A3') || ctx.only.has('A4') || ctx.only.has('A5')) {
    ctx.log(`seeding ${EVENTS} audit events ...`);
    extra['auditSeedSeconds'] = Math.round((await seedEvents(ctx.databaseUrl)) * 10) / 10;
    ctx.log(`seeded in ${extra['auditSeedSeconds']} s`);
    extra['auditFirstPageExecutionMs'] = await firstPageExecutionMs(ctx.databaseUrl);
    ctx.log(
      `PostgreSQL execution of the first page's statements (median ms): ${JSON.stringify(extra['auditFirstPageExecutionMs'])}`,
    );
    const get = (path: string): autocannon.Request[] => [
      { method: 'GET', path, headers: ctx.asAdmin },
    ];
    await ctx.scenario(
      'A3',
      'GET /api/v1/audit-events?page_size=50 (1M events)',
      ctx.service,
      get('/api/v1/audit-events?page_size=50'),
    );
    await ctx.scenario(
      'A4',
      'GET /api/v2/audit-events?limit=50 (1M events)',
      ctx.service,
      get('/api/v2/audit-events?limit=50'),
    );
    await ctx.scenario(
      'A5',
      'GET /api/v2/audit-events?actor_id=4242&limit=50 (1M events)',
      ctx.service,
      get('/api/v2/audit-events?actor_id=4242&limit=50'),
    );
  }
  return extra;
}
