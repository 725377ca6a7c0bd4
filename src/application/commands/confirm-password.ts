import { inject, injectable } from 'tsyringe';
import { signInLocked } from '../../domain/session/session.js';
import { badRequest, unauthorized } from '../../domain/shared/errors.js';
import type { Actor } from '../../domain/user/role.js';
import type { User } from '../../domain/user/user.js';
import { DOMAIN_EVENTS, type DomainEvents } from '../audit/domain-events.js';
import { LOGIN_THROTTLE, loginThrottleKey, type LoginThrottle } from '../ports/login-throttle.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../ports/password-hasher.js';
import { SECURITY_EVENTS, type AuthVia, type SecurityEvents } from '../ports/security-events.js';
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

/** How one use case asks for the password, and what it does between the check and its step. */
export interface ConfirmationOptions<P> {
  /** Where the password is checked, for the security log; `password_confirmation` by default. */
  readonly via?: Exclude<AuthVia, 'sign_in'>;
  /** The message of the 400 for a wrong password; `Password is incorrect` by default. */
  readonly wrongPassword?: string;
  /**
   * Slow work the step needs (hashing a new password), run once the password is right and before
   * the unit of work: never for a wrong guess, never with a transaction open.
   */
  readonly prepare?: () => Promise<P>;
}

/**
 * Runs a step on the caller's own account once the caller has confirmed it with their password.
 * A wrong password is 400 and counts against the sign-in lockout of the account from this
 * address, as at sign-in: a stolen access token buys no free guesses. A refusal that begins a
 * lock is the lock's `auth.locked` event, whichever door it came through. The hash is checked
 * outside any transaction (it takes a while), so handlers that use this opt out of the bus's unit
 * of work; the step then runs in one unit of work on the locked account, and only if its password
 * is still the one checked (a concurrent change makes the given password wrong).
 */
@injectable()
export class ConfirmedByPassword {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
  ) {}

  async run<R, P = undefined>(
    { actor, password, ip }: PasswordConfirmation,
    step: (locked: User, prepared: P) => Promise<R>,
    options: ConfirmationOptions<P> = {},
  ): Promise<R> {
    const via = options.via ?? 'password_confirmation';
    const wrong = options.wrongPassword ?? WRONG_PASSWORD;
    const user = await this.users.findById(actor.id);
    if (user === null) throw unauthorized('User no longer exists');
    const key = loginThrottleKey(user, user.username, ip);
    const { retryAfterS, lockBegan } = await this.throttle.attempt(key);
    if (retryAfterS > 0) {
      this.security.record({ type: 'auth_locked', via, userId: user.id, ip, retryAfterS });
      if (lockBegan) await this.events.writeAlone(signInLocked(user.id));
      throw loginLocked(retryAfterS);
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      this.security.record({
        type: 'auth_failed',
        via,
        reason: 'bad_credentials',
        userId: user.id,
        ip,
      });
      throw badRequest(wrong);
    }
    await this.throttle.succeed(key);
    // Without a `prepare`, P is undefined and so is what the step gets.
    const prepared = (await options.prepare?.()) as P;
    return this.uow.run(async () => {
      const locked = await this.users.findById(actor.id);
      if (locked === null) throw unauthorized('User no longer exists');
      if (locked.passwordHash !== user.passwordHash) throw badRequest(wrong);
      return step(locked, prepared);
    });
  }
}
