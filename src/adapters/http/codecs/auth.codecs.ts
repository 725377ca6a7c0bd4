import { object, oneOf, text } from './codec.js';

const nonEmpty = (label: string) => (v: string) => (v.length === 0 ? `${label} is required` : v.length > 254 ? `${label} is too long` : null);
const Login = text('Login', { minLength: 1, maxLength: 254, description: 'Username or email' }, nonEmpty('Username'));
const Secret = text('Secret', { minLength: 1, maxLength: 1024, format: 'password', writeOnly: true }, (v) =>
  v.length === 0 ? 'Password is required' : v.length > 1024 ? 'Password is too long' : null,
);

export const TokenRequestJson = object('TokenRequest', { username: Login, password: Secret }, {}, 'Sign-in; `username` may be the email.');

/** The OAuth2 password grant as a form (the docs page's Authorize button sends this). */
export const TokenRequestForm = object(
  'TokenRequestForm',
  { username: Login, password: Secret },
  {
    grant_type: oneOf('GrantType', ['password'] as const, 'grant_type must be "password"'),
    scope: text('Scope', {}),
    client_id: text('ClientId', {}),
    client_secret: text('ClientSecret', {}),
  },
);

export const TokenResponseSchema = {
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in'],
  properties: {
    access_token: { type: 'string', description: 'PASETO v4.public' },
    token_type: { type: 'string', enum: ['bearer'] },
    expires_in: { type: 'integer', description: 'Seconds', examples: [1800] },
  },
} as const;
