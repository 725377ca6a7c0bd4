import { inject, injectable } from 'tsyringe';
import { badRequest } from '../../../domain/shared/errors.js';
import type { CommandHandler } from '../../bus.js';
import { EmailTokens, INVALID_TOKEN } from '../../mail/email-tokens.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import type { VerifyEmailCommand } from './verify-email.command.js';

/**
 * Spends the token and marks the address verified, in one unit of work. A token proves only the
 * address it was sent to: once the account has another, it is `Invalid or expired token`.
 */
@injectable()
export class VerifyEmailHandler implements CommandHandler<VerifyEmailCommand, void> {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(EmailTokens) private readonly tokens: EmailTokens,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ token }: VerifyEmailCommand): Promise<void> {
    const now = this.clock.now();
    const redeemed = await this.tokens.redeem('verify_email', token, now);
    const user = await this.users.findById(redeemed.userId);
    if (user === null || user.email !== redeemed.email) throw badRequest(INVALID_TOKEN);
    await this.users.update(user.verifyEmail(now));
  }
}
