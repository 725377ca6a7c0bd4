import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';
import type { Logger } from '../../../application/ports/logger.js';

const MAX_QUERY_CHARS = 2_000;

/**
 * MikroORM's logger, plus a `slow_query` warning through the service's logger for every statement
 * that takes at least `thresholdMs`. Parameters are not part of the text (MikroORM inlines them
 * only when `query-params` debugging is on), so no value reaches the log.
 */
export class SlowQueryLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    private readonly service: Logger,
    private readonly thresholdMs: number,
  ) {
    super(options);
  }

  override logQuery(context: { query: string } & LogContext): void {
    if (context.took !== undefined && context.took >= this.thresholdMs) {
      this.service.warn('slow query', {
        event: 'slow_query',
        duration_ms: context.took,
        threshold_ms: this.thresholdMs,
        connection: context.connection?.type ?? null,
        query: context.query.length > MAX_QUERY_CHARS ? `${context.query.slice(0, MAX_QUERY_CHARS)}...` : context.query,
      });
    }
    super.logQuery(context);
  }
}
