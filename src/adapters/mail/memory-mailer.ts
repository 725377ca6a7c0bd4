import {
  MailDeliveryError,
  type Mailer,
  type MailMessage,
} from '../../application/ports/mailer.js';

/**
 * Keeps every mail it accepts, in order, for tests to read. It can be told to refuse the next
 * mails, as a mail server that is down or says no would.
 */
export class MemoryMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  private refusals: MailDeliveryError[] = [];
  private closed = false;

  async send(message: MailMessage): Promise<void> {
    if (this.closed) throw new MailDeliveryError('the mailer is closed', false);
    const refusal = this.refusals.shift();
    if (refusal !== undefined) throw refusal;
    this.sent.push({ ...message });
  }

  /** The next `count` mails are refused (temporarily unless `permanent`). */
  refuseNext(count: number, permanent = false): void {
    for (let i = 0; i < count; i += 1)
      this.refusals.push(
        new MailDeliveryError(permanent ? '550 refused' : '451 try again later', permanent),
      );
  }

  /** The mails sent to one address. */
  to(address: string): MailMessage[] {
    return this.sent.filter((m) => m.to === address);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
