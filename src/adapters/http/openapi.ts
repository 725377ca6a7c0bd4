/**
 * The OpenAPI 3.1 document, generated from the route table and the codecs that validate requests,
 * so it cannot drift from the code. Each operation appears once per version prefix; the
 * unprefixed, header-versioned paths are described once, in the document's description.
 */
import { ERROR_TABLE, type ErrorKind, ErrorSchemaV1, PROBLEM_CONTENT_TYPE, ProblemSchema, errorBodyV1, kindOfStatus, problemBody } from './errors.js';
import type { JsonSchema } from './codecs/codec.js';
import type { ParamCodec } from './codecs/params.js';
import { IDEMPOTENCY_DOC, IDEMPOTENT_REPLAYED_HEADER } from './idempotency.js';
import { API_VERSIONS, specFor, type AnyRouteSpec, type ApiVersion, type HttpMethod } from './route.js';

/** A route outside the versioned API (health, metrics, documentation). */
export interface PlainRouteDoc {
  readonly operationId: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly description: string;
  /** Path parameters, as OpenAPI parameter objects. */
  readonly parameters?: readonly Record<string, unknown>[];
  readonly responses: Readonly<Record<number, { description: string; contentType?: string; schema?: JsonSchema }>>;
}

export interface DocumentInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
}

/** A message of the service for each kind of error, so each error response shows its own example. */
const EXAMPLE_MESSAGES: Readonly<Record<ErrorKind, string>> = {
  bad_request: 'Malformed JSON in request body',
  unauthorized: 'Invalid token',
  forbidden: 'Insufficient permissions. Required role: admin',
  not_found: 'User with id 123 not found',
  method_not_allowed: 'Method DELETE is not allowed on /api/v1/users/123/orders/7',
  conflict: 'Email already registered',
  precondition_failed: 'The resource has changed since it was read (If-Match does not match)',
  payload_too_large: 'Request body exceeds the limit of 102400 bytes',
  unsupported_media_type: 'Content-Type must be application/json',
  validation: 'Request validation failed',
  rate_limited: 'Rate limit exceeded: 100 requests per 60 seconds. Try again in 17 seconds.',
  internal: 'Internal server error',
  unavailable: 'The database is unavailable; try again shortly',
};

/** The body an error of this kind has in this version, as the error handler writes it. */
function errorExample(kind: ErrorKind, version: ApiVersion): Record<string, unknown> {
  const input = {
    kind,
    message: EXAMPLE_MESSAGES[kind],
    path: `/api/v${version}/users/123`,
    requestId: '0b4f7a52-8d8e-4c54-9a49-1f0e6f1c2d3e',
    details: kind === 'validation' ? [{ field: 'email', message: 'Invalid email format' }] : undefined,
  };
  return version === 1 ? errorBodyV1(input) : problemBody(input);
}

const HEADERS: Record<string, { description: string; schema: JsonSchema }> = {
  'X-Request-Id': { description: "The caller's request id when it sent a safe one, otherwise a new UUID", schema: { type: 'string', maxLength: 128 } },
  Location: { description: 'Where the new resource lives', schema: { type: 'string', maxLength: 2000 } },
  ETag: { description: 'The version of the resource, for If-None-Match and If-Match', schema: { type: 'string', maxLength: 40 } },
  Link: { description: 'RFC 8288 links to other pages', schema: { type: 'string', maxLength: 20000 } },
  'Cache-Control': { description: 'How long a cache may keep the answer, if at all', schema: { type: 'string', maxLength: 100 } },
  'Content-Disposition': { description: 'A download: `attachment` with a file name', schema: { type: 'string', maxLength: 200 } },
  Allow: { description: 'The methods the path supports', schema: { type: 'string', maxLength: 100 } },
  'WWW-Authenticate': { description: 'The authentication scheme: Bearer', schema: { type: 'string', maxLength: 200 } },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86400 } },
  [IDEMPOTENT_REPLAYED_HEADER]: IDEMPOTENCY_DOC.header,
  'RateLimit-Limit': {
    description: "Requests a client may make per window (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_S seconds): the signed-in user's budget, or the address's without a valid token",
    schema: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
  'RateLimit-Remaining': { description: 'Requests left in the current window, this one counted', schema: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
  'RateLimit-Reset': { description: 'Seconds until the current window ends and the budget is whole again', schema: { type: 'integer', minimum: 1, maximum: 86400 } },
};

/** On every response of the versioned API, errors included (health, metrics and the documentation are not limited). */
const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const;

const headerRefs = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

const openApiPath = (prefix: string, path: string) => `${prefix}${path}`.replace(/:(\w+)/g, '{$1}');

function operationId(spec: AnyRouteSpec, version: ApiVersion): string {
  const base =
    spec.operationId ??
    `${spec.method.toLowerCase()}${spec.path.replace(/[/:]+(\w)/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`;
  return `${base}V${version}`;
}

/** The error statuses a declaration implies, plus those it names. */
export function errorStatuses(spec: AnyRouteSpec): number[] {
  // Every operation reaches the database: 503 while it is unavailable.
  // Every operation is rate limited: 429 over the budget.
  const statuses = new Set<number>([429, 500, 503]);
  if (spec.params !== undefined || spec.query !== undefined || spec.body !== undefined) statuses.add(400);
  if (spec.auth !== 'public') statuses.add(401);
  if (spec.auth !== 'public' || spec.restricted !== undefined) statuses.add(403);
  if (spec.params !== undefined || spec.load !== undefined) statuses.add(404);
  if (spec.body !== undefined) for (const status of [413, 415, 422]) statuses.add(status);
  // Idempotency-Key: 409 while the first request with the key is in flight (422 and 400 come with the body).
  if (spec.idempotent === true) statuses.add(409);
  for (const status of spec.errors ?? []) if (status >= 400) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

function parametersOf(codec: ParamCodec<unknown> | undefined, where: 'path' | 'query') {
  if (codec === undefined) return [];
  return Object.entries(codec.parameters).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' ? true : p.required,
    ...(p.description === undefined ? {} : { description: p.description }),
    schema: p.schema,
  }));
}

