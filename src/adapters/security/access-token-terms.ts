import { SESSION_ID_PATTERN, type AccessTokenSubject } from '../../application/ports/tokens.js';

/**
 * The checked subject of a new token and its expiry: `ttlS` from `now`, or the subject's
 * `notAfter` when that comes first (but never before `now`); `expiresIn` is in whole seconds,
 * rounded down. Shared by the token adapters so that they agree.
 */
export function accessTokenTerms(
  subject: AccessTokenSubject,
  now: Date,
  ttlS: number,
): { userId: number; sessionId: string; expiresAt: Date; expiresIn: number } {
  const { userId, sessionId, notAfter } = subject;
  if (!Number.isSafeInteger(userId) || userId <= 0)
    throw new RangeError(`Not a user id: ${userId}`);
  if (typeof sessionId !== 'string' || !SESSION_ID_PATTERN.test(sessionId))
    throw new RangeError(`Not a session id: ${String(sessionId)}`);
  let expires = now.getTime() + ttlS * 1000;
  if (notAfter !== undefined) {
    if (Number.isNaN(notAfter.getTime())) throw new RangeError('notAfter is not a valid date');
    // A session that ended between its check and now (a millisecond's race) gets a token that is
    // already over, rather than an error.
    expires = Math.max(now.getTime(), Math.min(expires, notAfter.getTime()));
  }
  return {
    userId,
    sessionId,
    expiresAt: new Date(expires),
    expiresIn: Math.floor((expires - now.getTime()) / 1000),
  };
}
