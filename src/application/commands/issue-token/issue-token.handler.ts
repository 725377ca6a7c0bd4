import { inject, injectable } from 'tsyringe';
import { DomainError, forbidden, unauthorized } from '../../../domain/shared/errors.js';
import {
  sessionDevice,
  sessionStarted,
  sessionTimes,
  signInFailed,
  signInLocked,
  type Session,
} from '../../../domain/session/session.js';
import { DOMAIN_EVENTS, type DomainEvents } from '../../audit/domain-events.js';
import type { CommandHandler } from '../../bus.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { MAIL_POLICY, type MailPolicy } from '../../ports/email-tokens.js';
import {
  LOGIN_THROTTLE,
  loginThrottleKey,
  type LoginThrottle,
} from '../../ports/login-throttle.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../../ports/password-hasher.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../../ports/security-events.js';
import { REFRESH_TOKENS, type RefreshTokens } from '../../ports/refresh-tokens.js';
import {
  SESSION_POLICY,
  SESSION_REPOSITORY,
  type SessionPolicy,
  type SessionRepository,
} from '../../ports/session-repository.js';
import { TOKEN_ISSUER, type TokenIssuer } from '../../ports/tokens.js';
import { UNIT_OF_WORK, type UnitOfWork } from '../../ports/unit-of-work.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import type { IssueTokenCommand, TokenGrant } from './issue-token.command.js';
import { grantFor, loginLocked } from './token-grant.js';

export const BAD_CREDENTIALS = 'Incorrect username or password';
export const EMAIL_NOT_VERIFIED = 'Email address not verified';

/**
 * Sign-in: checks the password and starts a session, answering with an access token and the
 * session's first refresh token.
 *
 * The login throttle counts the attempt before the password is checked, per account when the
 * login names one (username and email share one count) and per typed login otherwise: a locked
 * account is 429 even with the right password, and probing unknown logins gets locked the same
 * way. An unknown user costs one hash check too, so neither the status nor the time tells who
 * exists.
 */
@injectable()
export class IssueTokenHandler implements CommandHandler<IssueTokenCommand, TokenGrant> {
  /** Checking a password hash takes a while: no transaction is held open for it. */
  static readonly transactional = false;

  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(TOKEN_ISSUER) private readonly tokens: TokenIssuer,
    @inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(REFRESH_TOKENS) private readonly refreshTokens: RefreshTokens,
    @inject(SESSION_POLICY) private readonly policy: SessionPolicy,
    @inject(MAIL_POLICY) private readonly mail: MailPolicy,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
  ) {}

  async execute({ login, password, ip, userAgent }: IssueTokenCommand): Promise<TokenGrant> {
    // The session begins when the password is checked: should the password change meanwhile,
    // the session is older than the change and does not count.
    const begun = this.clock.now();
    const user = await this.users.findByLogin(login);
    const key = loginThrottleKey(user, login, ip);
    const userId = user?.id ?? null;
    const { retryAfterS, lockBegan } = await this.throttle.attempt(key);
    if (retryAfterS > 0) {
      this.security.record({ type: 'auth_locked', via: 'sign_in', userId, ip, retryAfterS });
      // The audit trail has one event per lock, from its first refusal; a refusal changes no
      // row, so the event is written on its own.
      if (lockBegan) await this.events.writeAlone(signInLocked(userId));
      throw loginLocked(retryAfterS);
    }
    const matches = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (user === null || !matches) {
      this.security.record({
        type: 'auth_failed',
        via: 'sign_in',
        reason: 'bad_credentials',
        userId,
        ip,
      });
      await this.events.writeAlone(signInFailed(userId));
      throw unauthorized(BAD_CREDENTIALS);
    }
    await this.throttle.succeed(key);
    if (!user.isActive) {
      this.security.record({ type: 'auth_failed', via: 'sign_in', reason: 'inactive', userId, ip });
      throw forbidden('User account is inactive');
    }
    if (this.mail.verificationRequired && !user.emailVerified) throw forbidden(EMAIL_NOT_VERIFIED);

    const refresh = this.refreshTokens.generate();
    let session: Session;
    try {
      const draft = {
        userId: user.id,
        ...sessionTimes(begun, this.policy.refreshTtlS),
        device: sessionDevice(userAgent, ip),
      };
      session = await this.uow.run(async () => {
        const started = await this.sessions.start(draft, refresh.hash);
        this.events.record(sessionStarted(started));
        return started;
      });
    } catch (error) {
      // Deleted between the check and now: as if it had never existed.
      if (error instanceof DomainError && error.kind === 'not_found')
        throw unauthorized(BAD_CREDENTIALS);
      throw error;
    }
    this.security.record({ type: 'sign_in_succeeded', userId: user.id, ip });
    return grantFor(this.tokens, session, refresh.token, this.clock.now());
  }
}
