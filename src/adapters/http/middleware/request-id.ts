import { randomUUID } from 'node:crypto';
import type Koa from 'koa';

const SAFE = /^[A-Za-z0-9._:@=+/-]{1,128}$/;

/** Every response carries X-Request-Id: the caller's when it is safe, otherwise a new UUID. */
export function requestId(): Koa.Middleware {
  return async (ctx, next) => {
    const offered = ctx.get('X-Request-Id');
    const id = SAFE.test(offered) ? offered : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
