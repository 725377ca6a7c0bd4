/**
 * Errors of the core carry a stable kind. The HTTP adapter maps each kind to a status from one
 * table; the core never knows status codes nor the kinds only HTTP has (method, body size, media type).
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'validation'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details?: readonly FieldIssue[],
    /** Extra facts an adapter may need (for example seconds until a lock ends). */
    readonly meta?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (message: string): DomainError => new DomainError('not_found', message);
export const forbidden = (message: string): DomainError => new DomainError('forbidden', message);
export const conflict = (message: string): DomainError => new DomainError('conflict', message);
export const unauthorized = (message: string): DomainError =>
  new DomainError('unauthorized', message);
export const badRequest = (message: string): DomainError => new DomainError('bad_request', message);
export const validationFailed = (details: readonly FieldIssue[]): DomainError =>
  new DomainError('validation', 'Request validation failed', details);
