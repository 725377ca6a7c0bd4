import { auditRoutes } from './routes/audit.routes.js';
import { Router } from './kit/router.js';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import helmet from 'koa-helmet';
import cors from '@koa/cors';
import type { DependencyContainer } from 'tsyringe';
import { DomainError } from '../../domain/shared/errors.js';
import { CommandBus, QueryBus } from '../../application/bus.js';
import {
  IDEMPOTENCY_STORE,
  type IdempotencyStore,
} from '../../application/ports/idempotency-store.js';
import { LOGGER, type Logger } from '../../application/ports/logger.js';
import { RATE_LIMITER, type RateLimiter } from '../../application/ports/rate-limiter.js';
import { TOKEN_VERIFIER, type TokenVerifier } from '../../application/ports/tokens.js';
import { HttpError } from './kit/errors.js';
import { HTTP_OPTIONS, type HttpOptions } from './http-options.js';
import { errorHandler, unmatched } from './middleware/error-handler.js';
import { requestId } from './middleware/request-id.js';
import { requestLog } from './middleware/request-log.js';
import { rateLimit } from './middleware/rate-limit.js';
import { CursorCodec } from './kit/cursor.js';
import { DOCS_ROUTES, docsRouter } from './docs.js';
import { PAGE_ROUTES, pagesRouter } from './pages.js';
import { HEALTH_ROUTES, READINESS, healthRouter, type Readiness } from './health.js';
import { HttpMetrics, MAIL_METRICS } from './metrics.js';
import { SERVICE_METRICS, type ServiceMetrics } from '../metrics/service-metrics.js';
import { IdempotentRequests } from './kit/idempotency.js';
import { apiVersion } from './middleware/api-version.js';
import { buildOpenApi } from './kit/openapi/document.js';
import { routeMiddleware, type RouteDeps } from './kit/pipeline.js';
import {
  API_VERSIONS,
  ROUTER_OPTIONS,
  specFor,
  type AnyRouteSpec,
  type ApiVersion,
} from './kit/route.js';
import { accountRoutes } from './routes/account.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { mailRoutes } from './routes/mail.routes.js';
import { orderRoutes } from './routes/orders.routes.js';
import { userRoutes } from './routes/users.routes.js';

/** Every route of the API, relative to a version prefix. */
export const apiRoutes: readonly AnyRouteSpec[] = [
  ...authRoutes,
  ...mailRoutes,
  ...accountRoutes,
  ...userRoutes,
  ...orderRoutes,
  ...auditRoutes,
];

/** Answered the same by every version, and never rate limited: `/` and the paths below. */
const UNVERSIONED =
  /^\/((health|metrics|openapi\.json|docs|redoc|problems|verify-email|reset-password|pages)(\/|$)|$)/;

const DOCUMENT_INFO = {
  title: 'User Management API',
  version: '1.0.0',
  description:
    'Users, their sign-in and their roles. Every operation is listed under `/api/v1` and `/api/v2`. Each is also served without the prefix (`/users`, `/auth/token`, ...), answering as the version the `X-API-Version` header names: 1 when the header is absent, and 400 `Unsupported API version` for any other value; those unprefixed paths are not listed a second time. Version 2 differs from 1 in two places only: lists use keyset (cursor) pagination, and errors are RFC 9457 problem details.\n\nEvery operation is rate limited: a budget of requests per window for each signed-in user (by a valid access token) and for each address otherwise, shared by every instance. Each answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds), errors included; a request over the budget is 429 with `Retry-After`. Health, metrics and this documentation are not limited.',
};

/** The OpenAPI document of the routes this app serves. */
export const openApiDocument = (): Record<string, unknown> =>
  buildOpenApi(DOCUMENT_INFO, apiRoutes, [...HEALTH_ROUTES, ...DOCS_ROUTES, ...PAGE_ROUTES]);

function bodyReader(limit: number): RouteDeps['parseBody'] {
  const parser = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: `${limit}b`,
    formLimit: `${limit}b`,
    strict: false,
  });
  return async (ctx) => {
    try {
      await parser(ctx, async () => undefined);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 413)
        throw new HttpError(
          'payload_too_large',
          `Request body exceeds the limit of ${limit} bytes`,
        );
      if (status === 415)
        throw new HttpError('unsupported_media_type', 'Unsupported request body encoding');
      throw new DomainError('bad_request', 'Malformed JSON in request body');
    }
  };
}

