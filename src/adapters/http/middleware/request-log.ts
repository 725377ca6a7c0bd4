import type Koa from 'koa';
import type { Logger } from '../../../application/ports/logger.js';

/**
 * One `api_request` line per request, written once the final status is known. Only the path is
 * logged (never the query string, headers or body), so no secret reaches the log.
 */
export function requestLog(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.info('request', {
        event: 'api_request',
        method: ctx.method,
        route: (ctx as { _matchedRoute?: string })._matchedRoute ?? null,
        path: ctx.path,
        status: ctx.status,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
        user_id: ctx.state.userId ?? null,
        ip: ctx.ip,
        request_id: ctx.state.requestId,
      });
    }
  };
}
