import { inject, injectable } from 'tsyringe';
import { conflict, unauthorized } from '../../../domain/shared/errors.js';
import type { CommandHandler } from '../../bus.js';
import { EmailTokens, limitMailRequests, verificationMail } from '../../mail/email-tokens.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { MAIL_REQUEST_LIMITER } from '../../ports/email-tokens.js';
import { OUTBOX, type Outbox } from '../../ports/outbox.js';
import type { RateLimiter } from '../../ports/rate-limiter.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import type { RequestEmailVerificationCommand } from './request-email-verification.command.js';

export const ALREADY_VERIFIED = 'Email address already verified';

/** A new verification mail (spending the earlier tokens), unless the address is verified already (409). */
@injectable()
export class RequestEmailVerificationHandler
  implements CommandHandler<RequestEmailVerificationCommand, void>
{
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(EmailTokens) private readonly tokens: EmailTokens,
    @inject(OUTBOX) private readonly outbox: Outbox,
    @inject(MAIL_REQUEST_LIMITER) private readonly limiter: RateLimiter,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, ip }: RequestEmailVerificationCommand): Promise<void> {
    const user = await this.users.findById(actor.id);
    if (user === null) throw unauthorized('User no longer exists');
    if (user.emailVerified) throw conflict(ALREADY_VERIFIED);
    await limitMailRequests(this.limiter, ip, user.email);
    const now = this.clock.now();
    const token = await this.tokens.issue('verify_email', user, now);
    await this.outbox.enqueue(verificationMail(user, token), now);
  }
}
