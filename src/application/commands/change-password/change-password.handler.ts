import { inject, injectable } from 'tsyringe';
import { badRequest, unauthorized, validationFailed } from '../../../domain/shared/errors.js';
import { passwordProblem } from '../../../domain/user/user-rules.js';
import type { CommandHandler } from '../../bus.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import {
  LOGIN_THROTTLE,
  loginThrottleKey,
  type LoginThrottle,
} from '../../ports/login-throttle.js';
import { OUTBOX, type Outbox } from '../../ports/outbox.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../../ports/password-hasher.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../../ports/security-events.js';
import { SESSION_REPOSITORY, type SessionRepository } from '../../ports/session-repository.js';
import { UNIT_OF_WORK, type UnitOfWork } from '../../ports/unit-of-work.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { loginLocked } from '../issue-token/token-grant.js';
import { ChangePasswordCommand } from './change-password.command.js';

export const WRONG_CURRENT_PASSWORD = 'Current password is incorrect';

/**
 * The caller's new password. The current one is checked first (400 when wrong); wrong guesses
 * count against the same login throttle as sign-in (the account from this address), so
 * a stolen access token cannot be used to guess the password at leisure.
 *
 * The hashes are checked and made outside any transaction (they take a while); the change itself
 * is one short unit of work that locks the user, makes sure the password is still the one that
 * was checked (a concurrent change makes the given "current" password wrong), stores the new hash
 * with `passwordChangedAt`, and revokes every session of the user, the caller's own included:
 * every access token issued before the change stops working, and the client signs in again.
 */
@injectable()
export class ChangePasswordHandler implements CommandHandler<ChangePasswordCommand, void> {
  static readonly transactional = false;

  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(OUTBOX) private readonly outbox: Outbox,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
  ) {}

  async execute({ actor, currentPassword, newPassword, ip }: ChangePasswordCommand): Promise<void> {
    const weak = passwordProblem(newPassword);
    if (weak !== null) throw validationFailed([{ field: 'new_password', message: weak }]);
    const user = await this.users.findById(actor.id);
    if (user === null) throw unauthorized('User no longer exists');
    const key = loginThrottleKey(user, user.username, ip);
    const wait = await this.throttle.attempt(key);
    if (wait > 0) {
      this.security.record({
        type: 'auth_locked',
        via: 'password_change',
        userId: user.id,
        ip,
        retryAfterS: wait,
      });
      throw loginLocked(wait);
    }
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
      this.security.record({
        type: 'auth_failed',
        via: 'password_change',
        reason: 'bad_credentials',
        userId: user.id,
        ip,
      });
      throw badRequest(WRONG_CURRENT_PASSWORD);
    }
    await this.throttle.succeed(key);
    const newHash = await this.hasher.hash(newPassword);

    const revoked = await this.uow.run(async () => {
      const now = this.clock.now();
      const locked = await this.users.findById(actor.id);
      if (locked === null) throw unauthorized('User no longer exists');
      if (locked.passwordHash !== user.passwordHash) throw badRequest(WRONG_CURRENT_PASSWORD);
      await this.users.update(locked.changePassword(newHash, now));
      const revoked = await this.sessions.revokeAllOfUser(actor.id, now);
      await this.outbox.enqueue(
        {
          kind: 'password_changed',
          to: locked.email,
          userId: locked.id,
          data: { username: locked.username },
        },
        now,
      );
      return revoked;
    });
    this.security.record({ type: 'password_changed', userId: actor.id });
    this.security.record({
      type: 'session_revoked',
      userId: actor.id,
      sessionId: null,
      sessions: revoked,
      reason: 'password_changed',
    });
  }
}
