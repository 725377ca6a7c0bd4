/**
 * What operations share: named schemas, one response per error status and version, and the tags.
 * Operations ask for them while they are built; the document lists what was asked for.
 */
import type { JsonSchema } from '../codecs/codec.js';
import {
  ERROR_TABLE,
  type ErrorKind,
  ErrorSchemaV1,
  PROBLEM_CONTENT_TYPE,
  ProblemSchema,
  errorBodyV1,
  kindOfStatus,
  problemBody,
} from '../errors.js';
import type { ApiVersion } from '../route.js';
import { RATE_LIMIT_HEADERS, headerRefs } from './headers.js';

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
    details:
      kind === 'validation' ? [{ field: 'email', message: 'Invalid email format' }] : undefined,
  };
  return version === 1 ? errorBodyV1(input) : problemBody(input);
}

const ERROR_COMPONENT = (status: number, version: ApiVersion) =>
  `${ERROR_TABLE[kindOfStatus(status)].name.replace(/Error$/, '')}V${version}`;

export class Components {
  readonly schemas: Record<string, JsonSchema> = { ErrorV1: ErrorSchemaV1, Problem: ProblemSchema };
  readonly responses: Record<string, unknown> = {};
  readonly tags = new Map<string, string>();

  /** A reference to the schema under its name; two different schemas of one name would document one of them wrong. */
  named(name: string, schema: JsonSchema): { $ref: string } {
    const before = this.schemas[name];
    if (
      before !== undefined &&
      before !== schema &&
      JSON.stringify(before) !== JSON.stringify(schema)
    ) {
      throw new Error(
        `Two different schemas are named ${name} in the OpenAPI document: give one of the codecs another name`,
      );
    }
    this.schemas[name] = schema;
    return { $ref: `#/components/schemas/${name}` };
  }

  /** `limited`: an answer of the rate-limited API, which carries the RateLimit-* headers. */
  errorResponse(status: number, version: ApiVersion, limited = true): { $ref: string } {
    const name = `${ERROR_COMPONENT(status, version)}${limited ? '' : 'Unlimited'}`;
    if (this.responses[name] === undefined) {
      const kind = kindOfStatus(status);
      const entry = ERROR_TABLE[kind];
      const example = errorExample(kind, version);
      const content =
        version === 1
          ? { 'application/json': { schema: { $ref: '#/components/schemas/ErrorV1' }, example } }
          : {
              [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' }, example },
            };
      const extra =
        status === 401
          ? ['WWW-Authenticate']
          : status === 405
            ? ['Allow']
            : status === 429 || status === 503
              ? ['Retry-After']
              : [];
      this.responses[name] = {
        description: `${entry.title} (${entry.name})`,
        headers: headerRefs(['X-Request-Id', ...(limited ? RATE_LIMIT_HEADERS : []), ...extra]),
        content,
      };
    }
    return { $ref: `#/components/responses/${name}` };
  }

  /** The tag of a versioned operation: one per tag and version. */
  versionTag(tag: string, version: ApiVersion): string {
    const name = `${tag} (v${version})`;
    this.tags.set(
      name,
      `${tag}, API version ${version}${version === 2 ? ': keyset pages and RFC 9457 problem details' : ''}. Also served without the prefix when \`X-API-Version: ${version}\` is sent${version === 1 ? ' (or none)' : ''}.`,
    );
    return name;
  }

  /** The tag of a route outside the versioned API. */
  plainTag(tag: string): string {
    this.tags.set(tag, `${tag}: outside the versioned API, not rate limited.`);
    return tag;
  }
}
