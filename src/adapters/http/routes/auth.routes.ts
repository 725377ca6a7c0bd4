import { IssueTokenCommand } from '../../../application/commands/issue-token/issue-token.command.js';
import { IssueTokenHandler } from '../../../application/commands/issue-token/issue-token.handler.js';
import { TokenRequestForm, TokenRequestJson, TokenResponseSchema } from '../codecs/auth.codecs.js';
import { defineRoute, type RouteSpec } from '../route.js';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export const authRoutes: readonly RouteSpec<any, any, any>[] = [
  defineRoute({
    method: 'POST',
    path: '/auth/token',
    tag: 'Authentication',
    summary: 'Sign in',
    description:
      'JSON `{"username", "password"}` (`username` may be the email) or the OAuth2 password form. A wrong password and an unknown user give the same 401; an inactive account is 403.',
    auth: 'public',
    body: TokenRequestJson,
    acceptsForm: TokenRequestForm,
    success: { status: 200, description: 'An access token', schema: TokenResponseSchema },
    errors: [401, 403],
    async handle({ body, commands }) {
      const grant = await commands.execute(IssueTokenHandler, new IssueTokenCommand(body.username, body.password));
      return {
        status: 200,
        body: { access_token: grant.accessToken, token_type: grant.tokenType, expires_in: grant.expiresIn },
        headers: NO_STORE,
      };
    },
  }),
];
