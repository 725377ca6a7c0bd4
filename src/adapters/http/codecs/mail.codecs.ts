import { object, text } from '../kit/codecs/codec.js';
import { NewPassword } from './session.codecs.js';
import { Email } from './users.codecs.js';

/**
 * A token from a mail. Only its presence and size are checked here: any other string is refused by
 * the use case as `Invalid or expired token` (400), like a token that was spent or has expired.
 */
const MailToken = text(
  'MailToken',
  {
    minLength: 1,
    maxLength: 512,
    writeOnly: true,
    description: 'The token from the link in the mail (after `#token=`)',
  },
  (v) => (v.length === 0 ? 'Token is required' : v.length > 512 ? 'Token is too long' : null),
);

export const VerifyEmailBody = object(
  'VerifyEmailRequest',
  { token: MailToken },
  {},
  'Proves the address a verification mail was sent to.',
);

export const PasswordResetRequestBody = object(
  'PasswordResetRequest',
  { email: Email },
  {},
  'The address of the account whose password is forgotten.',
);

export const PasswordResetBody = object(
  'PasswordResetConfirm',
  { token: MailToken, new_password: NewPassword },
  {},
  'The token from the reset mail and the new password.',
);
