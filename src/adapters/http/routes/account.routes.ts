/**
 * What a signed-in user sees and does about their own account (sessions, deactivation, erasure,
 * export), and what an admin does about another user's sessions. Declared before the user routes,
 * so that `/users/me/...` is never taken for a user id.
 */
import type { Caller } from '../../../application/caller.js';
import { DeactivateAccountCommand } from '../../../application/commands/deactivate-account/deactivate-account.command.js';
import { DeactivateAccountHandler } from '../../../application/commands/deactivate-account/deactivate-account.handler.js';
import { DeleteAccountCommand } from '../../../application/commands/delete-account/delete-account.command.js';
import { DeleteAccountHandler } from '../../../application/commands/delete-account/delete-account.handler.js';
import { EndSessionCommand } from '../../../application/commands/end-session/end-session.command.js';
import { EndSessionHandler } from '../../../application/commands/end-session/end-session.handler.js';
import { EndUserSessionsCommand } from '../../../application/commands/end-user-sessions/end-user-sessions.command.js';
import { EndUserSessionsHandler } from '../../../application/commands/end-user-sessions/end-user-sessions.handler.js';
import {
  ExportAccountHandler,
  type AccountExport,
} from '../../../application/queries/export-account/export-account.handler.js';
import { ExportAccountQuery } from '../../../application/queries/export-account/export-account.query.js';
import { ListSessionsHandler } from '../../../application/queries/list-sessions/list-sessions.handler.js';
import { ListSessionsQuery } from '../../../application/queries/list-sessions/list-sessions.query.js';
import type { Actor } from '../../../domain/user/role.js';
import type { QueryBus } from '../../../application/bus.js';
import { AuditEventSchema, presentAuditEvent } from '../codecs/audit.codecs.js';
import { OrderSchema, presentOrder } from '../codecs/orders.codecs.js';
import {
  ExportedSessionSchema,
  PasswordConfirmationBody,
  SESSION_LIST_MAX,
  SessionIdParams,
  SessionListSchema,
  presentExportedSession,
  presentSession,
} from '../codecs/session.codecs.js';
import { UserIdParams, UserSchema, presentUser } from '../codecs/users.codecs.js';
import { type AnyRouteSpec, defineRoute } from '../kit/route.js';

const TAG = 'Sessions';
const NO_STORE = { 'Cache-Control': 'no-store' };
/** `int32` ids: no user has more orders or sessions than there are ids. */
const ANY_NUMBER = 2_147_483_647;

async function sessionList(queries: QueryBus, actor: Actor, userId: number) {
  const sessions = await queries.execute(ListSessionsHandler, new ListSessionsQuery(actor, userId));
  return {
    status: 200,
    body: { items: sessions.slice(0, SESSION_LIST_MAX).map(presentSession) },
    headers: NO_STORE,
  };
}

const presentExport = (data: AccountExport) => ({
  exported_at: data.exportedAt.toISOString(),
  user: {
    ...presentUser(data.user),
    password_changed_at:
      data.passwordChangedAt === null ? null : data.passwordChangedAt.toISOString(),
  },
  orders: data.orders.map(presentOrder),
  sessions: data.sessions.map(presentExportedSession),
  audit_events: data.auditEvents.map(presentAuditEvent),
  pending_mails: data.pendingMails.map((mail) => ({
    kind: mail.kind,
    created_at: mail.createdAt.toISOString(),
    status: mail.status,
  })),
  email_tokens: data.emailTokens.map((t) => ({
    purpose: t.purpose,
    created_at: t.createdAt.toISOString(),
    expires_at: t.expiresAt.toISOString(),
  })),
});

const DATE_TIME = { type: 'string', format: 'date-time', maxLength: 30 } as const;

const ExportSchema = {
  type: 'object',
  required: [
    'exported_at',
    'user',
    'orders',
    'sessions',
    'audit_events',
    'pending_mails',
    'email_tokens',
  ],
  properties: {
    exported_at: { type: 'string', format: 'date-time', maxLength: 30 },
    user: {
      ...UserSchema,
      required: [...UserSchema.required, 'password_changed_at'],
      properties: {
        ...UserSchema.properties,
        password_changed_at: {
          type: ['string', 'null'],
          format: 'date-time',
          maxLength: 30,
          description: 'The last password change; never the password or its hash',
        },
      },
    },
    orders: {
      type: 'array',
      items: OrderSchema,
      maxItems: ANY_NUMBER,
      description: 'Every order, newest first, with its items',
    },
    sessions: {
      type: 'array',
      items: ExportedSessionSchema,
      maxItems: ANY_NUMBER,
      description: 'Every session still stored, ended ones included',
    },
    audit_events: {
      type: 'array',
      items: AuditEventSchema,
      maxItems: Number.MAX_SAFE_INTEGER,
      description:
        'The audit events the user acted in, or about the user, their sessions or their orders; newest first',
    },
    pending_mails: {
      type: 'array',
      maxItems: ANY_NUMBER,
      description:
        'Mails about the user not sent yet, to its current address or one it had before, oldest first; never their content or link',
      items: {
        type: 'object',
        required: ['kind', 'created_at', 'status'],
        properties: {
          kind: {
            type: 'string',
            enum: ['verify_email', 'email_changed', 'password_reset', 'password_changed'],
          },
          created_at: DATE_TIME,
          status: { type: 'string', enum: ['pending'] },
        },
      },
    },
    email_tokens: {
      type: 'array',
      maxItems: ANY_NUMBER,
      description:
        'Verification and reset links still usable, oldest first; never the token or its hash',
      items: {
        type: 'object',
        required: ['purpose', 'created_at', 'expires_at'],
        properties: {
          purpose: { type: 'string', enum: ['verify_email', 'password_reset'] },
          created_at: DATE_TIME,
          expires_at: DATE_TIME,
        },
      },
    },
  },
} as const;

