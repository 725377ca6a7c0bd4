/**
 * Prometheus metrics: a request counter and a latency histogram by method, route template and
 * status, plus the process metrics of prom-client. Process metrics are collected once per
 * process; each app has its own request metrics, merged at scrape time.
 */
import type Koa from 'koa';
import { Counter, Histogram, Registry, collectDefaultMetrics } from '../metrics/prom-client.js';
import { token } from '../../application/ports/injection.js';

/** Metrics of the service's own work (mail), merged into the scrape. */
export const MAIL_METRICS = token<Registry>('MailMetrics');

let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class HttpMetrics {
  private readonly registry = new Registry();

  /** `others`: registries of the service's own metrics, merged into every scrape. */
  constructor(private readonly others: readonly Registry[] = []) {}

  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Times every request; unmatched paths share one label so that scanners cannot add series. */
  middleware(): Koa.Middleware {
    return async (ctx, next) => {
      const started = process.hrtime.bigint();
      try {
        await next();
      } finally {
        const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
        const labels = { method: ctx.method, route, status: String(ctx.status) };
        this.requests.inc(labels);
        this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      }
    };
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([processMetrics(), this.registry, ...this.others]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}
