import type { MailMessage } from '../../../application/ports/mailer.js';
import type { Mail } from '../../../application/ports/outbox.js';
import { emailChanged } from './email-changed.js';
import type { TemplateContext } from './layout.js';
import { passwordChanged } from './password-changed.js';
import { passwordReset } from './password-reset.js';
import { verifyEmail } from './verify-email.js';

export type { TemplateContext } from './layout.js';

/** The message of a queued mail: its kind's template applied to its data. */
export function renderMail(mail: Mail, context: TemplateContext): MailMessage {
  const rendered = (() => {
    switch (mail.kind) {
      case 'verify_email':
        return verifyEmail(mail.data, context);
      case 'email_changed':
        return emailChanged(mail.data, context);
      case 'password_reset':
        return passwordReset(mail.data, context);
      case 'password_changed':
        return passwordChanged(mail.data, context);
    }
  })();
  return { to: mail.to, ...rendered };
}
