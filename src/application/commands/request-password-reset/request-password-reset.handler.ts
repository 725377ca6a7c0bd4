import { setTimeout as sleep } from 'node:timers/promises';
import { inject, injectable } from 'tsyringe';
import { normalizeEmail } from '../../../domain/user/user-rules.js';
import type { CommandHandler } from '../../bus.js';
import { EmailTokens, limitMailRequests } from '../../mail/email-tokens.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { MAIL_POLICY, MAIL_REQUEST_LIMITER, type MailPolicy } from '../../ports/email-tokens.js';
import { OUTBOX, type Outbox } from '../../ports/outbox.js';
import type { RateLimiter } from '../../ports/rate-limiter.js';
import { UNIT_OF_WORK, type UnitOfWork } from '../../ports/unit-of-work.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import type { RequestPasswordResetCommand } from './request-password-reset.command.js';

/**
 * A reset mail when the address belongs to an active account, and the same answer, in about the
 * same time, when it does not: the work differs (a token and a mail written, or nothing), so the
 * answer is held until `resetRequestFloorMs` after the request began, which is longer than
 * either takes. The limit on mail requests is counted first, for every address alike.
 */
@injectable()
export class RequestPasswordResetHandler
  implements CommandHandler<RequestPasswordResetCommand, void>
{
  /** The token and the mail are written in a unit of its own, so the wait holds no transaction. */
  static readonly transactional = false;

  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(EmailTokens) private readonly tokens: EmailTokens,
    @inject(OUTBOX) private readonly outbox: Outbox,
    @inject(MAIL_REQUEST_LIMITER) private readonly limiter: RateLimiter,
    @inject(MAIL_POLICY) private readonly policy: MailPolicy,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ email, ip }: RequestPasswordResetCommand): Promise<void> {
    const started = performance.now();
    const address = normalizeEmail(email);
    await limitMailRequests(this.limiter, ip, address);
    try {
      await this.uow.run(async () => {
        const user = await this.users.findByLogin(address);
        // By email only (a username that looks like an address names no mailbox), and only active accounts.
        if (user === null || user.email !== address || !user.isActive) return;
        const now = this.clock.now();
        const token = await this.tokens.issue('password_reset', user, now);
        await this.outbox.enqueue(
          {
            kind: 'password_reset',
            to: user.email,
            userId: user.id,
            data: { username: user.username, token },
          },
          now,
        );
      });
    } finally {
      const left = this.policy.resetRequestFloorMs - (performance.now() - started);
      if (left > 0) await sleep(left);
    }
  }
}
