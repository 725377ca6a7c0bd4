import { inject, injectable } from 'tsyringe';
import { DomainError, forbidden, unauthorized } from '../../../domain/shared/errors.js';
import { issuedBeforePasswordChange, sessionState } from '../../../domain/session/session.js';
import type { QueryHandler } from '../../bus.js';
import type { Caller } from '../../caller.js';
import { AUTH_READ_MODEL, type AuthReadModel } from '../../ports/auth-read-model.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { TOKEN_VERIFIER, type TokenVerifier } from '../../ports/tokens.js';
import type { AuthenticateQuery } from './authenticate.query.js';

const revoked = (): DomainError =>
  new DomainError('unauthorized', 'Token has been revoked', undefined, { reason: 'revoked' });

/**
 * Checks the token, then re-reads the account and the token's session in one read
 * (`AuthReadModel.getAuthContext`, one SQL statement):
 * - a deleted account's token is 401;
 * - a deactivated account's token is 403 (before the session is looked at: the deactivation ended it);
 * - a token whose session was revoked (logout, reuse of a refresh token, a password change) or has
 *   ended, or that was issued before the last password change, is 401;
 * - a demoted user acts with the new role from the next request on, because the role comes from
 *   the account, not the token.
 * The caller comes with its own account's view, read by the same statement (`Caller.self`).
 */
@injectable()
export class AuthenticateHandler implements QueryHandler<AuthenticateQuery, Caller> {
  constructor(
    @inject(TOKEN_VERIFIER) private readonly tokens: TokenVerifier,
    @inject(AUTH_READ_MODEL) private readonly auth: AuthReadModel,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ token }: AuthenticateQuery): Promise<Caller> {
    const claims = await this.tokens.verifyAccessToken(token);
    const context = await this.auth.getAuthContext(claims.userId, claims.sessionId);
    if (context === null) throw unauthorized('User no longer exists');
    // Before the session: deactivation ends every session, and its token still says why it fails.
    if (!context.isActive) throw forbidden('User account is inactive');
    if (
      context.session === null ||
      issuedBeforePasswordChange(claims.issuedAt, context.passwordChangedAt)
    )
      throw revoked();
    switch (sessionState(context.session, this.clock.now(), context.passwordChangedAt)) {
      case 'live':
        break;
      case 'expired':
        throw new DomainError('unauthorized', 'Token has expired', undefined, {
          reason: 'expired',
        });
      default:
        throw revoked();
    }
    return {
      id: claims.userId,
      role: context.role,
      self: context.user,
      sessionId: claims.sessionId,
    };
  }
}
