import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Session } from '../../../domain/session/session.js';

/** A time column as epoch milliseconds, cut to the millisecond (null stays null). */
export const epochMsCut = (column: string): string =>
  `floor(extract(epoch from ${column}) * 1000)::float8`;

/**
 * Columns of `sessions` as the raw statements of the session adapters select them, under
 * `session_*` aliases so they cannot clash with the columns joined beside them.
 */
export const SESSION_SELECT = `s.id as session_id, s.user_id as session_user_id, s.created_at as session_created_at,
  s.expires_at as session_expires_at, s.revoked_at as session_revoked_at`;

/**
 * `SESSION_SELECT` with the times as epoch milliseconds (cut, not rounded, as a JavaScript Date
 * cuts a finer time), for the account check of every request: a number is cheaper to read than
 * PostgreSQL's text form of a time.
 */
export const SESSION_SELECT_MS = `s.id as session_id, s.user_id as session_user_id,
  ${epochMsCut('s.created_at')} as session_created_at, ${epochMsCut('s.expires_at')} as session_expires_at,
  ${epochMsCut('s.revoked_at')} as session_revoked_at`;

export interface SessionColumns {
  readonly session_id: string | null;
  readonly session_user_id: number | null;
  readonly session_created_at: unknown;
  readonly session_expires_at: unknown;
  readonly session_revoked_at: unknown;
}

/**
 * A time as a raw statement returns it: a Date from PGlite, a string from the PostgreSQL driver
 * (MikroORM keeps timestamps as text there), read with the platform's own parser.
 */
export function readTime(em: SqlEntityManager, value: unknown): Date {
  if (value instanceof Date) return new Date(value.getTime());
  const parsed = em.getPlatform().parseDate(value as string);
  if (!(parsed instanceof Date) || Number.isNaN(parsed.getTime()))
    throw new Error(`Unreadable time from the database: ${String(value)}`);
  return parsed;
}

/**
 * The session in a row, or null when the row has none (an outer join that found nothing); `time`
 * reads a time as the statement returned it.
 */
export function sessionFrom(row: SessionColumns, time: (value: unknown) => Date): Session | null {
  if (row.session_id === null || row.session_user_id === null) return null;
  return {
    id: row.session_id,
    userId: Number(row.session_user_id),
    createdAt: time(row.session_created_at),
    expiresAt: time(row.session_expires_at),
    revokedAt:
      row.session_revoked_at === null || row.session_revoked_at === undefined
        ? null
        : time(row.session_revoked_at),
  };
}

export const sessionOf = (em: SqlEntityManager, row: SessionColumns): Session | null =>
  sessionFrom(row, (value) => readTime(em, value));