const confirmation =
  'Body `{"password"}`: the account\'s password. A wrong one is 400 and counts toward the sign-in lockout of the account from this address, like a wrong current password at `/users/me/password` (429 with `Retry-After` once locked).';

export const accountRoutes: readonly AnyRouteSpec[] = [
  defineRoute({
    operationId: 'listOwnSessions',
    method: 'GET',
    path: '/users/me/sessions',
    tag: TAG,
    summary: "The signed-in user's live sessions",
    description: `One per sign-in, newest first (at most the ${SESSION_LIST_MAX} newest); \`current\` marks the session of the token that asks. \`last_used_at\`, \`user_agent\` and \`ip\` are those of the sign-in or of the last refresh.`,
    auth: 'required',
    success: {
      status: 200,
      description: 'The live sessions',
      schema: SessionListSchema,
      name: 'SessionList',
    },
    handle: ({ actor, queries }) => sessionList(queries, actor, actor.id),
  }),
  defineRoute({
    operationId: 'endOwnSession',
    method: 'DELETE',
    path: '/users/me/sessions/:session_id',
    tag: TAG,
    summary: "End one of the signed-in user's sessions",
    description:
      "Like a logout of that session: its refresh token and its access tokens stop working on the very next request, on every instance. Ending the current session signs the caller out. A session that is not one of the caller's live sessions (someone else's, ended, or unknown) is 404.",
    auth: 'required',
    params: SessionIdParams,
    success: { status: 204, description: 'The session has ended' },
    errors: [404],
    async handle({ actor, params, commands }) {
      await commands.execute(EndSessionHandler, new EndSessionCommand(actor, params.session_id));
      return { status: 204, headers: NO_STORE };
    },
  }),
  defineRoute({
    operationId: 'deactivateOwnAccount',
    method: 'POST',
    path: '/users/me/deactivate',
    tag: 'Users',
    summary: "Deactivate the signed-in user's account",
    description: `${confirmation} \`is_active\` becomes false and every session of the account ends; an admin can reactivate it (sessions do not come back). The last active admin cannot: 409.`,
    auth: 'required',
    body: PasswordConfirmationBody,
    success: { status: 204, description: 'Deactivated; every session has ended' },
    errors: [400, 409, 429],
    async handle({ actor, body, commands, ctx }) {
      await commands.execute(
        DeactivateAccountHandler,
        new DeactivateAccountCommand(actor, body.password, ctx.ip),
      );
      return { status: 204 };
    },
  }),
  defineRoute({
    operationId: 'deleteOwnAccount',
    method: 'DELETE',
    path: '/users/me',
    tag: 'Users',
    summary: "Erase the signed-in user's account",
    description: `${confirmation} The account, its orders and its sessions are erased; its tokens then get 401. The last active admin cannot: 409.`,
    auth: 'required',
    body: PasswordConfirmationBody,
    success: { status: 204, description: 'Erased' },
    errors: [400, 409, 429],
    async handle({ actor, body, commands, ctx }) {
      await commands.execute(
        DeleteAccountHandler,
        new DeleteAccountCommand(actor, body.password, ctx.ip),
      );
      return { status: 204 };
    },
  }),
  defineRoute({
    operationId: 'exportOwnAccount',
    method: 'GET',
    path: '/users/me/export',
    tag: 'Users',
    summary: 'Everything stored about the signed-in user',
    description:
      'One JSON document, as a download: the profile (never a password or its hash), every order with its items, every session the service still keeps (ended ones with their state), and the audit events the user acted in or that are about the user, their sessions or their orders. Never cached.',
    auth: 'required',
    success: {
      status: 200,
      description: 'The export',
      schema: ExportSchema,
      name: 'AccountExport',
      headers: ['Content-Disposition', 'Cache-Control'],
    },
    async handle({ actor, queries }) {
      const data = await queries.execute(ExportAccountHandler, new ExportAccountQuery(actor));
      const day = data.exportedAt.toISOString().slice(0, 10);
      return {
        status: 200,
        body: presentExport(data),
        headers: {
          ...NO_STORE,
          'Content-Disposition': `attachment; filename="account-${actor.id}-${day}.json"`,
        },
      };
    },
  }),
  defineRoute({
    operationId: 'listUserSessions',
    method: 'GET',
    path: '/users/:id/sessions',
    tag: TAG,
    summary: "A user's live sessions",
    description: `Admins only. Newest first (at most the ${SESSION_LIST_MAX} newest); \`current\` is true only for the admin's own session when the admin asks about themself.`,
    auth: 'required',
    roles: ['admin'],
    params: UserIdParams,
    success: {
      status: 200,
      description: 'The live sessions',
      schema: SessionListSchema,
      name: 'SessionList',
    },
    errors: [404],
    handle: ({ actor, params, queries }) => sessionList(queries, actor as Caller, params.id),
  }),
  defineRoute({
    operationId: 'endUserSessions',
    method: 'DELETE',
    path: '/users/:id/sessions',
    tag: TAG,
    summary: 'End every session of a user',
    description:
      'Admins only. Every refresh token and access token of the user stops working on the very next request, on every instance; the user can sign in again (to keep them out, deactivate the account).',
    auth: 'required',
    roles: ['admin'],
    params: UserIdParams,
    success: { status: 204, description: 'Every session of the user has ended' },
    errors: [404],
    async handle({ actor, params, commands }) {
      await commands.execute(EndUserSessionsHandler, new EndUserSessionsCommand(actor, params.id));
      return { status: 204, headers: NO_STORE };
    },
  }),
];
