/** The response headers the document describes once under components and refers to by name. */
import type { JsonSchema } from '../codecs/codec.js';
import { IDEMPOTENCY_DOC, IDEMPOTENT_REPLAYED_HEADER } from '../idempotency.js';

export const HEADERS: Record<string, { description: string; schema: JsonSchema }> = {
  'X-Request-Id': {
    description: "The caller's request id when it sent a safe one, otherwise a new UUID",
    schema: { type: 'string', maxLength: 128 },
  },
  Location: {
    description: 'Where the new resource lives',
    schema: { type: 'string', maxLength: 2000 },
  },
  ETag: {
    description: 'The version of the resource, for If-None-Match and If-Match',
    schema: { type: 'string', maxLength: 40 },
  },
  Link: {
    description: 'RFC 8288 links to other pages',
    schema: { type: 'string', maxLength: 20000 },
  },
  'Cache-Control': {
    description: 'How long a cache may keep the answer, if at all',
    schema: { type: 'string', maxLength: 100 },
  },
  'Content-Disposition': {
    description: 'A download: `attachment` with a file name',
    schema: { type: 'string', maxLength: 200 },
  },
  Allow: {
    description: 'The methods the path supports',
    schema: { type: 'string', maxLength: 100 },
  },
  'WWW-Authenticate': {
    description: 'The authentication scheme: Bearer',
    schema: { type: 'string', maxLength: 200 },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86400 },
  },
  [IDEMPOTENT_REPLAYED_HEADER]: IDEMPOTENCY_DOC.header,
  'RateLimit-Limit': {
    description:
      "Requests a client may make per window (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_S seconds): the signed-in user's budget, or the address's without a valid token",
    schema: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window, this one counted',
    schema: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the current window ends and the budget is whole again',
    schema: { type: 'integer', minimum: 1, maximum: 86400 },
  },
};

/** On every response of the versioned API, errors included (health, metrics and the documentation are not limited). */
export const RATE_LIMIT_HEADERS = [
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
] as const;

export const headerRefs = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

/** The headers the paths refer to, as the components section describes them. */
export function usedHeaders(paths: unknown): Record<string, unknown> {
  const used = JSON.stringify(paths);
  return Object.fromEntries(
    Object.entries(HEADERS)
      .filter(([name]) => used.includes(`"#/components/headers/${name}"`))
      .map(([name, h]) => [name, { description: h.description, schema: h.schema }]),
  );
}
