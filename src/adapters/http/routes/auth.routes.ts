import { IssueTokenCommand } from '../../../application/commands/issue-token/issue-token.command.js';
import { IssueTokenHandler } from '../../../application/commands/issue-token/issue-token.handler.js';
import type { TokenGrant } from '../../../application/commands/issue-token/issue-token.command.js';
import { LogoutCommand } from '../../../application/commands/logout/logout.command.js';
import { LogoutHandler } from '../../../application/commands/logout/logout.handler.js';
import { RefreshTokenCommand } from '../../../application/commands/refresh-token/refresh-token.command.js';
import { RefreshTokenHandler } from '../../../application/commands/refresh-token/refresh-token.handler.js';
import { TokenRequestForm, TokenRequestJson, TokenResponseSchema } from '../codecs/auth.codecs.js';
import { ListPublicKeysHandler } from '../../../application/queries/list-public-keys/list-public-keys.handler.js';
import { ListPublicKeysQuery } from '../../../application/queries/list-public-keys/list-public-keys.query.js';
import {
  LogoutRequest,
  PublicKeysSchema,
  RefreshRequest,
  presentPublicKeys,
} from '../codecs/session.codecs.js';
import { contentETag, withEntityTag } from '../conditional.js';
import { type AnyRouteSpec, defineRoute } from '../kit/route.js';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
/** Long enough to spare the service, short enough that a rotation reaches every verifier well within a token's lifetime. */
const KEYS_CACHE = { 'Cache-Control': 'public, max-age=300' };

/** The token response of sign-in and refresh (RFC 6749 section 5.1 names, never cached). */
const tokenReply = (grant: TokenGrant) => ({
  status: 200,
  body: {
    access_token: grant.accessToken,
    token_type: grant.tokenType,
    expires_in: grant.expiresIn,
    refresh_token: grant.refreshToken,
    refresh_expires_in: grant.refreshExpiresIn,
  },
  headers: NO_STORE,
});

export const authRoutes: readonly AnyRouteSpec[] = [
  defineRoute({
    operationId: 'issueToken',
    method: 'POST',
    path: '/auth/token',
    tag: 'Authentication',
    summary: 'Sign in',
    description:
      'JSON `{"username", "password"}` (`username` may be the email) or the OAuth2 password form. Starts a session: the answer carries an access token and the session\'s refresh token. A wrong password and an unknown user give the same 401; an inactive account is 403. After `LOGIN_MAX_FAILURES` wrong passwords in a row for one login from one address, further tries are 429 with `Retry-After` for `LOGIN_LOCK_S` seconds, even with the right password.',
    auth: 'public',
    body: TokenRequestJson,
    acceptsForm: TokenRequestForm,
    success: {
      status: 200,
      description: 'An access token and a refresh token',
      schema: TokenResponseSchema,
    },
    errors: [401, 403, 429],
    async handle({ body, commands, ctx }) {
      return tokenReply(
        await commands.execute(
          IssueTokenHandler,
          new IssueTokenCommand(body.username, body.password, ctx.ip, ctx.get('User-Agent')),
        ),
      );
    },
  }),
  defineRoute({
    operationId: 'refreshToken',
    method: 'POST',
    path: '/auth/refresh',
    tag: 'Authentication',
    summary: 'Exchange a refresh token for a new pair',
    description:
      'Spends the refresh token and returns a new access token and a new refresh token of the same session; the session keeps its end (`refresh_expires_in` counts down). An unknown, expired or revoked refresh token is 401. Presenting a spent refresh token again is 401 and revokes the whole session (every refresh and access token of that sign-in), since it means a copy of the token is in other hands; of two refreshes racing with one token, at most one succeeds. An inactive account is 403.',
    auth: 'public',
    body: RefreshRequest,
    success: {
      status: 200,
      description: 'A new access token and refresh token',
      schema: TokenResponseSchema,
    },
    errors: [401, 403],
    async handle({ body, commands, ctx }) {
      return tokenReply(
        await commands.execute(
          RefreshTokenHandler,
          new RefreshTokenCommand(body.refresh_token, ctx.ip, ctx.get('User-Agent')),
        ),
      );
    },
  }),
  defineRoute({
    operationId: 'logout',
    method: 'POST',
    path: '/auth/logout',
    tag: 'Authentication',
    summary: 'Sign out: end the session',
    description:
      'Revokes the session of the refresh token: its refresh tokens and its access tokens stop working on the very next request, on every instance. The refresh token is the credential; no `Authorization` header is needed (one that is sent is ignored). Idempotent, like OAuth token revocation (RFC 7009): a token of a session that has already ended, or a token the service does not know, is 204 too, since afterwards it cannot be used either way. A token holding a control character or a lone surrogate is 401.',
    auth: 'public',
    body: LogoutRequest,
    success: { status: 204, description: 'The session is revoked (or was not usable anyway)' },
    // A refresh token that is not text (a control character, a lone surrogate) is refused as such.
    errors: [401],
    async handle({ body, commands }) {
      await commands.execute(LogoutHandler, new LogoutCommand(body.refresh_token));
      return { status: 204, headers: NO_STORE };
    },
  }),
  defineRoute({
    operationId: 'listPublicKeys',
    method: 'GET',
    path: '/auth/keys',
    tag: 'Authentication',
    summary: 'The public keys that verify access tokens',
    description:
      "Anyone. So that other services verify access tokens without calling this one: take the `kid` from the token's footer and verify the token (PASETO `v4.public`) with the key of that `kid`, then check `exp`, `iss` and `aud`. The `active` key signs new tokens; a `retired` key only verifies tokens issued before a rotation. Cacheable for 5 minutes, with an `ETag` for `If-None-Match`. A verifier that meets an unknown `kid` may fetch again at once (a rotation has happened).",
    auth: 'public',
    success: {
      status: 200,
      description: 'The keys',
      schema: PublicKeysSchema,
      name: 'PublicKeys',
      headers: ['ETag', 'Cache-Control'],
    },
    errors: [304],
    async handle({ queries, ctx }) {
      const body = presentPublicKeys(
        await queries.execute(ListPublicKeysHandler, new ListPublicKeysQuery()),
      );
      const reply = withEntityTag(ctx, contentETag(body), body);
      return { ...reply, headers: { ...reply.headers, ...KEYS_CACHE } };
    },
  }),
];
