/**
 * The documentation, served without reaching the internet: `/openapi.json`, Swagger UI at
 * `/docs` (from swagger-ui-dist; its Authorize button signs in through the OAuth2 password
 * flow) and ReDoc at `/redoc` (redoc's standalone bundle, copied into `assets/` beside this
 * module by `npm run build`, so redoc is only a build-time package). Pages load only local scripts,
 * none inline, so a strict Content-Security-Policy holds.
 */
import { Router } from './kit/router.js';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_TABLE, type ErrorKind, problemType } from './kit/errors.js';
import type { PlainRouteDoc } from './kit/openapi/document.js';
import { setJsonBody } from './kit/json-body.js';
import { ROUTER_OPTIONS } from './kit/route.js';

const require = createRequire(import.meta.url);
const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
const REDOC_BUNDLE = fileURLToPath(new URL('./assets/redoc.standalone.js', import.meta.url));

const SWAGGER_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'oauth2-redirect.html': 'text/html; charset=utf-8',
  'oauth2-redirect.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const page = (title: string, head: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;

const SWAGGER_PAGE = page(
  'User Management API: Swagger UI',
  '<link rel="stylesheet" href="/docs/swagger-ui.css">\n<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">',
  '<div id="swagger-ui"></div>\n<script src="/docs/swagger-ui-bundle.js"></script>\n<script src="/docs/swagger-ui-standalone-preset.js"></script>\n<script src="/docs/init.js"></script>',
);

const SWAGGER_INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'BaseLayout',
  oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect.html',
  persistAuthorization: false,
  tryItOutEnabled: true,
});
`;

const REDOC_PAGE = page(
  'User Management API: ReDoc',
  '<style>body { margin: 0; padding: 0; }</style>',
  '<redoc spec-url="/openapi.json" hide-download-button="false"></redoc>\n<script src="/redoc/redoc.standalone.js"></script>',
);

const files = new Map<string, Promise<Buffer>>();
const cached = (path: string) => {
  let file = files.get(path);
  if (file === undefined) {
    file = readFile(path);
    files.set(path, file);
  }
  return file;
};

const ONE_DAY = 'public, max-age=86400';

/** Where a newcomer goes from `/`. */
const INDEX_LINKS = {
  docs: '/docs',
  redoc: '/redoc',
  openapi: '/openapi.json',
  health: '/health/ready',
} as const;

const linkSchema = { type: 'string', maxLength: 100 } as const;

export const DOCS_ROUTES: readonly PlainRouteDoc[] = [
  {
    operationId: 'getIndex',
    method: 'GET',
    path: '/',
    tag: 'Documentation',
    summary: 'Where to start',
    description:
      'The name and version of the API, and the paths of its documentation, its OpenAPI document and its readiness check.',
    responses: {
      200: {
        description: 'An index of the service',
        schema: {
          type: 'object',
          required: ['name', 'version', 'links'],
          properties: {
            name: { type: 'string', maxLength: 100 },
            version: { type: 'string', maxLength: 50 },
            links: {
              type: 'object',
              required: Object.keys(INDEX_LINKS),
              properties: Object.fromEntries(
                Object.keys(INDEX_LINKS).map((name) => [name, linkSchema]),
              ),
            },
          },
        },
      },
    },
  },
  {
    operationId: 'getOpenApiDocument',
    method: 'GET',
    path: '/openapi.json',
    tag: 'Documentation',
    summary: 'This document',
    description:
      'The OpenAPI 3.1 document, generated from the route table and the codecs that validate requests.',
    responses: { 200: { description: 'The OpenAPI document', schema: { type: 'object' } } },
  },
  {
    operationId: 'getSwaggerUi',
    method: 'GET',
    path: '/docs',
    tag: 'Documentation',
    summary: 'Swagger UI',
    description: 'Interactive documentation; Authorize signs in with the OAuth2 password flow.',
    responses: {
      200: {
        description: 'An HTML page',
        contentType: 'text/html',
        schema: { type: 'string', maxLength: 100000 },
      },
    },
  },
  {
    operationId: 'getRedoc',
    method: 'GET',
    path: '/redoc',
    tag: 'Documentation',
    summary: 'ReDoc',
    description: 'The reference documentation, rendered by ReDoc.',
    responses: {
      200: {
        description: 'An HTML page',
        contentType: 'text/html',
        schema: { type: 'string', maxLength: 100000 },
      },
    },
  },
  {
    operationId: 'getProblemType',
    method: 'GET',
    path: '/problems/{kind}',
    tag: 'Documentation',
    summary: 'A problem type of API v2',
    description:
      'What a `type` of an RFC 9457 problem means (the `type` URIs of version 2 errors point here).',
    parameters: [
      {
        name: 'kind',
        in: 'path',
        required: true,
        description: 'The last segment of a problem `type`',
        schema: {
          type: 'string',
          enum: Object.keys(ERROR_TABLE).map((kind) => kind.replaceAll('_', '-')),
        },
      },
    ],
    responses: {
      200: {
        description: 'The problem type',
        schema: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string', maxLength: 200 },
            title: { type: 'string', maxLength: 200 },
            status: { type: 'integer', format: 'int32', minimum: 400, maximum: 599 },
          },
        },
      },
      404: { description: 'No such problem type' },
    },
  },
];

/** The router for the documentation; `document` is built once at start. */
export function docsRouter(document: Record<string, unknown>): Router {
  const router = new Router(ROUTER_OPTIONS);
  const json = JSON.stringify(document);
  const info = (document['info'] ?? {}) as { title?: string; version?: string };
  const index = { name: info.title ?? '', version: info.version ?? '', links: INDEX_LINKS };
  router.get('/', (ctx) => {
    setJsonBody(ctx, index);
  });
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = json;
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = SWAGGER_PAGE;
  });
  router.get('/docs/init.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = SWAGGER_INIT;
  });
  router.get('/docs/:file', async (ctx, next) => {
    const type = SWAGGER_FILES[ctx.params['file'] ?? ''];
    if (type === undefined) return next();
    ctx.type = type;
    ctx.set('Cache-Control', ONE_DAY);
    ctx.body = await cached(join(SWAGGER_DIR, ctx.params['file']!));
  });
  router.get('/redoc', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = REDOC_PAGE;
  });
  router.get('/redoc/redoc.standalone.js', async (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', ONE_DAY);
    ctx.body = await cached(REDOC_BUNDLE);
  });
  router.get('/problems/:kind', (ctx, next) => {
    const kind = (ctx.params['kind'] ?? '').replaceAll('-', '_') as ErrorKind;
    const entry = Object.hasOwn(ERROR_TABLE, kind) ? ERROR_TABLE[kind] : undefined;
    if (entry === undefined) return next();
    setJsonBody(ctx, {
      type: problemType(kind),
      title: entry.title,
      status: entry.status,
      error: entry.name,
    });
  });
  return router;
}
