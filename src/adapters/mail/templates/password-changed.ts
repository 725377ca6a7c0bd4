import { htmlMail, type RenderedMail, type TemplateContext } from './layout.js';

export interface PasswordChangedData {
  readonly username: string;
}

export function passwordChanged(
  data: PasswordChangedData,
  _context: TemplateContext,
): RenderedMail {
  const subject = 'Your password was changed';
  const lines = [
    `Hello ${data.username},`,
    'The password of your account was changed, and every session was signed out.',
    'If you did not make this change, reset your password at once and contact an administrator.',
  ];
  return { subject, text: `${lines.join('\n\n')}\n`, html: htmlMail(subject, lines) };
}
