/**
 * The OpenAPI 3.1 document, generated from the route table and the codecs that validate requests,
 * so it cannot drift from the code. Each operation appears once per version prefix; the
 * unprefixed, header-versioned paths are described once, in the document's description.
 */
import { API_VERSIONS, specFor, type AnyRouteSpec } from '../route.js';
import { Components } from './components.js';
import { usedHeaders } from './headers.js';
import { plainOperation, versionedOperation, type PlainRouteDoc } from './operations.js';

export type { PlainRouteDoc } from './operations.js';
export { errorStatuses } from './operations.js';

export interface DocumentInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
}

const openApiPath = (prefix: string, path: string) => `${prefix}${path}`.replace(/:(\w+)/g, '{$1}');

export function buildOpenApi(
  info: DocumentInfo,
  routes: readonly AnyRouteSpec[],
  plain: readonly PlainRouteDoc[],
): Record<string, unknown> {
  const components = new Components();
  const paths: Record<string, Record<string, unknown>> = {};
  const add = (path: string, method: string, operation: Record<string, unknown>) => {
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation };
  };
  for (const version of API_VERSIONS) {
    for (const base of routes) {
      const spec = specFor(base, version);
      add(
        openApiPath(`/api/v${version}`, spec.path),
        spec.method,
        versionedOperation(spec, version, components),
      );
    }
  }
  for (const route of plain) add(route.path, route.method, plainOperation(route, components));
  const hasRefresh = routes.some((r) => r.method === 'POST' && r.path === '/auth/refresh');
  return withIntegerFormats(documentOf(info, paths, components, hasRefresh)) as Record<
    string,
    unknown
  >;
}

function documentOf(
  info: DocumentInfo,
  paths: Record<string, unknown>,
  components: Components,
  hasRefresh: boolean,
): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: info.description,
      license: { name: 'MIT', identifier: 'MIT' },
      contact: { name: 'User Management API maintainers' },
    },
    servers: [{ url: '/', description: 'This server', 'x-internal': false }],
    tags: [...components.tags.entries()].map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: components.schemas,
      responses: components.responses,
      headers: usedHeaders({ paths, responses: components.responses }),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'PASETO v4.public',
          description: 'An access token from POST /api/v1/auth/token',
        },
        passwordFlow: {
          type: 'oauth2',
          description: 'The OAuth2 password flow: sign in with a username (or email) and password',
          flows: {
            password: {
              tokenUrl: '/api/v1/auth/token',
              ...(hasRefresh ? { refreshUrl: '/api/v1/auth/refresh' } : {}),
              scopes: {},
            },
          },
        },
      },
    },
  };
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** Every integer says how wide it is: int32 when its bounds fit, int64 otherwise (a copy; the codecs' schemas stay as they are). */
function withIntegerFormats(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withIntegerFormats);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, withIntegerFormats(value)]),
  );
  const type = copy['type'];
  if (
    (type === 'integer' || (Array.isArray(type) && type.includes('integer'))) &&
    copy['format'] === undefined
  ) {
    const { minimum: min, maximum: max } = copy;
    copy['format'] =
      typeof min === 'number' && typeof max === 'number' && min >= INT32.min && max <= INT32.max
        ? 'int32'
        : 'int64';
  }
  return copy;
}
