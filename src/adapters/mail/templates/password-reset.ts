import { htmlMail, tokenLink, type RenderedMail, type TemplateContext } from './layout.js';

export interface PasswordResetData {
  readonly username: string;
  readonly token: string;
}

export function passwordReset(data: PasswordResetData, context: TemplateContext): RenderedMail {
  const link = tokenLink(context, 'reset-password', data.token);
  const subject = 'Reset your password';
  const lines = [`Hello ${data.username},`, 'Someone asked to reset the password of your account. Open the link below to choose a new one.'];
  const after = 'If it was not you, ignore this mail: your password stays as it is.';
  return {
    subject,
    text: `${lines.join('\n\n')}\n\n${link}\n\n${after}\n`,
    html: htmlMail(subject, [...lines, after], { href: link, label: 'Choose a new password' }),
  };
}
