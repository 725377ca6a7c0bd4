import { inject, injectable } from 'tsyringe';
import { badRequest, validationFailed } from '../../../domain/shared/errors.js';
import { passwordProblem } from '../../../domain/user/user-rules.js';
import type { CommandHandler } from '../../bus.js';
import { DOMAIN_EVENTS, type DomainEvents } from '../../audit/domain-events.js';
import { EmailTokens, INVALID_TOKEN, passwordChangedMail } from '../../mail/email-tokens.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { LOGIN_THROTTLE, type LoginThrottle } from '../../ports/login-throttle.js';
import { OUTBOX, type Outbox } from '../../ports/outbox.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../../ports/security-events.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../../ports/password-hasher.js';
import { SESSION_REPOSITORY, type SessionRepository } from '../../ports/session-repository.js';
import { UNIT_OF_WORK, type UnitOfWork } from '../../ports/unit-of-work.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { endSessionsOf } from '../end-user-sessions/end-sessions.js';
import type { ResetPasswordCommand } from './reset-password.command.js';

/**
 * A new password for the holder of a reset token. The new password is checked and hashed first,
 * outside any transaction; then one unit spends the token, stores the hash (`passwordChangedAt`,
 * so every access token issued before stops working), ends every session (each with its
 * `session.ended` event), and queues the notice to the account's address. A token of an address
 * the account no longer has, or of an account deactivated since, is `Invalid or expired token`.
 * After the commit the account's sign-in lockout is cleared.
 */
@injectable()
export class ResetPasswordHandler implements CommandHandler<ResetPasswordCommand, void> {
  static readonly transactional = false;

  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) readonly sessions: SessionRepository,
    @inject(DOMAIN_EVENTS) readonly events: DomainEvents,
    @inject(EmailTokens) private readonly tokens: EmailTokens,
    @inject(OUTBOX) private readonly outbox: Outbox,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ token, newPassword }: ResetPasswordCommand): Promise<void> {
    const weak = passwordProblem(newPassword);
    if (weak !== null) throw validationFailed([{ field: 'new_password', message: weak }]);
    const hash = await this.hasher.hash(newPassword);
    const { user, revoked } = await this.uow.run(async () => {
      const now = this.clock.now();
      const redeemed = await this.tokens.redeem('password_reset', token, now);
      const found = await this.users.findById(redeemed.userId);
      if (found === null || found.email !== redeemed.email || !found.isActive)
        throw badRequest(INVALID_TOKEN);
      const changed = await this.users.update(
        found.changePassword(hash, now, 'user.password_reset'),
      );
      const ended = await endSessionsOf(this, found.id, now);
      await this.outbox.enqueue(passwordChangedMail(changed), now);
      return { user: changed, revoked: ended };
    });
    await this.throttle.clearAccount(user.id);
    this.security.record({ type: 'password_reset', userId: user.id });
    this.security.record({
      type: 'session_revoked',
      userId: user.id,
      sessionId: null,
      sessions: revoked,
      reason: 'password_reset',
    });
  }
}
