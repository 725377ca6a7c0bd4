import { DomainError } from '../../../domain/shared/errors.js';
import type { Session } from '../../../domain/session/session.js';
import type { TokenIssuer } from '../../ports/tokens.js';
import type { TokenGrant } from './issue-token.command.js';

/**
 * The answer to a sign-in or a refresh: an access token of the session, which never outlives it,
 * and the session's new refresh token. Shared by IssueTokenHandler and RefreshTokenHandler.
 */
export async function grantFor(
  tokens: TokenIssuer,
  session: Session,
  refreshToken: string,
  now: Date,
): Promise<TokenGrant> {
  const access = await tokens.issueAccessToken({
    userId: session.userId,
    sessionId: session.id,
    notAfter: session.expiresAt,
  });
  return {
    accessToken: access.token,
    tokenType: 'bearer',
    expiresIn: access.expiresIn,
    refreshToken,
    refreshExpiresIn: Math.max(0, Math.floor((session.expiresAt.getTime() - now.getTime()) / 1000)),
  };
}

/** A locked login: 429 with the seconds until the lock ends (the HTTP adapter sends them as Retry-After). */
export const loginLocked = (retryAfterS: number): DomainError =>
  new DomainError('rate_limited', 'Too many failed sign-in attempts. Try again later.', undefined, {
    retryAfterS,
  });
