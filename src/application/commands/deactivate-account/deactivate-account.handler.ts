import { otherActiveAdmins } from '../last-admin.js';
import { inject, injectable } from 'tsyringe';
import type { CommandHandler } from '../../bus.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { DOMAIN_EVENTS, type DomainEvents } from '../../audit/domain-events.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../../ports/security-events.js';
import { SESSION_REPOSITORY, type SessionRepository } from '../../ports/session-repository.js';
import { endSessionsOf } from '../end-user-sessions/end-sessions.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { ConfirmedByPassword } from '../confirm-password.js';
import type { DeactivateAccountCommand } from './deactivate-account.command.js';

/**
 * `POST /users/me/deactivate`: once the password is confirmed, the account becomes inactive by
 * the aggregate's own rule (the last active admin cannot: 409) and every one of its sessions ends,
 * in one unit of work.
 */
@injectable()
export class DeactivateAccountHandler implements CommandHandler<DeactivateAccountCommand, void> {
  /** The password is checked before the unit of work begins. */
  static readonly transactional = false;

  constructor(
    @inject(ConfirmedByPassword) private readonly confirmed: ConfirmedByPassword,
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) readonly sessions: SessionRepository,
    @inject(DOMAIN_EVENTS) readonly events: DomainEvents,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
  ) {}

  async execute(command: DeactivateAccountCommand): Promise<void> {
    const ended = await this.confirmed.run(command, async (user) => {
      const now = this.clock.now();
      const change = { isActive: false };
      await this.users.update(
        user.changeAccess(change, await otherActiveAdmins(this.users, user, change), now),
      );
      return endSessionsOf(this, user.id, now);
    });
    this.security.record({
      type: 'session_revoked',
      userId: command.actor.id,
      sessionId: null,
      sessions: ended,
      reason: 'deactivated',
      by: command.actor.id,
    });
  }
}
