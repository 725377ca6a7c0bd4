import { token } from './injection.js';

/** A mail ready to go: one recipient, a subject, a plain-text and an HTML part. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Thrown by a mailer that could not hand a mail over. `permanent` when the server refused it for
 * good (an SMTP 5xx reply): sending it again would be refused again. Anything else (a 4xx reply,
 * a refused, dropped or silent connection) is worth another try later.
 */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}

/** Hands mails to a mail server (or wherever the adapter sends them). */
export interface Mailer {
  /** Resolves once the server accepted the mail; rejects with a `MailDeliveryError` otherwise. */
  send(message: MailMessage): Promise<void>;
  /** Closes its connections; mails in hand are finished first. */
  close(): Promise<void>;
}

export const MAILER = token<Mailer>('Mailer');
