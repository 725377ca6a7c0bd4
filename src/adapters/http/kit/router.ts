import { createRequire } from 'node:module';
import type KoaRouter from '@koa/router';

/**
 * `@koa/router`, from its CommonJS build. Its ES module build imports `node:http` as a module, and
 * Node builds that module's namespace by reading every export, `http.WebSocket` among them, which
 * loads Node's fetch implementation (undici) at start (decision 0078).
 */
export const Router: typeof KoaRouter = createRequire(import.meta.url)('@koa/router');
export type Router = KoaRouter;
