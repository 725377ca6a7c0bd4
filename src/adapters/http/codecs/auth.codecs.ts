import { unauthorized } from '../../../domain/shared/errors.js';
import { BAD_CREDENTIALS } from '../../../application/commands/issue-token/issue-token.handler.js';
import { object, oneOf, text } from '../kit/codecs/codec.js';

/** A login that is not text is answered as any login that matches nobody. */
const badCredentials = () => unauthorized(BAD_CREDENTIALS);

const atMost = (label: string, max: number) => (v: string) =>
  v.length > max ? `${label} must be at most ${max} characters` : null;
const nonEmpty = (label: string) => (v: string) =>
  v.length === 0 ? `${label} is required` : v.length > 254 ? `${label} is too long` : null;
const Login = text(
  'Login',
  { minLength: 1, maxLength: 254, description: 'Username or email' },
  nonEmpty('Username'),
  badCredentials,
);
const Secret = text(
  'Secret',
  { minLength: 1, maxLength: 1024, format: 'password', writeOnly: true },
  (v) =>
    v.length === 0 ? 'Password is required' : v.length > 1024 ? 'Password is too long' : null,
  badCredentials,
);

export const TokenRequestJson = object(
  'TokenRequest',
  { username: Login, password: Secret },
  {},
  'Sign-in; `username` may be the email.',
);

/** The OAuth2 password grant as a form (the docs page's Authorize button sends this). */
export const TokenRequestForm = object(
  'TokenRequestForm',
  { username: Login, password: Secret },
  {
    grant_type: oneOf('GrantType', ['password'] as const, 'grant_type must be "password"'),
    scope: text('Scope', { maxLength: 1024 }, atMost('scope', 1024)),
    client_id: text('ClientId', { maxLength: 255 }, atMost('client_id', 255)),
    client_secret: text(
      'ClientSecret',
      { maxLength: 1024, format: 'password', writeOnly: true },
      atMost('client_secret', 1024),
    ),
  },
);

export const TokenResponseSchema = {
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in', 'refresh_token', 'refresh_expires_in'],
  properties: {
    access_token: { type: 'string', maxLength: 2048, description: 'PASETO v4.public' },
    token_type: { type: 'string', enum: ['bearer'] },
    expires_in: {
      type: 'integer',
      format: 'int32',
      minimum: 0,
      maximum: 86_400,
      description: 'Seconds',
      examples: [1800],
    },
    refresh_token: {
      type: 'string',
      maxLength: 512,
      description: 'Opaque; spent by /auth/refresh, which returns a new one',
    },
    refresh_expires_in: {
      type: 'integer',
      format: 'int32',
      minimum: 0,
      maximum: 31_536_000,
      description: 'Seconds until the session ends; refreshing does not extend it',
      examples: [1209600],
    },
  },
} as const;
