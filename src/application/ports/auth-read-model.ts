import type { Session } from '../../domain/session/session.js';
import type { Role } from '../../domain/user/role.js';
import { token } from './injection.js';
import type { UserView } from './views.js';

/** What the check of an access token needs to know, read at once. */
export interface AuthContext {
  readonly role: Role;
  readonly isActive: boolean;
  readonly passwordChangedAt: Date | null;
  /** The session the token names, or null when there is no such session of this user. */
  readonly session: Session | null;
  /**
   * The account as the user read model presents it, read by the same statement: a request about
   * the caller itself (`GET /users/me`, say) then needs no second read.
   */
  readonly user: UserView;
}

/**
 * The query side of authentication. `getAuthContext` is on the path of every authenticated
 * request, so an adapter answers it in one round trip (one SQL statement joining the user and the
 * session), and reads where writes land first: a revoked session must not pass because a replica
 * lags.
 */
export interface AuthReadModel {
  /** Null when the user does not exist. */
  getAuthContext(userId: number, sessionId: string): Promise<AuthContext | null>;
}

export const AUTH_READ_MODEL = token<AuthReadModel>('AuthReadModel');
