/**
 * When the database cannot be reached, callers get a `DomainError('unavailable')` (503
 * ServiceUnavailableError) instead of a driver error (500): the service keeps answering, readiness
 * names the database, and everything recovers without a restart when the database is back (the
 * pool opens new connections on demand).
 */
import { ConnectionException } from '@mikro-orm/core';
import { DomainError } from '../../../domain/shared/errors.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

const CONNECTION_MESSAGES =
  /Connection terminated|Timeout acquiring a connection|timeout exceeded when trying to connect|connection error and is not queryable|Client was closed and is not queryable|terminating connection/i;

/** Whether an error means "the database did not answer" rather than "the database said no". */
export function isConnectionFailure(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  if (error instanceof ConnectionException) return true;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
  return isConnectionFailure(cause, depth + 1);
}

export function unavailable(cause: unknown): DomainError {
  const error = new DomainError('unavailable', 'The database is unavailable; try again shortly', undefined, { retryAfterS: 5 });
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  return error;
}

/**
 * Wraps a port so that its asynchronous methods turn connection failures into `unavailable`.
 * Domain errors and every other failure pass through untouched.
 */
export function guardAvailability<T extends object>(port: T): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return function guarded(this: unknown, ...args: unknown[]) {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            throw error instanceof DomainError || !isConnectionFailure(error) ? error : unavailable(error);
          });
        }
        return result;
      };
    },
  });
}
