import type { SessionView } from '../../../application/ports/session-read-model.js';
import type { Session } from '../../../domain/session/session.js';
import { defineTable, type TableWriter } from './in-memory-database.js';

/**
 * The in-memory `sessions` and `refresh_tokens` tables, mirroring the SQL ones. The in-memory
 * database numbers every row, so the session's UUID is a column of its own (`uuid`, unique as the
 * SQL primary key is); times are epoch milliseconds.
 */
export interface SessionRow {
  readonly id: number;
  readonly uuid: string;
  readonly userId: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  /** The sign-in or the last refresh, and the user agent and address it came from. */
  readonly lastUsedAt: number;
  readonly userAgent: string | null;
  readonly ip: string | null;
}

export interface RefreshTokenRow {
  readonly id: number;
  readonly hash: string;
  readonly sessionUuid: string;
  readonly issuedAt: number;
  readonly spentAt: number | null;
}

export const SESSIONS = defineTable<SessionRow>({
  name: 'sessions',
  unique: { sessions_pkey: (row) => row.uuid },
});

export const REFRESH_TOKENS = defineTable<RefreshTokenRow>({
  name: 'refresh_tokens',
  unique: {
    refresh_tokens_pkey: (row) => row.hash,
    // The partial unique index: one unspent token per session; spent rows never collide.
    refresh_tokens_session_id_current_key: (row) =>
      row.spentAt === null ? row.sessionUuid : `spent:${row.id}`,
  },
});

export const toSession = (row: SessionRow): Session => ({
  id: row.uuid,
  userId: row.userId,
  createdAt: new Date(row.createdAt),
  expiresAt: new Date(row.expiresAt),
  revokedAt: row.revokedAt === null ? null : new Date(row.revokedAt),
});

export const toSessionView = (row: SessionRow): SessionView => ({
  ...toSession(row),
  lastUsedAt: new Date(row.lastUsedAt),
  userAgent: row.userAgent,
  ip: row.ip,
});

/** Reads rows: a writer inside a change, or the database itself (its unit's state, or the committed one). */
type RowReader = Pick<TableWriter, 'rows'>;

export function findSessionRow(reader: RowReader, uuid: string): SessionRow | undefined {
  for (const row of reader.rows(SESSIONS).values()) if (row.uuid === uuid) return row;
  return undefined;
}

/** Deletes the sessions that match and their refresh tokens, as the SQL cascade does; returns how many sessions went. */
export function deleteSessionsWhere(
  tx: TableWriter,
  matches: (row: SessionRow) => boolean,
): number {
  const doomed = new Set([...tx.rows(SESSIONS).values()].filter(matches).map((row) => row.uuid));
  if (doomed.size === 0) return 0;
  tx.deleteWhere(REFRESH_TOKENS, (token) => doomed.has(token.sessionUuid));
  return tx.deleteWhere(SESSIONS, (row) => doomed.has(row.uuid));
}

/** The cascade of deleting a user: the user's sessions and their tokens go in the same write. */
export const deleteSessionsOfUser = (tx: TableWriter, userId: number): number =>
  deleteSessionsWhere(tx, (row) => row.userId === userId);
