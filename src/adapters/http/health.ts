/**
 * Liveness, readiness and metrics: outside the versioned API and never rate limited.
 * Readiness asks every backing service, each within a time limit. A required one (the database)
 * that fails makes it 503 naming it; an optional one (Redis, which the service replaces with
 * memory) makes it 200 `degraded`, so that one shared Redis going down does not take every
 * instance out of the load balancer at once. It answers 503 as soon as the service starts
 * draining, so a load balancer stops sending new requests.
 */
import { Router } from './kit/router.js';
import { token } from '../../application/ports/injection.js';
import type { HttpMetrics } from './metrics.js';
import type { PlainRouteDoc } from './kit/openapi/document.js';
import { setJsonBody } from './kit/json-body.js';
import { ROUTER_OPTIONS } from './kit/route.js';

export interface ReadinessCheck {
  readonly name: string;
  /** False when the service carries on without it (in a degraded way); true when absent. */
  readonly required?: boolean;
  check(): Promise<void>;
}

export interface Readiness {
  readonly checks: readonly ReadinessCheck[];
  /** True once shutdown has begun. */
  draining(): boolean;
}

export const READINESS = token<Readiness>('Readiness');

const CHECK_TIMEOUT_MS = 2_000;

async function run(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return 'ok';
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`;
  } finally {
    clearTimeout(timer);
  }
}

const STATUS_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'unavailable', 'draining'] },
    checks: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 300 },
      description:
        'Each backing service: ok; degraded for an optional one (Redis) that failed; or failed with the reason for a required one',
    },
  },
};

export const HEALTH_ROUTES: readonly PlainRouteDoc[] = [
  {
    operationId: 'getLiveness',
    method: 'GET',
    path: '/health/live',
    tag: 'Operations',
    summary: 'Liveness',
    description: '200 while the process runs.',
    responses: { 200: { description: 'Alive', schema: STATUS_SCHEMA } },
  },
  {
    operationId: 'getReadiness',
    method: 'GET',
    path: '/health/ready',
    tag: 'Operations',
    summary: 'Readiness',
    description:
      '200 when the database answers (`degraded`, naming redis, when a configured Redis does not: the service then serves from memory); 503 naming the database when it fails, or while the service drains.',
    responses: {
      200: { description: 'Ready (possibly degraded)', schema: STATUS_SCHEMA },
      503: {
        description: 'Not ready: a backing service failed, or the service is stopping',
        schema: STATUS_SCHEMA,
      },
    },
  },
  {
    operationId: 'getMetrics',
    method: 'GET',
    path: '/metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics',
    description:
      "Request count and latency histogram by method, route template and status, process metrics, and the service's own: sign-ins by outcome (`auth_sign_ins_total`), refresh-token reuse detected, requests refused by the rate limit, database pool connections in use and waiting, and whether the Redis fallback is active; in the Prometheus text format.",
    responses: {
      200: {
        description: 'Metrics',
        contentType: 'text/plain',
        schema: { type: 'string', maxLength: 10000000 },
      },
    },
  },
];

export function healthRouter(readiness: Readiness, metrics: HttpMetrics): Router {
  const router = new Router(ROUTER_OPTIONS);
  router.get('/health/live', (ctx) => {
    setJsonBody(ctx, { status: 'ok' });
  });
  router.get('/health/ready', async (ctx) => {
    if (readiness.draining()) {
      ctx.status = 503;
      setJsonBody(ctx, { status: 'draining' });
      return;
    }
    const results = await Promise.all(
      readiness.checks.map(async (check) => {
        const result = await run(check);
        const optional = check.required === false;
        return {
          name: check.name,
          shown: optional && result !== 'ok' ? 'degraded' : result,
          fatal: !optional && result !== 'ok',
        };
      }),
    );
    const unavailable = results.some((r) => r.fatal);
    const degraded = results.some((r) => r.shown === 'degraded');
    ctx.status = unavailable ? 503 : 200;
    setJsonBody(ctx, {
      status: unavailable ? 'unavailable' : degraded ? 'degraded' : 'ok',
      checks: Object.fromEntries(results.map((r) => [r.name, r.shown])),
    });
  });
  router.get('/metrics', async (ctx) => {
    const { contentType, body } = await metrics.scrape();
    ctx.type = contentType;
    ctx.body = body;
  });
  return router;
}