const ERROR_COMPONENT = (status: number, version: ApiVersion) => `${ERROR_TABLE[kindOfStatus(status)].name.replace(/Error$/, '')}V${version}`;

export function buildOpenApi(info: DocumentInfo, routes: readonly AnyRouteSpec[], plain: readonly PlainRouteDoc[]): Record<string, unknown> {
  const schemas: Record<string, JsonSchema> = { ErrorV1: ErrorSchemaV1, Problem: ProblemSchema };
  const responses: Record<string, unknown> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Map<string, string>();

  // Two codecs of one name would otherwise overwrite each other's schema, and one of them would be documented wrong.
  const named = (name: string, schema: JsonSchema) => {
    const before = schemas[name];
    if (before !== undefined && before !== schema && JSON.stringify(before) !== JSON.stringify(schema)) {
      throw new Error(`Two different schemas are named ${name} in the OpenAPI document: give one of the codecs another name`);
    }
    schemas[name] = schema;
    return { $ref: `#/components/schemas/${name}` };
  };

  /** `limited`: an answer of the rate-limited API, which carries the RateLimit-* headers. */
  const errorResponse = (status: number, version: ApiVersion, limited = true) => {
    const name = `${ERROR_COMPONENT(status, version)}${limited ? '' : 'Unlimited'}`;
    if (responses[name] === undefined) {
      const kind = kindOfStatus(status);
      const entry = ERROR_TABLE[kind];
      const example = errorExample(kind, version);
      const content =
        version === 1
          ? { 'application/json': { schema: { $ref: '#/components/schemas/ErrorV1' }, example } }
          : { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' }, example } };
      const extra = status === 401 ? ['WWW-Authenticate'] : status === 405 ? ['Allow'] : status === 429 || status === 503 ? ['Retry-After'] : [];
      responses[name] = {
        description: `${entry.title} (${entry.name})`,
        headers: headerRefs(['X-Request-Id', ...(limited ? RATE_LIMIT_HEADERS : []), ...extra]),
        content,
      };
    }
    return { $ref: `#/components/responses/${name}` };
  };

  const tagFor = (tag: string, version: ApiVersion) => {
    const name = `${tag} (v${version})`;
    tags.set(
      name,
      `${tag}, API version ${version}${version === 2 ? ': keyset pages and RFC 9457 problem details' : ''}. Also served without the prefix when \`X-API-Version: ${version}\` is sent${version === 1 ? ' (or none)' : ''}.`,
    );
    return name;
  };

  for (const version of API_VERSIONS) {
    for (const base of routes) {
      const spec = specFor(base, version);
      const path = openApiPath(`/api/v${version}`, spec.path);
      const success = spec.success;
      const successContent =
        success.schema === undefined
          ? undefined
          : { 'application/json': { schema: success.name === undefined ? success.schema : named(success.name, success.schema) } };
      const operation: Record<string, unknown> = {
        operationId: operationId(spec, version),
        tags: [tagFor(spec.tag, version)],
        summary: spec.summary,
        description: spec.description ?? spec.summary,
        parameters: [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')],
        responses: {
          [String(success.status)]: {
            description: success.description,
            headers: headerRefs(['X-Request-Id', ...RATE_LIMIT_HEADERS, ...(success.headers ?? [])]),
            ...(successContent === undefined ? {} : { content: successContent }),
          },
          ...Object.fromEntries(
            (spec.errors ?? [])
              .filter((s) => s < 400)
              .map((s) => [String(s), { description: s === 304 ? 'Not modified: the If-None-Match ETag is current' : 'See the description', headers: headerRefs(['X-Request-Id', ...RATE_LIMIT_HEADERS, 'ETag']) }]),
          ),
          ...Object.fromEntries(errorStatuses(spec).map((s) => [String(s), errorResponse(s, version)])),
        },
        security:
          spec.auth === 'required'
            ? [{ bearerAuth: [] }, { passwordFlow: [] }]
            : spec.auth === 'optional'
              ? [{}, { bearerAuth: [] }, { passwordFlow: [] }]
              : [],
      };
      if (spec.idempotent === true) {
        operation['description'] = `${String(operation['description'])}\n\n${IDEMPOTENCY_DOC.description}`;
        (operation['parameters'] as unknown[]).push(IDEMPOTENCY_DOC.parameter);
        const succeeded = (operation['responses'] as Record<string, { headers: Record<string, unknown> }>)[String(success.status)]!;
        succeeded.headers = { ...succeeded.headers, ...headerRefs([IDEMPOTENT_REPLAYED_HEADER]) };
      }
      if ((operation['parameters'] as unknown[]).length === 0) delete operation['parameters'];
      if (spec.body !== undefined) {
        const content: Record<string, unknown> = { 'application/json': { schema: named(spec.body.name, spec.body.schema) } };
        if (spec.acceptsForm !== undefined) content['application/x-www-form-urlencoded'] = { schema: named(spec.acceptsForm.name, spec.acceptsForm.schema) };
        operation['requestBody'] = { required: true, content };
      }
      paths[path] = { ...paths[path], [spec.method.toLowerCase()]: operation };
    }
  }

  for (const route of plain) {
    tags.set(route.tag, `${route.tag}: outside the versioned API, not rate limited.`);
    const item = paths[route.path] ?? {};
    paths[route.path] = item;
    item[route.method.toLowerCase()] = {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      description: route.description,
      ...(route.parameters === undefined ? {} : { parameters: route.parameters }),
      security: [],
      responses: {
        ...Object.fromEntries(
          Object.entries(route.responses).map(([status, r]) => [
            status,
            {
              description: r.description,
              headers: headerRefs(['X-Request-Id']),
              ...(r.schema === undefined ? {} : { content: { [r.contentType ?? 'application/json']: { schema: r.schema } } }),
            },
          ]),
        ),
        // The error handler wraps these routes too, in version 1's shape; they are not rate limited.
        '500': errorResponse(500, 1, false),
      },
    };
  }

  const refresh = routes.find((r) => r.method === 'POST' && r.path === '/auth/refresh');
  const used = JSON.stringify({ paths, responses });

  return withIntegerFormats({
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: info.description,
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
      contact: { name: 'User Management API maintainers' },
    },
    servers: [{ url: '/', description: 'This server', 'x-internal': false }],
    tags: [...tags.entries()].map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas,
      responses,
      headers: Object.fromEntries(
        Object.entries(HEADERS)
          .filter(([name]) => used.includes(`"#/components/headers/${name}"`))
          .map(([name, h]) => [name, { description: h.description, schema: h.schema }]),
      ),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'PASETO v4.public', description: 'An access token from POST /api/v1/auth/token' },
        passwordFlow: {
          type: 'oauth2',
          description: 'The OAuth2 password flow: sign in with a username (or email) and password',
          flows: { password: { tokenUrl: '/api/v1/auth/token', ...(refresh === undefined ? {} : { refreshUrl: '/api/v1/auth/refresh' }), scopes: {} } },
        },
      },
    },
  }) as Record<string, unknown>;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** Every integer says how wide it is: int32 when its bounds fit, int64 otherwise (a copy; the codecs' schemas stay as they are). */
function withIntegerFormats(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withIntegerFormats);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withIntegerFormats(value)]));
  const type = copy['type'];
  if ((type === 'integer' || (Array.isArray(type) && type.includes('integer'))) && copy['format'] === undefined) {
    const { minimum: min, maximum: max } = copy;
    copy['format'] = typeof min === 'number' && typeof max === 'number' && min >= INT32.min && max <= INT32.max ? 'int32' : 'int64';
  }
  return copy;
}
