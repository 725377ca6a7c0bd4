import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from '../../../domain/user/user-rules.js';
import { unauthorized } from '../../../domain/shared/errors.js';
import { INVALID_REFRESH_TOKEN } from '../../../application/commands/refresh-token/refresh-token.handler.js';
import { object, text } from './codec.js';

/**
 * A refresh token as a client sends it. Only its presence is checked here: a string that cannot be
 * one of ours is refused by the use case like any unknown token (401 on refresh, a no-op on logout).
 */
const RefreshToken = text(
  'RefreshToken',
  { minLength: 1, maxLength: 512, writeOnly: true, description: 'The opaque refresh token from /auth/token or /auth/refresh' },
  (v) => (v.length === 0 ? 'Refresh token is required' : v.length > 512 ? 'Refresh token is too long' : null),
  () => unauthorized(INVALID_REFRESH_TOKEN),
);

export const RefreshRequest = object('RefreshRequest', { refresh_token: RefreshToken }, {}, 'Exchanges a refresh token for a new pair.');

export const LogoutRequest = object('LogoutRequest', { refresh_token: RefreshToken }, {}, 'Ends the session of this refresh token.');

const CurrentPassword = text(
  'CurrentPassword',
  { minLength: 1, maxLength: 1024, format: 'password', writeOnly: true },
  (v) => (v.length === 0 ? 'Current password is required' : v.length > 1024 ? 'Current password is too long' : null),
);

const NewPassword = text(
  'NewPassword',
  {
    minLength: PASSWORD_MIN,
    maxLength: PASSWORD_MAX,
    format: 'password',
    writeOnly: true,
    description: 'At least one upper-case letter, one lower-case letter and one digit.',
  },
  passwordProblem,
);

export const ChangePasswordBody = object(
  'ChangePasswordRequest',
  { current_password: CurrentPassword, new_password: NewPassword },
  {},
  'The current password and the new one.',
);
