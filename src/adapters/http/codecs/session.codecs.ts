import type { ExportedSession } from '../../../application/queries/export-account/export-account.handler.js';
import type { SessionSummary } from '../../../application/queries/list-sessions/list-sessions.handler.js';
import type { SessionView } from '../../../application/ports/session-read-model.js';
import { SESSION_ID_PATTERN, type PublishedKey } from '../../../application/ports/tokens.js';
import { IP_MAX, USER_AGENT_MAX } from '../../../domain/session/session.js';
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from '../../../domain/user/user-rules.js';
import { K4_PUBLIC_PATTERN, KEY_ID_PATTERN } from '../../../application/ports/tokens.js';
import { unauthorized } from '../../../domain/shared/errors.js';
import { INVALID_REFRESH_TOKEN } from '../../../application/commands/refresh-token/refresh-token.handler.js';
import { object, text } from '../kit/codecs/codec.js';
import { params, type ParamSpec } from '../kit/codecs/params.js';

/**
 * A refresh token as a client sends it. Only its presence is checked here: a string that cannot be
 * one of ours is refused by the use case like any unknown token (401 on refresh, a no-op on logout).
 */
const RefreshToken = text(
  'RefreshToken',
  {
    minLength: 1,
    maxLength: 512,
    writeOnly: true,
    description: 'The opaque refresh token from /auth/token or /auth/refresh',
  },
  (v) =>
    v.length === 0
      ? 'Refresh token is required'
      : v.length > 512
        ? 'Refresh token is too long'
        : null,
  () => unauthorized(INVALID_REFRESH_TOKEN),
);

export const RefreshRequest = object(
  'RefreshRequest',
  { refresh_token: RefreshToken },
  {},
  'Exchanges a refresh token for a new pair.',
);

export const LogoutRequest = object(
  'LogoutRequest',
  { refresh_token: RefreshToken },
  {},
  'Ends the session of this refresh token.',
);

const CurrentPassword = text(
  'CurrentPassword',
  { minLength: 1, maxLength: 1024, format: 'password', writeOnly: true },
  (v) =>
    v.length === 0
      ? 'Current password is required'
      : v.length > 1024
        ? 'Current password is too long'
        : null,
);

export const NewPassword = text(
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

export const PasswordConfirmationBody = object(
  'PasswordConfirmationRequest',
  {
    password: text(
      'ConfirmingPassword',
      {
        minLength: 1,
        maxLength: 1024,
        format: 'password',
        writeOnly: true,
        description: "The account's current password",
      },
      (v) =>
        v.length === 0 ? 'Password is required' : v.length > 1024 ? 'Password is too long' : null,
    ),
  },
  {},
  "The caller's password, to confirm a step that cannot be undone by the caller.",
);

/** A session id in a path: the opaque id of the session representation (a UUID, lower-case). */
const sessionIdParam: ParamSpec<string> = {
  schema: { type: 'string', minLength: 36, maxLength: 36, pattern: SESSION_ID_PATTERN.source },
  description: 'The `id` of a session, as listed',
  parse: (raw) =>
    SESSION_ID_PATTERN.test(raw)
      ? { value: raw }
      : { error: `Invalid session id: ${raw.slice(0, 40)}. Expected the id of a listed session` },
};

export const SessionIdParams = params('SessionIdParams', { session_id: sessionIdParam }, {}, [
  'session_id',
]);

/** At most this many sessions are listed, the newest: more live sessions than this is a script, not a person. */
export const SESSION_LIST_MAX = 100;

const time = (description?: string) => ({
  type: 'string',
  format: 'date-time',
  maxLength: 30,
  ...(description === undefined ? {} : { description }),
});

const SESSION_PROPERTIES = {
  id: {
    type: 'string',
    minLength: 36,
    maxLength: 36,
    pattern: SESSION_ID_PATTERN.source,
    description: 'Opaque; the path parameter of DELETE /users/me/sessions/{session_id}',
    examples: ['2f1c5d2e-8b7a-4c1e-9f3a-6d2b1e0c4a57'],
  },
  created_at: time('The sign-in'),
  expires_at: time('When the session ends at the latest; refreshing does not extend it'),
  last_used_at: time('The sign-in or the last refresh (not every request)'),
  user_agent: {
    type: ['string', 'null'],
    maxLength: USER_AGENT_MAX,
    description:
      'Of the sign-in or the last refresh, cut to 256 characters; null when none was sent',
    examples: ['Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0'],
  },
  ip: {
    type: ['string', 'null'],
    maxLength: IP_MAX,
    description: 'The address of the sign-in or the last refresh',
    examples: ['203.0.113.7'],
  },
} as const;

export const SessionSchema = {
  type: 'object',
  required: ['id', 'created_at', 'expires_at', 'last_used_at', 'user_agent', 'ip', 'current'],
  properties: {
    ...SESSION_PROPERTIES,
    current: { type: 'boolean', description: 'The session of the token that asked' },
  },
} as const;

export const SessionListSchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: SessionSchema,
      maxItems: SESSION_LIST_MAX,
      description: 'Live sessions, newest first',
    },
  },
} as const;

const sessionFields = (s: SessionView) => ({
  id: s.id,
  created_at: s.createdAt.toISOString(),
  expires_at: s.expiresAt.toISOString(),
  last_used_at: s.lastUsedAt.toISOString(),
  user_agent: s.userAgent,
  ip: s.ip,
});

/** The session representation of the contract. */
export const presentSession = (s: SessionSummary) => ({ ...sessionFields(s), current: s.current });

/** A session in an export: every session stored, ended ones with their state. */
export const presentExportedSession = (s: ExportedSession) => ({
  ...sessionFields(s),
  revoked_at: s.revokedAt === null ? null : s.revokedAt.toISOString(),
  state: s.state,
});

export const ExportedSessionSchema = {
  type: 'object',
  required: [
    'id',
    'created_at',
    'expires_at',
    'last_used_at',
    'user_agent',
    'ip',
    'revoked_at',
    'state',
  ],
  properties: {
    ...SESSION_PROPERTIES,
    revoked_at: {
      ...time('When it was ended (logout, revocation, reuse of a refresh token), or null'),
      type: ['string', 'null'],
    },
    state: {
      type: 'string',
      enum: ['live', 'revoked', 'expired', 'superseded'],
      description: '`superseded`: begun before the last password change',
    },
  },
} as const;

export const PublicKeysSchema = {
  type: 'object',
  required: ['keys'],
  properties: {
    keys: {
      type: 'array',
      maxItems: 100,
      description: 'The active key first, then the retired keys whose tokens still verify',
      items: {
        type: 'object',
        required: ['kid', 'paserk', 'status'],
        properties: {
          kid: {
            type: 'string',
            maxLength: 64,
            pattern: KEY_ID_PATTERN.source,
            description: 'The `kid` in the footer of the tokens this key verifies',
            examples: ['2026-12'],
          },
          paserk: {
            type: 'string',
            maxLength: 100,
            pattern: K4_PUBLIC_PATTERN.source,
            description: 'PASERK `k4.public`: an Ed25519 public key for PASETO v4.public',
          },
          status: {
            type: 'string',
            enum: ['active', 'retired'],
            description:
              '`active` signs new tokens; `retired` only verifies tokens issued before a rotation',
          },
        },
      },
    },
  },
} as const;

export const presentPublicKeys = (keys: readonly PublishedKey[]) => ({
  keys: keys.map(({ kid, paserk, status }) => ({ kid, paserk, status })),
});
