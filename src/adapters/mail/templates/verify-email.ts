import { htmlMail, tokenLink, type RenderedMail, type TemplateContext } from './layout.js';

export interface VerifyEmailData {
  readonly username: string;
  readonly token: string;
}

export function verifyEmail(data: VerifyEmailData, context: TemplateContext): RenderedMail {
  const link = tokenLink(context, 'verify-email', data.token);
  const subject = 'Confirm your email address';
  const lines = [`Hello ${data.username},`, 'Please confirm that this is your email address by opening the link below.'];
  const after = 'If you did not ask for this, you can ignore this mail.';
  return {
    subject,
    text: `${lines.join('\n\n')}\n\n${link}\n\n${after}\n`,
    html: htmlMail(subject, [...lines, after], { href: link, label: 'Confirm my email address' }),
  };
}
