import { randomUUID } from 'node:crypto';
import { userNotFound } from '../../../application/not-found.js';
import type {
  NewSession,
  RefreshTokenLookup,
  SessionRepository,
} from '../../../application/ports/session-repository.js';
import type { Session, SessionDevice } from '../../../domain/session/session.js';
import type { InMemoryDatabase } from './in-memory-database.js';
import {
  REFRESH_TOKENS,
  SESSIONS,
  deleteSessionsWhere,
  findSessionRow,
  toSession,
  type RefreshTokenRow,
} from './session-tables.js';
import { USERS } from './tables.js';

/**
 * Sessions in the in-memory database. Inside a unit of work the unit holds the database's writer
 * lock from start to end, which covers the row lock `findByRefreshHash` promises; each method's
 * writes are one atomic change, like the SQL adapter's statements in a savepoint.
 */
export class InMemorySessionRepository implements SessionRepository {
  constructor(private readonly db: InMemoryDatabase) {}

  start(session: NewSession, refreshHash: string): Promise<Session> {
    return this.db.write((tx) => {
      // The foreign key: no session for a user that is not there.
      if (!tx.rows(USERS).has(session.userId)) throw userNotFound(session.userId);
      const begun = session.createdAt.getTime();
      deleteSessionsWhere(
        tx,
        (row) => row.userId === session.userId && (row.revokedAt !== null || row.expiresAt < begun),
      );
      const row = tx.insert(SESSIONS, {
        uuid: randomUUID(),
        userId: session.userId,
        createdAt: begun,
        expiresAt: session.expiresAt.getTime(),
        revokedAt: null,
        lastUsedAt: begun,
        userAgent: session.device.userAgent,
        ip: session.device.ip,
      });
      tx.insert(REFRESH_TOKENS, {
        hash: refreshHash,
        sessionUuid: row.uuid,
        issuedAt: begun,
        spentAt: null,
      });
      return toSession(row);
    });
  }

  async findByRefreshHash(refreshHash: string): Promise<RefreshTokenLookup | null> {
    const token = this.token(refreshHash);
    if (token === undefined) return null;
    const session = findSessionRow(this.db, token.sessionUuid);
    return session === undefined
      ? null
      : { session: toSession(session), spent: token.spentAt !== null };
  }

  rotate(
    sessionId: string,
    refreshHash: string,
    nextHash: string,
    now: Date,
    device: SessionDevice,
  ): Promise<boolean> {
    return this.db.write((tx) => {
      let current: RefreshTokenRow | undefined;
      for (const row of tx.rows(REFRESH_TOKENS).values()) {
        if (row.hash === refreshHash) current = row;
      }
      if (current === undefined || current.sessionUuid !== sessionId || current.spentAt !== null)
        return false;
      const at = now.getTime();
      tx.update(REFRESH_TOKENS, { ...current, spentAt: at });
      tx.insert(REFRESH_TOKENS, {
        hash: nextHash,
        sessionUuid: sessionId,
        issuedAt: at,
        spentAt: null,
      });
      const session = findSessionRow(tx, sessionId);
      if (session !== undefined)
        tx.update(SESSIONS, {
          ...session,
          lastUsedAt: at,
          userAgent: device.userAgent,
          ip: device.ip,
        });
      return true;
    });
  }

  revoke(sessionId: string, now: Date): Promise<boolean> {
    return this.db.write((tx) => {
      const row = findSessionRow(tx, sessionId);
      if (row === undefined || row.revokedAt !== null) return false;
      tx.update(SESSIONS, { ...row, revokedAt: now.getTime() });
      return true;
    });
  }

  revokeAllOfUser(userId: number, now: Date): Promise<string[]> {
    return this.db.write((tx) => {
      const revoked: string[] = [];
      for (const row of tx.rows(SESSIONS).values()) {
        if (row.userId !== userId || row.revokedAt !== null) continue;
        tx.update(SESSIONS, { ...row, revokedAt: now.getTime() });
        revoked.push(row.uuid);
      }
      return revoked;
    });
  }

  private token(hash: string): RefreshTokenRow | undefined {
    for (const row of this.db.rows(REFRESH_TOKENS).values()) if (row.hash === hash) return row;
    return undefined;
  }
}