/**
 * Security headers (helmet). The documentation pages load only their own scripts, so the policy
 * allows no inline script; inline styles stay allowed for Swagger UI and ReDoc.
 */
function securityHeaders(): Koa.Middleware {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        // Served over plain HTTP behind TLS-terminating proxies as well: do not force https.
        upgradeInsecureRequests: null,
      },
    },
  }) as unknown as Koa.Middleware;
}

/** CORS for the listed origins only (or any, with `*`); the API's own headers are exposed. */
function corsFor(origins: readonly string[]): Koa.Middleware {
  const any = origins.includes('*');
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return any ? '*' : origins.includes(origin) ? origin : '';
    },
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: [
      'Authorization',
      'Content-Type',
      'If-Match',
      'If-None-Match',
      'Idempotency-Key',
      'X-API-Version',
      'X-Request-Id',
    ],
    exposeHeaders: [
      'X-Request-Id',
      'Location',
      'ETag',
      'Link',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Idempotent-Replayed',
    ],
    maxAge: 600,
  });
}

/** Builds the Koa app from a container holding the buses, the logger and the HTTP options. */
export function buildApp(container: DependencyContainer): Koa {
  const options = container.resolve<HttpOptions>(HTTP_OPTIONS);
  const logger = container.resolve<Logger>(LOGGER);
  const deps: RouteDeps = {
    cursors: new CursorCodec(options.cursorSecret),
    commands: container.resolve(CommandBus),
    queries: container.resolve(QueryBus),
    parseBody: bodyReader(options.bodyLimitBytes),
    idempotency: new IdempotentRequests(
      container.resolve<IdempotencyStore>(IDEMPOTENCY_STORE),
      logger,
      options.cursorSecret,
    ),
  };

  // Behind one trusted proxy (the load balancer) only the address it appended to
  // X-Forwarded-For is believed: earlier entries come from the client and can be forged.
  const app = new Koa({ proxy: options.trustProxy, maxIpsCount: 1 });
  app.silent = true;
  const serviceMetrics = container.resolve<ServiceMetrics>(SERVICE_METRICS);
  const metrics = new HttpMetrics([
    serviceMetrics.registry,
    ...(container.isRegistered(MAIL_METRICS)
      ? [container.resolve<ServiceMetrics['registry']>(MAIL_METRICS)]
      : []),
  ]);
  app.use(requestId());
  app.use(requestLog(logger));
  app.use(metrics.middleware());
  app.use(securityHeaders());
  if (options.corsOrigins.length > 0) app.use(corsFor(options.corsOrigins));
  app.use(async (ctx, next) => {
    ctx.state.apiVersion = 1;
    await next();
  });
  app.use(errorHandler(logger));
  const limits = rateLimit({
    limiter: container.resolve<RateLimiter>(RATE_LIMITER),
    tokens: container.resolve<TokenVerifier>(TOKEN_VERIFIER),
    logger,
    exempt: (path) => UNVERSIONED.test(path),
    refused: () => serviceMetrics.rateLimited(),
  });
  app.use(limits.count);
  app.use(apiVersion((path) => UNVERSIONED.test(path)));
  app.use(limits.enforce);
  app.use(unmatched());

  const health = healthRouter(container.resolve<Readiness>(READINESS), metrics);
  app.use(health.routes()).use(health.allowedMethods());

  const docs = docsRouter(openApiDocument());
  app.use(docs.routes()).use(docs.allowedMethods());

  const pages = pagesRouter();
  app.use(pages.routes()).use(pages.allowedMethods());

  // Each version under its prefix, and the unprefixed paths served by the version the
  // X-API-Version header names.
  for (const version of API_VERSIONS) {
    const router = new Router({ ...ROUTER_OPTIONS, prefix: `/api/v${version}` });
    for (const spec of apiRoutes)
      router.register(spec.path, [spec.method], routeMiddleware(specFor(spec, version), deps));
    app.use(router.routes()).use(router.allowedMethods());
  }
  const byHeader = new Router(ROUTER_OPTIONS);
  for (const spec of apiRoutes) {
    const perVersion = new Map(
      API_VERSIONS.map((v) => [v, routeMiddleware(specFor(spec, v), deps)] as const),
    );
    byHeader.register(spec.path, [spec.method], (ctx, next) =>
      perVersion.get(ctx.state.apiVersion as ApiVersion)!(ctx, next),
    );
  }
  app.use(byHeader.routes()).use(byHeader.allowedMethods());
  return app;
}
