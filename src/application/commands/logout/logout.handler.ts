import { inject, injectable } from 'tsyringe';
import { sessionEnded } from '../../../domain/session/session.js';
import { DOMAIN_EVENTS, type DomainEvents } from '../../audit/domain-events.js';
import type { CommandHandler } from '../../bus.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { REFRESH_TOKENS, type RefreshTokens } from '../../ports/refresh-tokens.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../../ports/security-events.js';
import { SESSION_REPOSITORY, type SessionRepository } from '../../ports/session-repository.js';
import type { LogoutCommand } from './logout.command.js';

/**
 * Revokes the session of the refresh token (its current one or a spent one): its refresh tokens
 * and its access tokens stop working at once. Idempotent, as token revocation is (RFC 7009): a
 * token that is unknown, malformed, or of a session already ended is no error, since afterwards
 * it cannot be used either way, and the answer tells nothing about which tokens exist.
 */
@injectable()
export class LogoutHandler implements CommandHandler<LogoutCommand, void> {
  constructor(
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(REFRESH_TOKENS) private readonly refreshTokens: RefreshTokens,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
  ) {}

  async execute({ refreshToken }: LogoutCommand): Promise<void> {
    const hash = this.refreshTokens.hashOf(refreshToken);
    if (hash === null) return;
    const found = await this.sessions.findByRefreshHash(hash);
    if (found === null || !(await this.sessions.revoke(found.session.id, this.clock.now()))) return;
    this.events.record(sessionEnded(found.session));
    this.security.record({
      type: 'session_revoked',
      userId: found.session.userId,
      sessionId: found.session.id,
      sessions: 1,
      reason: 'logout',
    });
  }
}
