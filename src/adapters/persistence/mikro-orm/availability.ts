/**
 * When the database cannot be reached, callers get a `DomainError('unavailable')` (503
 * ServiceUnavailableError) instead of a driver error (500): the service keeps answering, readiness
 * names the database, and everything recovers without a restart when the database is back (the
 * pool opens new connections on demand).
 */
import { ConnectionException, DriverException } from '@mikro-orm/core';
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

/**
 * SQLSTATEs that the data of a statement causes, whatever else the error says: class 22 (a value
 * out of range, a byte the encoding refuses) and 08P01, which a NUL inlined into a statement's
 * text gives. They are never a lost connection.
 */
const isDataError = (code: unknown): boolean =>
  typeof code === 'string' && (code.startsWith('22') || code === '08P01');

/** Whether an error means "the database did not answer" rather than "the database said no". */
export function isConnectionFailure(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (isDataError(code)) return false;
  if (error instanceof ConnectionException) return true;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08')))
    return true;
  if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
  return isConnectionFailure(cause, depth + 1);
}

export function unavailable(cause: unknown): DomainError {
  const error = new DomainError(
    'unavailable',
    'The database is unavailable; try again shortly',
    undefined,
    { retryAfterS: 5 },
  );
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  return error;
}

/** The facts of a driver error that name no value: SQLSTATE, constraint, table, column. */
interface DriverFacts {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly table?: unknown;
  readonly column?: unknown;
  readonly message?: unknown;
  readonly name?: unknown;
}

/** An error of the driver or the database (they carry a code), as opposed to a fault of this code. */
const fromDriver = (error: unknown): boolean =>
  error instanceof DriverException ||
  (typeof error === 'object' && error !== null && typeof (error as DriverFacts).code === 'string');

const IDENTIFIER = /^[A-Za-z_][\w.$]{0,62}$/;
const identifier = (value: unknown): string | undefined =>
  typeof value === 'string' && IDENTIFIER.test(value) ? value : undefined;

/**
 * The shape of the statement a driver message starts with (`insert into "users"`), without
 * anything after the table's name: MikroORM inlines the bound values into the text it sends, so
 * the rest of the message holds them.
 */
export function statementShape(message: string): string | undefined {
  const verb = /^\s*(select|insert into|update|delete from|with)\b/i
    .exec(message)?.[1]
    ?.toLowerCase();
  if (verb === undefined) return undefined;
  const table = (
    verb === 'select' || verb === 'with'
      ? /\sfrom\s+("?[A-Za-z_][\w.]*"?)/i
      : /^\s*(?:insert into|update|delete from)\s+("?[A-Za-z_][\w.]*"?)/i
  ).exec(message)?.[1];
  return table === undefined
    ? verb
    : verb === 'select' || verb === 'with'
      ? `${verb} from ${table}`
      : `${verb} ${table}`;
}

/** A database failure as it may be logged: what failed and where, never a bound value. */
export class DatabaseFailure extends Error {
  readonly code: string | undefined;
  readonly constraint: string | undefined;

  constructor(error: unknown) {
    const facts = (typeof error === 'object' && error !== null ? error : {}) as DriverFacts;
    const code =
      typeof facts.code === 'string' && /^[0-9A-Z]{5}$/.test(facts.code) ? facts.code : undefined;
    const constraint = identifier(facts.constraint);
    const parts = [
      `Database error ${code ?? `(${identifier(facts.name) ?? 'no SQLSTATE'})`}`,
      typeof facts.message === 'string' ? statementShape(facts.message) : undefined,
      identifier(facts.table) === undefined ? undefined : `table ${identifier(facts.table)}`,
      identifier(facts.column) === undefined ? undefined : `column ${identifier(facts.column)}`,
      constraint === undefined ? undefined : `constraint ${constraint}`,
    ];
    super(parts.filter((p) => p !== undefined).join(', '));
    this.name = 'DatabaseFailure';
    this.code = code;
    this.constraint = constraint;
  }
}

/**
 * What a port's failure becomes on its way out: a lost connection is `unavailable` (503), a value
 * the database refuses is a bad request (400), anything else a `DatabaseFailure` (500). None of
 * them carries the driver's message or the driver's error, which hold the statement's values.
 * Faults of this code (a TypeError, say) pass through as they are.
 */
export function classified(error: unknown): unknown {
  if (error instanceof DomainError || error instanceof DatabaseFailure) return error;
  if (isConnectionFailure(error)) return unavailable(new DatabaseFailure(error));
  if (!fromDriver(error)) return error;
  const failure = new DatabaseFailure(error);
  if (failure.code?.startsWith('22')) {
    return new DomainError(
      'bad_request',
      'The request holds a value the database cannot store or compare',
    );
  }
  return failure;
}

/**
 * Wraps a port so that its asynchronous methods turn failures into what `classified` makes of
 * them. Domain errors pass through untouched.
 */
export function guardAvailability<T extends object>(port: T): T {
  // Each method's guard is made once, not on every call (the account check runs per request).
  const guards = new Map<
    PropertyKey,
    { method: unknown; guarded: (...args: unknown[]) => unknown }
  >();
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const known = guards.get(property);
      if (known !== undefined && known.method === value) return known.guarded;
      const guarded = function guarded(this: unknown, ...args: unknown[]) {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            throw classified(error);
          });
        }
        return result;
      };
      guards.set(property, { method: value, guarded });
      return guarded;
    },
  });
}
