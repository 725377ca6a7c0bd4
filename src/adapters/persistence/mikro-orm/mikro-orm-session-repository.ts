import { randomUUID } from 'node:crypto';
import { ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { userNotFound } from '../../../application/not-found.js';
import type {
  NewSession,
  RefreshTokenLookup,
  SessionRepository,
} from '../../../application/ports/session-repository.js';
import { SESSION_ID_PATTERN } from '../../../application/ports/tokens.js';
import type { Session, SessionDevice } from '../../../domain/session/session.js';
import { RefreshTokenRecord, SessionRecord } from './entities/session.entity.js';
import { LeanSql, sqlStatement } from './lean-sql.js';
import {
  entityManagerFor,
  transactionEntityManager,
  write,
  type SqlOrm,
} from './mikro-orm-context.js';
import { SESSION_SELECT, sessionOf, type SessionColumns } from './session-rows.js';

/**
 * A sign-in's writes as one statement: the user's dead sessions go, the new session and its first
 * refresh token come. One statement is atomic by itself and one round trip, where a transaction of
 * three statements took five.
 */
const START_SESSION = sqlStatement(
  `with removed as (
     delete from sessions where user_id = ? and (revoked_at is not null or expires_at < ?::timestamptz)
   ), created as (
     insert into sessions (id, user_id, created_at, expires_at, revoked_at, last_used_at, user_agent, ip)
     values (?::uuid, ?, ?::timestamptz, ?::timestamptz, null, ?::timestamptz, ?, ?) returning id
   )
   insert into refresh_tokens (hash, session_id, issued_at, spent_at) select ?, id, ?::timestamptz, null from created`,
);

const isForeignKeyViolation = (error: unknown): boolean =>
  error instanceof ForeignKeyConstraintViolationException ||
  (error as { code?: unknown } | null)?.code === '23503';

/**
 * Sessions and refresh tokens in PostgreSQL (or PGlite) through MikroORM, one or a few explicit
 * statements per call, as the user repository does.
 *
 * Inside a unit of work `findByRefreshHash` locks the token's row and its session's row
 * (`SELECT ... FOR UPDATE` over the join) in the statement that reads them, so a second unit
 * presenting the same token waits, then reads the first one's outcome. `rotate` is a
 * compare-and-set besides (`UPDATE ... WHERE spent_at IS NULL`): whoever spends the token second
 * finds nothing to update, locked or not.
 */
const REVOKE_ALL_OF_USER = sqlStatement(
  `update sessions set revoked_at = ?::timestamptz where user_id = ? and revoked_at is null returning id::text as id`,
);

export class MikroOrmSessionRepository implements SessionRepository {
  private readonly sql: LeanSql;

  constructor(private readonly orm: SqlOrm) {
    this.sql = new LeanSql(orm);
  }

  async start(session: NewSession, refreshHash: string): Promise<Session> {
    const id = randomUUID();
    const { userId, createdAt, expiresAt, device } = session;
    const started: Session = { id, userId, createdAt, expiresAt, revokedAt: null };
    try {
      if (transactionEntityManager(this.orm) === undefined) {
        const values = [
          userId,
          createdAt,
          id,
          userId,
          createdAt,
          expiresAt,
          createdAt,
          device.userAgent,
          device.ip,
          refreshHash,
          createdAt,
        ];
        await this.sql.all(START_SESSION, values, 'write');
        return started;
      }
      // Inside a unit: statements in a savepoint, so that a failure leaves the unit usable.
      await write(this.orm, async (em) => {
        await em.nativeDelete(SessionRecord, {
          userId: session.userId,
          $or: [{ revokedAt: { $ne: null } }, { expiresAt: { $lt: session.createdAt } }],
        });
        await em.insert(SessionRecord, {
          id,
          userId,
          createdAt,
          expiresAt,
          revokedAt: null,
          lastUsedAt: createdAt,
          userAgent: device.userAgent,
          ip: device.ip,
        });
        await em.insert(RefreshTokenRecord, {
          hash: refreshHash,
          sessionId: id,
          issuedAt: session.createdAt,
          spentAt: null,
        });
      });
    } catch (error) {
      // The user was deleted meanwhile.
      if (isForeignKeyViolation(error)) throw userNotFound(userId);
      throw error;
    }
    return started;
  }

  async findByRefreshHash(refreshHash: string): Promise<RefreshTokenLookup | null> {
    const { em, inTransaction } = entityManagerFor(this.orm);
    const row = (await em.execute(
      `select t.spent_at, ${SESSION_SELECT}
         from refresh_tokens t join sessions s on s.id = t.session_id
        where t.hash = ?${inTransaction ? ' for update' : ''}`,
      [refreshHash],
      'get',
    )) as (SessionColumns & { spent_at: unknown }) | undefined | null;
    if (row === undefined || row === null) return null;
    const session = sessionOf(em, row);
    return session === null
      ? null
      : { session, spent: row.spent_at !== null && row.spent_at !== undefined };
  }

  rotate(
    sessionId: string,
    refreshHash: string,
    nextHash: string,
    now: Date,
    device: SessionDevice,
  ): Promise<boolean> {
    if (!SESSION_ID_PATTERN.test(sessionId)) return Promise.resolve(false);
    return write(this.orm, async (em: SqlEntityManager) => {
      const spent = await em.nativeUpdate(
        RefreshTokenRecord,
        { hash: refreshHash, sessionId, spentAt: null },
        { spentAt: now },
      );
      if (spent === 0) return false;
      await em.insert(RefreshTokenRecord, {
        hash: nextHash,
        sessionId,
        issuedAt: now,
        spentAt: null,
      });
      await em.nativeUpdate(
        SessionRecord,
        { id: sessionId },
        { lastUsedAt: now, userAgent: device.userAgent, ip: device.ip },
      );
      return true;
    });
  }

  async revoke(sessionId: string, now: Date): Promise<boolean> {
    if (!SESSION_ID_PATTERN.test(sessionId)) return false;
    const { em } = entityManagerFor(this.orm);
    return (
      (await em.nativeUpdate(
        SessionRecord,
        { id: sessionId, revokedAt: null },
        { revokedAt: now },
      )) > 0
    );
  }

  async revokeAllOfUser(userId: number, now: Date): Promise<string[]> {
    const rows = await this.sql.all<{ id: string }>(REVOKE_ALL_OF_USER, [now, userId], 'write');
    return rows.map((row) => row.id);
  }
}
