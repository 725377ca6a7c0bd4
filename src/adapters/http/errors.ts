import type { ErrorKind, FieldIssue } from '../../domain/shared/errors.js';

/** At most this many characters of the caller's input are echoed in one error message. */
export const ERROR_ECHO_MAX = 500;
/** At most this many field issues are listed in one error. */
export const ERROR_DETAILS_MAX = 100;

/** The one table from error kind to HTTP status and the `error` name of the contract. */
export const ERROR_TABLE: Readonly<Record<ErrorKind, { readonly status: number; readonly name: string; readonly title: string }>> = {
  bad_request: { status: 400, name: 'BadRequestError', title: 'Bad Request' },
  unauthorized: { status: 401, name: 'UnauthorizedError', title: 'Unauthorized' },
  forbidden: { status: 403, name: 'ForbiddenError', title: 'Forbidden' },
  not_found: { status: 404, name: 'NotFoundError', title: 'Not Found' },
  method_not_allowed: { status: 405, name: 'MethodNotAllowedError', title: 'Method Not Allowed' },
  conflict: { status: 409, name: 'ConflictError', title: 'Conflict' },
  precondition_failed: { status: 412, name: 'PreconditionFailedError', title: 'Precondition Failed' },
  payload_too_large: { status: 413, name: 'PayloadTooLargeError', title: 'Payload Too Large' },
  unsupported_media_type: { status: 415, name: 'UnsupportedMediaTypeError', title: 'Unsupported Media Type' },
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
export function errorBodyV1(input: ErrorBodyInput): Record<string, unknown> {
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
export function problemBody(input: ErrorBodyInput): Record<string, unknown> {
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
  maxItems: 1000,
  items: {
    type: 'object',
    required: ['field', 'message'],
    properties: {
      field: { type: 'string', maxLength: 200, examples: ['email'] },
      message: { type: 'string', maxLength: 500, examples: ['Invalid email format'] },
    },
  },
} as const;

export const ProblemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details (API v2).',
  required: ['type', 'title', 'status', 'detail', 'instance', 'request_id'],
  properties: {
    type: { type: 'string', format: 'uri-reference', maxLength: 200, examples: ['/problems/not-found'] },
    title: { type: 'string', maxLength: 200, examples: ['Not Found'] },
    status: { type: 'integer', format: 'int32', minimum: 400, maximum: 599, examples: [404] },
    detail: { type: 'string', maxLength: 2000, examples: ['User with id 123 not found'] },
    instance: { type: 'string', maxLength: 2000, examples: ['/api/v2/users/123'] },
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
    message: { type: 'string', maxLength: 2000, examples: ['User with id 123 not found'] },
    path: { type: 'string', maxLength: 2000, examples: ['/api/v1/users/123'] },
    request_id: { type: 'string', maxLength: 128 },
    details: FIELD_ISSUES,
  },
} as const;
