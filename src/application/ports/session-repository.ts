import type { Session, SessionDevice } from '../../domain/session/session.js';
import { token } from './injection.js';

/** A session about to be stored; the store gives it its id. It was last used when it began. */
export type NewSession = Omit<Session, 'id' | 'revokedAt'> & { readonly device: SessionDevice };

export interface RefreshTokenLookup {
  readonly session: Session;
  /** True when this refresh token was already exchanged for another (reuse, if presented again). */
  readonly spent: boolean;
}

/**
 * The write side's store of sessions and their refresh tokens. Refresh tokens are known only by a
 * hash; a session has exactly one unspent refresh token and remembers the spent ones, so that
 * presenting a spent one can be recognised (reuse detection).
 */
export interface SessionRepository {
  /**
   * Stores a session with its first refresh token. The user's sessions that can no longer be used
   * (revoked, or expired by `session.createdAt`) go in the same write, so the store stays bounded.
   * Throws a `not_found` DomainError when the user no longer exists.
   */
  start(session: NewSession, refreshHash: string): Promise<Session>;
  /**
   * The session a refresh token (current or spent) belongs to, or null. Inside a unit of work the
   * session's row stays locked until the unit ends, so two units refreshing one session take turns.
   */
  findByRefreshHash(refreshHash: string): Promise<RefreshTokenLookup | null>;
  /**
   * Spends `refreshHash` and makes `nextHash` the session's refresh token, only if `refreshHash`
   * is the session's unspent token at that moment (compare-and-set): false when it was already
   * spent or is not the session's. A rotation is a use of the session: it was last used `now`,
   * from `device`.
   */
  rotate(
    sessionId: string,
    refreshHash: string,
    nextHash: string,
    now: Date,
    device: SessionDevice,
  ): Promise<boolean>;
  /** Revokes the session; true when this call revoked it, false when it was already revoked or is unknown. */
  revoke(sessionId: string, now: Date): Promise<boolean>;
  /**
   * Revokes every session of the user not yet revoked, in one write; the ids of the sessions this
   * call revoked (none already revoked, none revoked by a concurrent call too), in no set order.
   */
  revokeAllOfUser(userId: number, now: Date): Promise<string[]>;
}

export const SESSION_REPOSITORY = token<SessionRepository>('SessionRepository');

export interface SessionPolicy {
  /** How long a session (and so its refresh tokens) lasts from sign-in, in seconds. */
  readonly refreshTtlS: number;
}

export const SESSION_POLICY = token<SessionPolicy>('SessionPolicy');
