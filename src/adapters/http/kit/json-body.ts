import type Koa from 'koa';

/**
 * Sets a JSON response body, serialised here. Koa would serialise an object itself, but first tests
 * it against the web stream, `Blob` and fetch `Response` classes, and the first look at `Response`
 * loads Node's fetch implementation (undici) into a service that never fetches (decision 0078).
 * A Content-Type already set (problem+json) is kept, as Koa keeps it.
 */
export function setJsonBody(ctx: Koa.Context, body: unknown): void {
  if (!ctx.res.hasHeader('Content-Type')) ctx.type = 'json';
  ctx.body = JSON.stringify(body);
}
