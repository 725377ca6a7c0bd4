import type { ErrorKind as CoreErrorKind, FieldIssue } from '../../../domain/shared/errors.js';

/** Kinds of error only HTTP has: the core never sees a method, a body size or a media type. */
export type HttpOnlyErrorKind =
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type';
/** Every kind an HTTP response can carry: the core's kinds and HTTP's own. */
export type ErrorKind = CoreErrorKind | HttpOnlyErrorKind;

/** An error raised by the HTTP adapter itself, with one of the kinds only HTTP has. */
export class HttpError extends Error {
  constructor(
    readonly kind: HttpOnlyErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Errors echo the caller's input only in part: a message (and the path) holds at most this many
 * characters, a field issue's message too, and its field name a few less.
 */
export const ERROR_ECHO_MAX = 500;
const FIELD_NAME_MAX = 200;
/** At most this many field issues are listed in one error. */
export const ERROR_DETAILS_MAX = 100;

/** The text cut to `max` characters, an ellipsis marking the cut, never half a surrogate pair. */
export function clipped(text: string, max: number = ERROR_ECHO_MAX): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}\u2026`;
}

/** The input of an error body within the limits the document declares. */
function bounded(input: ErrorBodyInput): ErrorBodyInput {
  const details = input.details
    ?.slice(0, ERROR_DETAILS_MAX)
    .map((d) => ({ field: clipped(d.field, FIELD_NAME_MAX), message: clipped(d.message) }));
  const more = (input.details?.length ?? 0) - ERROR_DETAILS_MAX;
  const message =
    more > 0
      ? `${input.message} (the first ${ERROR_DETAILS_MAX} of ${ERROR_DETAILS_MAX + more} problems are listed)`
      : input.message;
  return { ...input, message: clipped(message), path: clipped(input.path), details };
}

/** The one table from error kind to HTTP status and the `error` name of the contract. */
export const ERROR_TABLE: Readonly<
  Record<ErrorKind, { readonly status: number; readonly name: string; readonly title: string }>
> = {
  bad_request: { status: 400, name: 'BadRequestError', title: 'Bad Request' },
  unauthorized: { status: 401, name: 'UnauthorizedError', title: 'Unauthorized' },
  forbidden: { status: 403, name: 'ForbiddenError', title: 'Forbidden' },
  not_found: { status: 404, name: 'NotFoundError', title: 'Not Found' },
  method_not_allowed: { status: 405, name: 'MethodNotAllowedError', title: 'Method Not Allowed' },
  conflict: { status: 409, name: 'ConflictError', title: 'Conflict' },
  precondition_failed: {
    status: 412,
    name: 'PreconditionFailedError',
    title: 'Precondition Failed',
  },
  payload_too_large: { status: 413, name: 'PayloadTooLargeError', title: 'Payload Too Large' },
  unsupported_media_type: {
    status: 415,
    name: 'UnsupportedMediaTypeError',
    title: 'Unsupported Media Type',
  },
  validation: { status: 422, name: 'ValidationError', title: 'Unprocessable Content' },
  rate_limited: { status: 429, name: 'RateLimitError', title: 'Too Many Requests' },
  internal: { status: 500, name: 'InternalServerError', title: 'Internal Server Error' },
  unavailable: { status: 503, name: 'ServiceUnavailableError', title: 'Service Unavailable' },
};

const BY_STATUS = new Map<number, ErrorKind>(
  Object.entries(ERROR_TABLE).map(([kind, entry]) => [entry.status, kind as ErrorKind]),
);

/** The kind for a status raised by a library (body parser, router); unknown 4xx are bad requests. */
export function kindOfStatus(status: number): ErrorKind {
  return BY_STATUS.get(status) ?? (status >= 400 && status < 500 ? 'bad_request' : 'internal');
}

export interface ErrorBodyInput {
  readonly kind: ErrorKind;
  readonly message: string;
  readonly path: string;
  readonly requestId: string;
  readonly details?: readonly FieldIssue[] | undefined;
}

/** Version 1's error shape: `{error, message, path, request_id, details?}`. */
export function errorBodyV1(whole: ErrorBodyInput): Record<string, unknown> {
  const input = bounded(whole);
  const body: Record<string, unknown> = {
    error: ERROR_TABLE[input.kind].name,
    message: input.message,
    path: input.path,
    request_id: input.requestId,
  };
  if (input.details !== undefined && input.details.length > 0) body['details'] = input.details;
  return body;
}

/** The `type` of a problem: a relative URI served by `GET /problems/{slug}`. */
export const problemType = (kind: ErrorKind): string => `/problems/${kind.replaceAll('_', '-')}`;

/** Version 2's error shape: RFC 9457 problem details (`application/problem+json`). */
export function problemBody(whole: ErrorBodyInput): Record<string, unknown> {
  const input = bounded(whole);
  const entry = ERROR_TABLE[input.kind];
  const body: Record<string, unknown> = {
    type: problemType(input.kind),
    title: entry.title,
    status: entry.status,
    detail: input.message,
    instance: input.path,
    request_id: input.requestId,
  };
  if (input.details !== undefined && input.details.length > 0) body['errors'] = input.details;
  return body;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const FIELD_ISSUES = {
  type: 'array',
  maxItems: ERROR_DETAILS_MAX,
  items: {
    type: 'object',
    required: ['field', 'message'],
    properties: {
      field: { type: 'string', maxLength: FIELD_NAME_MAX, examples: ['email'] },
      message: { type: 'string', maxLength: ERROR_ECHO_MAX, examples: ['Invalid email format'] },
    },
  },
} as const;

export const ProblemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details (API v2).',
  required: ['type', 'title', 'status', 'detail', 'instance', 'request_id'],
  properties: {
    type: {
      type: 'string',
      format: 'uri-reference',
      maxLength: 200,
      examples: ['/problems/not-found'],
    },
    title: { type: 'string', maxLength: 200, examples: ['Not Found'] },
    status: { type: 'integer', format: 'int32', minimum: 400, maximum: 599, examples: [404] },
    detail: { type: 'string', maxLength: ERROR_ECHO_MAX, examples: ['User with id 123 not found'] },
    instance: { type: 'string', maxLength: ERROR_ECHO_MAX, examples: ['/api/v2/users/123'] },
    request_id: { type: 'string', maxLength: 128 },
    errors: FIELD_ISSUES,
  },
} as const;

export const ErrorSchemaV1 = {
  type: 'object',
  required: ['error', 'message', 'path', 'request_id'],
  description: 'The error shape of API v1.',
  properties: {
    error: { type: 'string', maxLength: 100, examples: ['NotFoundError'] },
    message: {
      type: 'string',
      maxLength: ERROR_ECHO_MAX,
      examples: ['User with id 123 not found'],
    },
    path: { type: 'string', maxLength: ERROR_ECHO_MAX, examples: ['/api/v1/users/123'] },
    request_id: { type: 'string', maxLength: 128 },
    details: FIELD_ISSUES,
  },
} as const;
