import type { Actor } from '../domain/user/role.js';
import type { UserView } from './ports/views.js';

/**
 * The caller of an authenticated request as `AuthenticateHandler` returns it: the actor, and the
 * caller's own account as the same statement read it. A query about the caller itself answers
 * from `self` instead of reading the row again. It is the account as the request found it: a
 * handler that changed the caller and then wants the result reads it again.
 */
export interface Caller extends Actor {
  readonly self: UserView;
  /** The session the caller's access token belongs to (absent for a caller made up by a tool). */
  readonly sessionId?: string;
}

/** The caller's own view when `userId` is the caller and the actor came from authentication. */
export const ownView = (actor: Actor, userId: number): UserView | undefined => {
  const self = (actor as Partial<Caller>).self;
  return actor.id === userId && self !== undefined && self.id === userId ? self : undefined;
};

/** The session of the caller's token, when the actor came from authentication. */
export const callerSessionId = (actor: Actor): string | null =>
  (actor as Partial<Caller>).sessionId ?? null;
