import { inject, injectable } from 'tsyringe';
import { validationFailed } from '../../../domain/shared/errors.js';
import { passwordProblem } from '../../../domain/user/user-rules.js';
import { DOMAIN_EVENTS, type DomainEvents } from '../../audit/domain-events.js';
import type { CommandHandler } from '../../bus.js';
import { passwordChangedMail } from '../../mail/email-tokens.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { OUTBOX, type Outbox } from '../../ports/outbox.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../../ports/password-hasher.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../../ports/security-events.js';
import { SESSION_REPOSITORY, type SessionRepository } from '../../ports/session-repository.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { ConfirmedByPassword } from '../confirm-password.js';
import { endSessionsOf } from '../end-user-sessions/end-sessions.js';
import type { ChangePasswordCommand } from './change-password.command.js';

export const WRONG_CURRENT_PASSWORD = 'Current password is incorrect';

/**
 * The caller's new password. A weak one is refused before anything else; then the current one is
 * confirmed as every self-service step is (`ConfirmedByPassword`: 400 when wrong, counted against
 * the sign-in lockout of the account from this address), and only then is the new one hashed,
 * still outside any transaction: a wrong guess costs one hash check, not two.
 *
 * The change itself is one short unit of work on the locked user: the new hash with
 * `passwordChangedAt`, and the end of every session of the user, the caller's own included, each
 * with its `session.ended` event: every access token issued before the change stops working, and
 * the client signs in again.
 */
@injectable()
export class ChangePasswordHandler implements CommandHandler<ChangePasswordCommand, void> {
  /** The password is checked, and the new one hashed, before the unit of work begins. */
  static readonly transactional = false;

  constructor(
    @inject(ConfirmedByPassword) private readonly confirmed: ConfirmedByPassword,
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) readonly sessions: SessionRepository,
    @inject(DOMAIN_EVENTS) readonly events: DomainEvents,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(OUTBOX) private readonly outbox: Outbox,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
  ) {}

  async execute({ actor, currentPassword, newPassword, ip }: ChangePasswordCommand): Promise<void> {
    const weak = passwordProblem(newPassword);
    if (weak !== null) throw validationFailed([{ field: 'new_password', message: weak }]);
    const ended = await this.confirmed.run(
      { actor, password: currentPassword, ip },
      async (locked, newHash) => {
        const now = this.clock.now();
        await this.users.update(locked.changePassword(newHash, now));
        const ended = await endSessionsOf(this, locked.id, now);
        await this.outbox.enqueue(passwordChangedMail(locked), now);
        return ended;
      },
      {
        via: 'password_change',
        wrongPassword: WRONG_CURRENT_PASSWORD,
        prepare: () => this.hasher.hash(newPassword),
      },
    );
    this.security.record({ type: 'password_changed', userId: actor.id });
    this.security.record({
      type: 'session_revoked',
      userId: actor.id,
      sessionId: null,
      sessions: ended,
      reason: 'password_changed',
    });
  }
}
