import type { Logger } from '../../application/ports/logger.js';
import type { Mailer, MailMessage } from '../../application/ports/mailer.js';

/**
 * Development without a mail server (no SMTP_URL): each mail is written, whole, to the log
 * instead of being sent, so that the links in it can be followed.
 */
export class LogMailer implements Mailer {
  constructor(
    private readonly logger: Logger,
    private readonly from: string,
  ) {}

  async send(message: MailMessage): Promise<void> {
    this.logger.info('mail not sent (no SMTP_URL): written here instead', {
      event: 'mail_logged',
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
  }

  async close(): Promise<void> {}
}
