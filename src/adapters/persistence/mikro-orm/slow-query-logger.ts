import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';
import type { Logger } from '../../../application/ports/logger.js';

const MAX_QUERY_CHARS = 2_000;

/**
 * A statement's shape: its text with every literal (a quoted string, a number) replaced by `?`.
 * MikroORM sends bound values inlined into the text, so a text that reaches a logger may hold
 * them; the shape never does.
 */
export function queryShape(query: string): string {
  return query
    .replace(/[Ee]?'(?:[^']|'')*'?/g, '?')
    .replace(/(?<![\w$"])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w"])/g, '?');
}

/**
 * MikroORM's logger, plus a `slow_query` warning through the service's logger for every statement
 * that takes at least `thresholdMs`, logged by its shape (`queryShape`), so no value reaches the
 * log whichever way the text was formatted.
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
      const shape = queryShape(context.query);
      this.service.warn('slow query', {
        event: 'slow_query',
        duration_ms: context.took,
        threshold_ms: this.thresholdMs,
        connection: context.connection?.type ?? null,
        query: shape.length > MAX_QUERY_CHARS ? `${shape.slice(0, MAX_QUERY_CHARS)}...` : shape,
      });
    }
    super.logQuery(context);
  }
}
