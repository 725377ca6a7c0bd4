import { inject, injectable } from 'tsyringe';
import { badRequest, unauthorized } from '../../domain/shared/errors.js';
import type { Actor } from '../../domain/user/role.js';
import type { User } from '../../domain/user/user.js';
import { LOGIN_THROTTLE, loginThrottleKey, type LoginThrottle } from '../ports/login-throttle.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../ports/password-hasher.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../ports/security-events.js';
import { UNIT_OF_WORK, type UnitOfWork } from '../ports/unit-of-work.js';
import { USER_REPOSITORY, type UserRepository } from '../ports/user-repository.js';
import { loginLocked } from './issue-token/token-grant.js';

export const WRONG_PASSWORD = 'Password is incorrect';

export interface PasswordConfirmation {
  readonly actor: Actor;
  readonly password: string;
  /** The caller's address, for the login throttle. */
  readonly ip: string;
}

/**
 * Runs a step on the caller's own account once the caller has confirmed it with their password.
 * A wrong password is 400 and counts against the sign-in lockout of the account from this
 * address, as a wrong current password does at /users/me/password: a stolen access token buys no
 * free guesses. The hash is checked outside any transaction (it takes a while), so handlers that
 * use this opt out of the bus's unit of work; the step then runs in one unit of work on the
 * locked account, and only if its password is still the one checked.
 */
@injectable()
export class ConfirmedByPassword {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
  ) {}

  async run(
    { actor, password, ip }: PasswordConfirmation,
    step: (locked: User) => Promise<void>,
  ): Promise<void> {
    const user = await this.users.findById(actor.id);
    if (user === null) throw unauthorized('User no longer exists');
    const key = loginThrottleKey(user, user.username, ip);
    const wait = await this.throttle.attempt(key);
    if (wait > 0) {
      this.security.record({
        type: 'auth_locked',
        via: 'password_confirmation',
        userId: user.id,
        ip,
        retryAfterS: wait,
      });
      throw loginLocked(wait);
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      this.security.record({
        type: 'auth_failed',
        via: 'password_confirmation',
        reason: 'bad_credentials',
        userId: user.id,
        ip,
      });
      throw badRequest(WRONG_PASSWORD);
    }
    await this.throttle.succeed(key);
    await this.uow.run(async () => {
      const locked = await this.users.findById(actor.id);
      if (locked === null) throw unauthorized('User no longer exists');
      if (locked.passwordHash !== user.passwordHash) throw badRequest(WRONG_PASSWORD);
      await step(locked);
    });
  }
}
