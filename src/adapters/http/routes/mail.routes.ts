import { RequestEmailVerificationCommand } from '../../../application/commands/request-email-verification/request-email-verification.command.js';
import { RequestEmailVerificationHandler } from '../../../application/commands/request-email-verification/request-email-verification.handler.js';
import { RequestPasswordResetCommand } from '../../../application/commands/request-password-reset/request-password-reset.command.js';
import { RequestPasswordResetHandler } from '../../../application/commands/request-password-reset/request-password-reset.handler.js';
import { ResetPasswordCommand } from '../../../application/commands/reset-password/reset-password.command.js';
import { ResetPasswordHandler } from '../../../application/commands/reset-password/reset-password.handler.js';
import { VerifyEmailCommand } from '../../../application/commands/verify-email/verify-email.command.js';
import { VerifyEmailHandler } from '../../../application/commands/verify-email/verify-email.handler.js';
import {
  PasswordResetBody,
  PasswordResetRequestBody,
  VerifyEmailBody,
} from '../codecs/mail.codecs.js';
import { type AnyRouteSpec, defineRoute } from '../kit/route.js';

const TAG = 'Authentication';
const NO_STORE = { 'Cache-Control': 'no-store' };

/** Email verification and password recovery: the mails are queued and sent after the answer. */
export const mailRoutes: readonly AnyRouteSpec[] = [
  defineRoute({
    operationId: 'requestEmailVerification',
    method: 'POST',
    path: '/auth/verify-email/request',
    tag: TAG,
    summary: "Send a new verification mail to the caller's address",
    description:
      "Queues a verification mail to the account's address with a link to `APP_URL/verify-email#token=...`; earlier verification tokens stop working. 409 when the address is verified already. Requests for mails are limited per address and per email (`MAIL_REQUEST_MAX` per `MAIL_REQUEST_WINDOW_S`): 429 with `Retry-After` beyond.",
    auth: 'required',
    success: { status: 202, description: 'The mail is queued' },
    errors: [409, 429],
    async handle({ actor, commands, ctx }) {
      await commands.execute(
        RequestEmailVerificationHandler,
        new RequestEmailVerificationCommand(actor, ctx.ip),
      );
      return { status: 202, headers: NO_STORE };
    },
  }),
  defineRoute({
    operationId: 'verifyEmail',
    method: 'POST',
    path: '/auth/verify-email',
    tag: TAG,
    summary: 'Confirm an email address with the token from the mail',
    description:
      'Spends the token and sets `email_verified`. A token is single-use, expires after `EMAIL_TOKEN_TTL_S`, and proves only the address it was sent to: an unknown, spent, expired or superseded token, or one for an address the account no longer has, is 400 `Invalid or expired token`.',
    auth: 'public',
    body: VerifyEmailBody,
    success: { status: 204, description: 'The address is verified' },
    errors: [400],
    async handle({ body, commands }) {
      await commands.execute(VerifyEmailHandler, new VerifyEmailCommand(body.token));
      return { status: 204, headers: NO_STORE };
    },
  }),
  defineRoute({
    operationId: 'requestPasswordReset',
    method: 'POST',
    path: '/auth/password-reset/request',
    tag: TAG,
    summary: 'Send a password-reset mail',
    description:
      'Always 202, in about the same time whether or not the address belongs to an account, so the answer tells nobody which addresses have accounts. An active account with that email gets a mail with a link to `APP_URL/reset-password#token=...`, valid for `PASSWORD_RESET_TTL_S`; earlier reset tokens stop working. Limited per address and per email (`MAIL_REQUEST_MAX` per `MAIL_REQUEST_WINDOW_S`): 429 with `Retry-After` beyond.',
    auth: 'public',
    body: PasswordResetRequestBody,
    success: { status: 202, description: 'Accepted (whether or not a mail goes out)' },
    errors: [429],
    async handle({ body, commands, ctx }) {
      await commands.execute(
        RequestPasswordResetHandler,
        new RequestPasswordResetCommand(body.email, ctx.ip),
      );
      return { status: 202, headers: NO_STORE };
    },
  }),
  defineRoute({
    operationId: 'resetPassword',
    method: 'POST',
    path: '/auth/password-reset',
    tag: TAG,
    summary: 'Set a new password with the token from the reset mail',
    description:
      "Spends the token and sets the new password: every session of the account ends, every access token issued before stops working, the sign-in lockout of the account is cleared, and a notice goes to the account's address. An unknown, spent or expired token, or one for an address the account no longer has, is 400 `Invalid or expired token`; a weak password is 422.",
    auth: 'public',
    body: PasswordResetBody,
    success: { status: 204, description: 'The password is changed; sign in with it' },
    errors: [400],
    async handle({ body, commands }) {
      await commands.execute(
        ResetPasswordHandler,
        new ResetPasswordCommand(body.token, body.new_password),
      );
      return { status: 204, headers: NO_STORE };
    },
  }),
];
