import { inject, injectable } from 'tsyringe';
import type { User } from '../../domain/user/user.js';
import { OUTBOX, type Outbox } from '../ports/outbox.js';
import { EmailTokens, verificationMail } from './email-tokens.js';

/**
 * The mails of a user's change of email, in the unit of work of the change: a verification mail
 * to the new address and a notice to the old one. Nothing when the email did not change.
 */
@injectable()
export class EmailChangeMails {
  constructor(
    @inject(EmailTokens) private readonly tokens: EmailTokens,
    @inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  async afterChange(before: User, after: User, now: Date): Promise<void> {
    if (before.email === after.email) return;
    const token = await this.tokens.issue('verify_email', after, now);
    await this.outbox.enqueue(verificationMail(after, token), now);
    await this.outbox.enqueue(
      {
        kind: 'email_changed',
        // To the address the account had, but about the account: erasing it takes this mail too.
        to: before.email,
        userId: before.id,
        data: { username: after.username, newEmail: after.email },
      },
      now,
    );
  }
}
