import { inject, injectable } from 'tsyringe';
import { type DomainError, forbidden, unauthorized } from '../../../domain/shared/errors.js';
import {
  sessionDevice,
  sessionReuseDetected,
  sessionState,
  type Session,
} from '../../../domain/session/session.js';
import { DOMAIN_EVENTS, type DomainEvents } from '../../audit/domain-events.js';
import type { CommandHandler } from '../../bus.js';
import { AUTH_READ_MODEL, type AuthReadModel } from '../../ports/auth-read-model.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../../ports/security-events.js';
import { REFRESH_TOKENS, type RefreshTokens } from '../../ports/refresh-tokens.js';
import { SESSION_REPOSITORY, type SessionRepository } from '../../ports/session-repository.js';
import { TOKEN_ISSUER, type TokenIssuer } from '../../ports/tokens.js';
import { UNIT_OF_WORK, type UnitOfWork } from '../../ports/unit-of-work.js';
import type { TokenGrant } from '../issue-token/issue-token.command.js';
import { grantFor } from '../issue-token/token-grant.js';
import type { RefreshTokenCommand } from './refresh-token.command.js';

export const INVALID_REFRESH_TOKEN = 'Invalid refresh token';
export const REFRESH_TOKEN_REUSED = 'Refresh token was already used: the session has been revoked';

type Outcome =
  | { readonly kind: 'rotated'; readonly session: Session; readonly now: Date }
  | { readonly kind: 'refused'; readonly error: DomainError }
  | { readonly kind: 'reused'; readonly session: Session; readonly revoked: boolean };

/**
 * Refresh with rotation and reuse detection. The refresh token is spent and replaced in one unit
 * of work that holds the session's row locked, and the replacement is a compare-and-set on the
 * spent token, so two refreshes with one token never both succeed. Presenting a spent token
 * (a copy that someone else already used, or the loser of such a race) revokes the whole session:
 * whoever holds the other copy loses it too, and everyone signs in again.
 *
 * The unit is run here rather than by the bus (`transactional = false`) so that the revocation
 * commits before the refusal is thrown: a thrown error would roll it back.
 */
@injectable()
export class RefreshTokenHandler implements CommandHandler<RefreshTokenCommand, TokenGrant> {
  static readonly transactional = false;

  constructor(
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(AUTH_READ_MODEL) private readonly auth: AuthReadModel,
    @inject(REFRESH_TOKENS) private readonly refreshTokens: RefreshTokens,
    @inject(TOKEN_ISSUER) private readonly tokens: TokenIssuer,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
  ) {}

  async execute({ refreshToken, ip, userAgent }: RefreshTokenCommand): Promise<TokenGrant> {
    const hash = this.refreshTokens.hashOf(refreshToken);
    if (hash === null) throw unauthorized(INVALID_REFRESH_TOKEN);
    const next = this.refreshTokens.generate();
    const outcome = await this.uow.run(async (): Promise<Outcome> => {
      const now = this.clock.now();
      const found = await this.sessions.findByRefreshHash(hash);
      if (found === null) return { kind: 'refused', error: unauthorized(INVALID_REFRESH_TOKEN) };
      const { session, spent } = found;
      if (spent) {
        const revoked = await this.sessions.revoke(session.id, now);
        this.events.record(sessionReuseDetected(session));
        return { kind: 'reused', session, revoked };
      }
      const account = await this.auth.getAuthContext(session.userId, session.id);
      if (account === null) return { kind: 'refused', error: unauthorized(INVALID_REFRESH_TOKEN) };
      // Before the session's state: deactivation ended the session, and the answer says why.
      if (!account.isActive)
        return { kind: 'refused', error: forbidden('User account is inactive') };
      switch (sessionState(session, now, account.passwordChangedAt)) {
        case 'expired':
          return { kind: 'refused', error: unauthorized('Refresh token has expired') };
        case 'revoked':
        case 'superseded':
          return { kind: 'refused', error: unauthorized('Session has been revoked') };
        case 'live':
          break;
      }
      if (
        !(await this.sessions.rotate(
          session.id,
          hash,
          next.hash,
          now,
          sessionDevice(userAgent, ip),
        ))
      ) {
        // Spent by someone else since it was read: reuse all the same.
        const revoked = await this.sessions.revoke(session.id, now);
        this.events.record(sessionReuseDetected(session));
        return { kind: 'reused', session, revoked };
      }
      return { kind: 'rotated', session, now };
    });
    switch (outcome.kind) {
      case 'refused':
        throw outcome.error;
      case 'reused':
        this.security.record({
          type: 'refresh_reuse_detected',
          userId: outcome.session.userId,
          sessionId: outcome.session.id,
        });
        if (outcome.revoked) {
          this.security.record({
            type: 'session_revoked',
            userId: outcome.session.userId,
            sessionId: outcome.session.id,
            sessions: 1,
            reason: 'refresh_reuse',
          });
        }
        throw unauthorized(REFRESH_TOKEN_REUSED);
      case 'rotated':
        return grantFor(this.tokens, outcome.session, next.token, outcome.now);
    }
  }
}
