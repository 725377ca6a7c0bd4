/** One operation object of the document: from a route declaration, or from a plain route's own description. */
import type { JsonSchema } from '../codecs/codec.js';
import type { ParamCodec } from '../codecs/params.js';
import { IDEMPOTENCY_DOC, IDEMPOTENT_REPLAYED_HEADER } from '../idempotency.js';
import type { AnyRouteSpec, ApiVersion, HttpMethod } from '../route.js';
import type { Components } from './components.js';
import { RATE_LIMIT_HEADERS, headerRefs } from './headers.js';

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
  readonly responses: Readonly<
    Record<number, { description: string; contentType?: string; schema?: JsonSchema }>
  >;
}

export interface DocumentInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
}

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
  if (spec.params !== undefined || spec.query !== undefined || spec.body !== undefined)
    statuses.add(400);
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

function successResponses(spec: AnyRouteSpec, components: Components): Record<string, unknown> {
  const success = spec.success;
  const content =
    success.schema === undefined
      ? undefined
      : {
          'application/json': {
            schema:
              success.name === undefined
                ? success.schema
                : components.named(success.name, success.schema),
          },
        };
  return {
    [String(success.status)]: {
      description: success.description,
      headers: headerRefs(['X-Request-Id', ...RATE_LIMIT_HEADERS, ...(success.headers ?? [])]),
      ...(content === undefined ? {} : { content }),
    },
    ...Object.fromEntries(
      (spec.errors ?? [])
        .filter((s) => s < 400)
        .map((s) => [
          String(s),
          {
            description:
              s === 304 ? 'Not modified: the If-None-Match ETag is current' : 'See the description',
            headers: headerRefs(['X-Request-Id', ...RATE_LIMIT_HEADERS, 'ETag']),
          },
        ]),
    ),
  };
}

function securityOf(auth: AnyRouteSpec['auth']): unknown[] {
  if (auth === 'required') return [{ bearerAuth: [] }, { passwordFlow: [] }];
  if (auth === 'optional') return [{}, { bearerAuth: [] }, { passwordFlow: [] }];
  return [];
}

function requestBody(
  spec: AnyRouteSpec,
  body: NonNullable<AnyRouteSpec['body']>,
  components: Components,
): Record<string, unknown> {
  const content: Record<string, unknown> = {
    'application/json': { schema: components.named(body.name, body.schema) },
  };
  if (spec.acceptsForm !== undefined)
    content['application/x-www-form-urlencoded'] = {
      schema: components.named(spec.acceptsForm.name, spec.acceptsForm.schema),
    };
  return { required: true, content };
}

/** The operation of a route declaration as one version serves it. */
export function versionedOperation(
  spec: AnyRouteSpec,
  version: ApiVersion,
  components: Components,
): Record<string, unknown> {
  const tags = [components.versionTag(spec.tag, version)];
  const responses = {
    ...successResponses(spec, components),
    ...Object.fromEntries(
      errorStatuses(spec).map((s) => [String(s), components.errorResponse(s, version)]),
    ),
  };
  const parameters: unknown[] = [
    ...parametersOf(spec.params, 'path'),
    ...parametersOf(spec.query, 'query'),
  ];
  let description = spec.description ?? spec.summary;
  if (spec.idempotent === true) {
    description = `${description}\n\n${IDEMPOTENCY_DOC.description}`;
    parameters.push(IDEMPOTENCY_DOC.parameter);
    const succeeded = responses[String(spec.success.status)] as {
      headers: Record<string, unknown>;
    };
    succeeded.headers = { ...succeeded.headers, ...headerRefs([IDEMPOTENT_REPLAYED_HEADER]) };
  }
  return {
    operationId: operationId(spec, version),
    tags,
    summary: spec.summary,
    description,
    ...(parameters.length === 0 ? {} : { parameters }),
    responses,
    security: securityOf(spec.auth),
    ...(spec.body === undefined ? {} : { requestBody: requestBody(spec, spec.body, components) }),
  };
}

/** The operation of a route outside the versioned API (health, metrics, documentation). */
export function plainOperation(
  route: PlainRouteDoc,
  components: Components,
): Record<string, unknown> {
  return {
    operationId: route.operationId,
    tags: [components.plainTag(route.tag)],
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
            ...(r.schema === undefined
              ? {}
              : { content: { [r.contentType ?? 'application/json']: { schema: r.schema } } }),
          },
        ]),
      ),
      // The error handler wraps these routes too, in version 1's shape; they are not rate limited.
      '500': components.errorResponse(500, 1, false),
    },
  };
}
