import Router from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import type { DependencyContainer } from 'tsyringe';
import { DomainError } from '../../domain/shared/errors.js';
import { CommandBus, QueryBus } from '../../application/bus.js';
import { LOGGER, type Logger } from '../../application/ports/logger.js';
import { HTTP_OPTIONS, type HttpOptions } from './http-options.js';
import { errorHandler, unmatched } from './middleware/error-handler.js';
import { requestId } from './middleware/request-id.js';
import { requestLog } from './middleware/request-log.js';
import { routeMiddleware, type RouteDeps, type RouteSpec } from './route.js';
import { authRoutes } from './routes/auth.routes.js';
import { userRoutes } from './routes/users.routes.js';

/** Every route of the API, relative to a version prefix. */
export const apiRoutes: readonly RouteSpec<any, any, any>[] = [...authRoutes, ...userRoutes];

export const API_VERSIONS = [1] as const;

function bodyReader(limit: number): RouteDeps['parseBody'] {
  const parser = bodyParser({ enableTypes: ['json', 'form'], jsonLimit: `${limit}b`, formLimit: `${limit}b`, strict: false });
  return async (ctx) => {
    try {
      await parser(ctx, async () => undefined);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 413) throw new DomainError('payload_too_large', `Request body exceeds the limit of ${limit} bytes`);
      if (status === 415) throw new DomainError('unsupported_media_type', 'Unsupported request body encoding');
      throw new DomainError('bad_request', 'Malformed JSON in request body');
    }
  };
}

/** Builds the Koa app from a container holding the buses, the logger and the HTTP options. */
export function buildApp(container: DependencyContainer): Koa {
  const options = container.resolve<HttpOptions>(HTTP_OPTIONS);
  const logger = container.resolve<Logger>(LOGGER);
  const deps: RouteDeps = {
    commands: container.resolve(CommandBus),
    queries: container.resolve(QueryBus),
    parseBody: bodyReader(options.bodyLimitBytes),
  };

  const app = new Koa({ proxy: options.trustProxy });
  app.silent = true;
  app.use(requestId());
  app.use(requestLog(logger));
  app.use(async (ctx, next) => {
    ctx.state.apiVersion = 1;
    ctx.state.apiBase = '/api/v1';
    await next();
  });
  app.use(errorHandler(logger));
  app.use(unmatched());

  const health = new Router();
  health.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  app.use(health.routes()).use(health.allowedMethods());

  for (const version of API_VERSIONS) {
    const router = new Router({ prefix: `/api/v${version}` });
    for (const spec of apiRoutes) {
      router.register(spec.path, [spec.method], routeMiddleware(spec, deps));
    }
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}
