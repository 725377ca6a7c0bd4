import { createTransport } from 'nodemailer';
import {
  MailDeliveryError,
  type Mailer,
  type MailMessage,
} from '../../application/ports/mailer.js';

export interface SmtpMailerOptions {
  /** `smtp://` (STARTTLS when the server offers it) or `smtps://` (TLS from the start), credentials in the URL. */
  readonly url: string;
  /** The sender, `Name <address>` or a bare address. */
  readonly from: string;
  /** Connections kept open to the server. */
  readonly maxConnections?: number;
  /** Milliseconds to open a connection, to get the greeting, and of silence on an open one. */
  readonly connectionTimeoutMs?: number;
  readonly greetingTimeoutMs?: number;
  readonly socketTimeoutMs?: number;
}

/** What nodemailer and the sockets under it put on their errors. */
interface TransportError {
  readonly message?: string;
  readonly code?: string;
  readonly responseCode?: number;
}

/**
 * Sends through an SMTP server with nodemailer: a pool of connections reused from mail to mail,
 * TLS from the start for `smtps://` and STARTTLS whenever an `smtp://` server offers it, and
 * timeouts on every step so that a server that hangs fails the mail instead of holding it.
 * A 5xx reply is permanent; every other failure is worth another try.
 */
export class SmtpMailer implements Mailer {
  private readonly transport;

  constructor(options: SmtpMailerOptions) {
    this.transport = createTransport(
      {
        url: options.url,
        pool: true,
        maxConnections: options.maxConnections ?? 5,
        connectionTimeout: options.connectionTimeoutMs ?? 10_000,
        greetingTimeout: options.greetingTimeoutMs ?? 10_000,
        socketTimeout: options.socketTimeoutMs ?? 30_000,
      },
      { from: options.from },
    );
  }

  async send(message: MailMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    } catch (error) {
      const { message: text, code, responseCode } = (error ?? {}) as TransportError;
      const permanent =
        typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
      throw new MailDeliveryError(
        `${code ?? 'ERROR'}${responseCode === undefined ? '' : ` ${responseCode}`}: ${String(text ?? error).slice(0, 300)}`,
        permanent,
      );
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
