import { linkMail, tokenLink, type RenderedMail, type TemplateContext } from './layout.js';

export interface PasswordResetData {
  readonly username: string;
  readonly token: string;
}

export const passwordReset = (data: PasswordResetData, context: TemplateContext): RenderedMail =>
  linkMail(
    'Reset your password',
    [
      `Hello ${data.username},`,
      'Someone asked to reset the password of your account. Open the link below to choose a new one.',
    ],
    { href: tokenLink(context, 'reset-password', data.token), label: 'Choose a new password' },
    'If it was not you, ignore this mail: your password stays as it is.',
  );
