/**
 * The service's own metrics, beside the per-request ones of `http/metrics.ts`: sign-ins by outcome,
 * refresh-token reuse, requests refused by the rate limit, the database pool and the Redis
 * fallback. One registry per service instance (tests run several in one process); `/metrics`
 * merges it with the others at scrape time. Gauges are read when scraped, from the sources the
 * composition root hands in.
 */
import { Counter, Gauge, Registry } from './prom-client.js';
import { token } from '../../application/ports/injection.js';

export interface PoolUse {
  readonly inUse: number;
  readonly waiting: number;
}

export interface MetricSources {
  /** The database pool now, or null for a store without one (in memory). */
  readonly pool: () => PoolUse | null;
  /** True while the state meant for Redis is kept in memory (Redis configured and not connected). */
  readonly redisFallback: () => boolean;
}

export type SignInOutcome = 'success' | 'failure' | 'locked';

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly signIns = new Counter({
    name: 'auth_sign_ins_total',
    help: 'Sign-in attempts by outcome: success, failure (wrong login or password), locked (refused by the lockout)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly reuse = new Counter({
    name: 'auth_refresh_reuse_detected_total',
    help: 'Refresh tokens presented again after they were spent (the session is revoked)',
    registers: [this.registry],
  });
  private readonly limited = new Counter({
    name: 'http_rate_limited_total',
    help: 'Requests refused with 429 by the request budget',
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    for (const outcome of ['success', 'failure', 'locked'] as const)
      this.signIns.inc({ outcome }, 0);
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    gauge(
      'db_pool_connections_in_use',
      'Database connections lent out by the pool',
      () => sources.pool()?.inUse ?? 0,
    );
    gauge(
      'db_pool_connections_waiting',
      'Requests for a database connection waiting for the pool',
      () => sources.pool()?.waiting ?? 0,
    );
    gauge(
      'redis_fallback_active',
      '1 while rate limits and the lockout are kept in memory because the configured Redis does not answer',
      () => (sources.redisFallback() ? 1 : 0),
    );
  }

  signIn(outcome: SignInOutcome): void {
    this.signIns.inc({ outcome });
  }

  refreshReuseDetected(): void {
    this.reuse.inc();
  }

  rateLimited(): void {
    this.limited.inc();
  }
}

export const SERVICE_METRICS = token<ServiceMetrics>('ServiceMetrics');
