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
export function sessionState(
  session: Session,
  now: Date,
  passwordChangedAt: Date | null,
): SessionState {
  if (session.revokedAt !== null) return 'revoked';
  if (now.getTime() > session.expiresAt.getTime()) return 'expired';
  if (passwordChangedAt !== null && session.createdAt.getTime() < passwordChangedAt.getTime())
    return 'superseded';
  return 'live';
}

/** An access token issued before the user's last password change no longer counts. */
export const issuedBeforePasswordChange = (
  issuedAt: Date,
  passwordChangedAt: Date | null,
): boolean => passwordChangedAt !== null && issuedAt.getTime() < passwordChangedAt.getTime();

/** The times of a session begun at `now` that lasts `ttlS` seconds. */
export function sessionTimes(now: Date, ttlS: number): { createdAt: Date; expiresAt: Date } {
  return { createdAt: new Date(now.getTime()), expiresAt: new Date(now.getTime() + ttlS * 1000) };
}

/** An event about a session. */
const sessionEvent = (
  session: Pick<Session, 'id' | 'userId'>,
  action: 'session.started' | 'session.ended' | 'session.reuse_detected',
): DomainEvent => ({
  action,
  subjectType: 'session',
  subjectId: session.id,
  // The session's user acts when the request carries no access token (sign-in, logout, refresh).
  actorId: session.userId,
});

export const sessionStarted = (session: Session): DomainEvent =>
  sessionEvent(session, 'session.started');
export const sessionEnded = (session: Pick<Session, 'id' | 'userId'>): DomainEvent =>
  sessionEvent(session, 'session.ended');
/** A spent refresh token was presented again: the session is revoked. */
export const sessionReuseDetected = (session: Session): DomainEvent =>
  sessionEvent(session, 'session.reuse_detected');

const signInEvent = (
  action: 'auth.sign_in_failed' | 'auth.locked',
  userId: number | null,
): DomainEvent => ({
  action,
  subjectType: 'user',
  subjectId: userId === null ? null : String(userId),
  // Nobody acted: whoever tried is not known to be that user.
  actorId: null,
});

/** A wrong password, or a login nobody has (`userId` null). */
export const signInFailed = (userId: number | null): DomainEvent =>
  signInEvent('auth.sign_in_failed', userId);
/** A sign-in refused because its login is locked after too many failures. */
export const signInLocked = (userId: number | null): DomainEvent =>
  signInEvent('auth.locked', userId);

/** The most of a user agent a session keeps, in characters. */
export const USER_AGENT_MAX = 256;
/** Longer than any IPv4 or IPv6 address in text, zone included. */
export const IP_MAX = 64;

/** Where a session was last used from: its sign-in's, then its last refresh's. */
export interface SessionDevice {
  readonly userAgent: string | null;
  readonly ip: string | null;
}

// C0 controls, DEL and lone surrogates: text that the contract refuses everywhere else.
const UNSAFE_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's job
  /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function keepText(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const cleaned = value.normalize('NFC').replace(UNSAFE_TEXT, '').trim();
  if (cleaned === '') return null;
  // By code points, so a cut never splits a pair.
  const points = Array.from(cleaned);
  return points.length <= max ? cleaned : points.slice(0, max).join('');
}

/**
 * What a session keeps of the request that signed in or refreshed: a header and an address are
 * whatever the client sent, so they are cut to size and stripped of control characters rather
 * than refused; a request is never turned away for its user agent.
 */
export const sessionDevice = (
  userAgent: string | null | undefined,
  ip: string | null | undefined,
): SessionDevice => ({
  userAgent: keepText(userAgent, USER_AGENT_MAX),
  ip: keepText(ip, IP_MAX),
});
