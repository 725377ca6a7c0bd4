import { inject, injectable } from 'tsyringe';
import { requireRole } from '../../../domain/user/user-policy.js';
import { DOMAIN_EVENTS, type DomainEvents } from '../../audit/domain-events.js';
import type { CommandHandler } from '../../bus.js';
import { userNotFound } from '../../not-found.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../../ports/security-events.js';
import { SESSION_REPOSITORY, type SessionRepository } from '../../ports/session-repository.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import type { EndUserSessionsCommand } from './end-user-sessions.command.js';
import { endSessionsOf } from './end-sessions.js';

/** Revokes every session of the user; their tokens stop working on the next request. */
@injectable()
export class EndUserSessionsHandler implements CommandHandler<EndUserSessionsCommand, void> {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) readonly sessions: SessionRepository,
    @inject(DOMAIN_EVENTS) readonly events: DomainEvents,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
  ) {}

  async execute({ actor, userId }: EndUserSessionsCommand): Promise<void> {
    requireRole(actor, 'admin');
    if ((await this.users.findById(userId)) === null) throw userNotFound(userId);
    const count = await endSessionsOf(this, userId, this.clock.now());
    this.security.record({
      type: 'session_revoked',
      userId,
      sessionId: null,
      sessions: count,
      reason: 'revoked',
      by: actor.id,
    });
  }
}
