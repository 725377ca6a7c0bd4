import { linkMail, tokenLink, type RenderedMail, type TemplateContext } from './layout.js';

export interface VerifyEmailData {
  readonly username: string;
  readonly token: string;
}

export const verifyEmail = (data: VerifyEmailData, context: TemplateContext): RenderedMail =>
  linkMail(
    'Confirm your email address',
    [
      `Hello ${data.username},`,
      'Please confirm that this is your email address by opening the link below.',
    ],
    { href: tokenLink(context, 'verify-email', data.token), label: 'Confirm my email address' },
    'If you did not ask for this, you can ignore this mail.',
  );
