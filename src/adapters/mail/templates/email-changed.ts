import { htmlMail, type RenderedMail, type TemplateContext } from './layout.js';

export interface EmailChangedData {
  readonly username: string;
  readonly newEmail: string;
}

/** To the old address: the account's email changed, and to what. */
export function emailChanged(data: EmailChangedData, _context: TemplateContext): RenderedMail {
  const subject = 'Your email address was changed';
  const lines = [
    `Hello ${data.username},`,
    `The email address of your account was changed to ${data.newEmail}. Mail about the account now goes there.`,
    'If you did not make this change, contact an administrator at once.',
  ];
  return { subject, text: `${lines.join('\n\n')}\n`, html: htmlMail(subject, lines) };
}
