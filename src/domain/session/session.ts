import type { DomainEvent } from '../shared/domain-event.js';

/**
 * A session is one sign-in: it starts when a password is checked, lives until an absolute expiry
 * (refreshing never extends it), and ends early when it is revoked (logout, reuse of a spent
 * refresh token, a password change). Refresh tokens and access tokens belong to a session and die
 * with it.
 */
export interface Session {
  /** A UUID. */
  readonly id: string;
  readonly userId: number;
  /** When the password was checked for this sign-in. */
  readonly createdAt: Date;
  /** Absolute: no refresh reaches past it. */
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}

export type SessionState = 'live' | 'revoked' | 'expired' | 'superseded';

/**
 * Whether a session can still be used at `now`. A session that began before the user's last
 * password change is `superseded`, even if nothing revoked it: a sign-in that checked the old
 * password while the change was being made must not survive it.
 */
export function sessionState(session: Session, now: Date, passwordChangedAt: Date | null): SessionState {
  if (session.revokedAt !== null) return 'revoked';
  if (now.getTime() > session.expiresAt.getTime()) return 'expired';
  if (passwordChangedAt !== null && session.createdAt.getTime() < passwordChangedAt.getTime()) return 'superseded';
  return 'live';
}

/** An access token issued before the user's last password change no longer counts. */
export const issuedBeforePasswordChange = (issuedAt: Date, passwordChangedAt: Date | null): boolean =>
  passwordChangedAt !== null && issuedAt.getTime() < passwordChangedAt.getTime();

/** The times of a session begun at `now` that lasts `ttlS` seconds. */
export function sessionTimes(now: Date, ttlS: number): { createdAt: Date; expiresAt: Date } {
  return { createdAt: new Date(now.getTime()), expiresAt: new Date(now.getTime() + ttlS * 1000) };
}

/** An event about a session. */
const sessionEvent = (session: Session, action: 'session.started' | 'session.ended' | 'session.reuse_detected'): DomainEvent => ({
  action,
  subjectType: 'session',
  subjectId: session.id,
  // The session's user acts when the request carries no access token (sign-in, logout, refresh).
  actorId: session.userId,
});

export const sessionStarted = (session: Session): DomainEvent => sessionEvent(session, 'session.started');
export const sessionEnded = (session: Session): DomainEvent => sessionEvent(session, 'session.ended');
/** A spent refresh token was presented again: the session is revoked. */
export const sessionReuseDetected = (session: Session): DomainEvent => sessionEvent(session, 'session.reuse_detected');

const signInEvent = (action: 'auth.sign_in_failed' | 'auth.locked', userId: number | null): DomainEvent => ({
  action,
  subjectType: 'user',
  subjectId: userId === null ? null : String(userId),
  // Nobody acted: whoever tried is not known to be that user.
  actorId: null,
});

/** A wrong password, or a login nobody has (`userId` null). */
export const signInFailed = (userId: number | null): DomainEvent => signInEvent('auth.sign_in_failed', userId);
/** A sign-in refused because its login is locked after too many failures. */
export const signInLocked = (userId: number | null): DomainEvent => signInEvent('auth.locked', userId);
