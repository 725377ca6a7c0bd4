import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import { withLogContext } from '../../logging/log-context.js';

const SAFE = /^[A-Za-z0-9._:@=+/-]{1,128}$/;

/**
 * Every response carries X-Request-Id: the caller's when it is safe, otherwise a new UUID. Every
 * log line written while the request is served carries it as `request_id`.
 */
export function requestId(): Koa.Middleware {
  return (ctx, next) => {
    const offered = ctx.get('X-Request-Id');
    const id = SAFE.test(offered) ? offered : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    return withLogContext({ request_id: id }, next);
  };
}
