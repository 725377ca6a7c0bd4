import type { Actor, Role } from '../../../domain/user/role.js';
import type { QueryBus } from '../../../application/bus.js';
import { requireSelfOr } from '../../../domain/user/user-policy.js';
import { DeleteUserCommand } from '../../../application/commands/delete-user/delete-user.command.js';
import { DeleteUserHandler } from '../../../application/commands/delete-user/delete-user.handler.js';
import { ChangePasswordCommand } from '../../../application/commands/change-password/change-password.command.js';
import { ChangePasswordHandler } from '../../../application/commands/change-password/change-password.handler.js';
import { ChangePasswordBody } from '../codecs/session.codecs.js';
import { RegisterUserCommand } from '../../../application/commands/register-user/register-user.command.js';
import { RegisterUserHandler } from '../../../application/commands/register-user/register-user.handler.js';
import { ReplaceUserCommand } from '../../../application/commands/replace-user/replace-user.command.js';
import { ReplaceUserHandler } from '../../../application/commands/replace-user/replace-user.handler.js';
import { UpdateUserCommand } from '../../../application/commands/update-user/update-user.command.js';
import { UpdateUserHandler } from '../../../application/commands/update-user/update-user.handler.js';
import { GetUserHandler } from '../../../application/queries/get-user/get-user.handler.js';
import { GetUserQuery } from '../../../application/queries/get-user/get-user.query.js';
import { UserExistsHandler } from '../../../application/queries/user-exists/user-exists.handler.js';
import { UserExistsQuery } from '../../../application/queries/user-exists/user-exists.query.js';
import { ListUsersHandler } from '../../../application/queries/list-users/list-users.handler.js';
import { ListUsersQuery } from '../../../application/queries/list-users/list-users.query.js';
import { userPosition, type UserSortField } from '../../../application/ports/user-read-model.js';
import {
  ListUsersQueryCodec,
  ListUsersSliceQueryCodec,
  RegisterUserBody,
  ReplaceUserBody,
  UpdateUserBody,
  UserIdParams,
  UserSchema,
  presentUser,
} from '../codecs/users.codecs.js';
import { expectedVersions, withETag } from '../conditional.js';
import { CursorCodec } from '../kit/cursor.js';
import { pageReply, pageSchema, sliceReply, sliceSchema } from '../pagination.js';
import { type AnyRouteSpec, defineRoute } from '../kit/route.js';

/** Existence (404) before the body is read; the read model also applies the read policy. */
const userExists = ({
  actor,
  params,
  queries,
}: {
  actor: Actor;
  params: { id: number };
  queries: QueryBus;
}) => queries.execute(GetUserHandler, new GetUserQuery(actor, params.id));

const TAG = 'Users';

/** Filters and sort, shared by both versions of the list. */
function userListShape(query: { role?: Role; is_active?: boolean; search?: string; sort: string }) {
  const descending = query.sort.startsWith('-');
  return {
    filter: {
      ...(query.role === undefined ? {} : { role: query.role }),
      ...(query.is_active === undefined ? {} : { isActive: query.is_active }),
      ...(query.search === undefined ? {} : { search: query.search }),
    },
    sort: {
      field: query.sort.replace(/^-/, '') as UserSortField,
      direction: descending ? ('desc' as const) : ('asc' as const),
    },
  };
}

export const userRoutes: readonly AnyRouteSpec[] = [
  defineRoute({
    operationId: 'createUser',
    method: 'POST',
    path: '/users',
    tag: TAG,
    summary: 'Create a user (sign up)',
    description: 'Anyone may sign up. An authenticated admin may also set `role` and `is_active`.',
    auth: 'optional',
    body: RegisterUserBody,
    restricted: { role: ['admin'], is_active: ['admin'] },
    success: {
      status: 201,
      description: 'The new user',
      schema: UserSchema,
      headers: ['Location'],
    },
    errors: [409],
    idempotent: true,
    stillExists: ({ reply, queries }) =>
      queries.execute(UserExistsHandler, new UserExistsQuery((reply.body as { id: number }).id)),
    async handle({ body, actor, commands, ctx }) {
      const input = {
        email: body.email,
        username: body.username,
        password: body.password,
        fullName: body.full_name ?? null,
        ...(body.role === undefined ? {} : { role: body.role }),
        ...(body.is_active === undefined ? {} : { isActive: body.is_active }),
      };
      const user = await commands.execute(
        RegisterUserHandler,
        new RegisterUserCommand(input, actor),
      );
      return {
        status: 201,
        body: presentUser(user),
        headers: { Location: `${ctx.state.apiBase}/users/${user.id}` },
      };
    },
  }),
  defineRoute({
    operationId: 'listUsers',
    method: 'GET',
    path: '/users',
    tag: TAG,
    summary: 'List users',
    description:
      'Admins and moderators. Filters `role`, `is_active`, `search`; `sort` by `created_at`, `username` or `email`, `-` for descending. Version 1 answers numbered pages with a total. Without `search`, `total` is exact, read from per-role and per-activity counts that the database keeps in the same transactions as the writes, so it costs the same at any number of users. With `search` (served by trigram indexes) the matches are counted exactly up to 10,000; past that `total` and `total_pages` are an estimate and `total_exact` is false. A numbered page still costs an index entry per row it skips: for deep pages, use version 2.',
    auth: 'required',
    roles: ['admin', 'moderator'],
    query: ListUsersQueryCodec,
    success: {
      status: 200,
      description: 'A page of users',
      schema: pageSchema(UserSchema),
      name: 'UserPage',
      headers: ['Link'],
    },
    async handle({ actor, query, queries, ctx }) {
      const listing = {
        mode: 'page' as const,
        page: query.page,
        pageSize: query.page_size,
        ...userListShape(query),
      };
      const page = await queries.execute(ListUsersHandler, new ListUsersQuery(actor, listing));
      if (page.mode !== 'page') throw new Error('expected a numbered page');
      return pageReply(ctx, listing, page, presentUser);
    },
    versions: {
      2: {
        description:
          'Admins and moderators. Filters `role`, `is_active`, `search`; `sort` by `created_at`, `username` or `email`, `-` for descending. Version 2 answers keyset pages: pass `next_cursor` back as `cursor`.',
        query: ListUsersSliceQueryCodec,
        success: {
          status: 200,
          description: 'A slice of users',
          schema: sliceSchema(UserSchema),
          name: 'UserSlice',
          headers: ['Link'],
        },
        async handle({ actor, query, queries, ctx, cursors }) {
          const shape = userListShape(query);
          const fingerprint = CursorCodec.fingerprint({
            sort: query.sort,
            role: query.role,
            is_active: query.is_active,
            search: query.search,
          });
          const after =
            query.cursor === undefined ? undefined : cursors.decode(query.cursor, fingerprint);
          const listing = {
            mode: 'slice' as const,
            limit: query.limit,
            ...shape,
            ...(after === undefined ? {} : { after }),
          };
          const slice = await queries.execute(ListUsersHandler, new ListUsersQuery(actor, listing));
          if (slice.mode !== 'slice') throw new Error('expected a slice');
          return sliceReply(ctx, slice, presentUser, (last) =>
            cursors.encode(userPosition(last, shape.sort.field), fingerprint),
          );
        },
      },
    },
  }),
  defineRoute({
    operationId: 'getCurrentUser',
    method: 'GET',
    path: '/users/me',
    tag: TAG,
    summary: 'The signed-in user',
    auth: 'required',
    success: { status: 200, description: 'The caller', schema: UserSchema, headers: ['ETag'] },
    async handle({ actor, queries, ctx }) {
      const user = await queries.execute(GetUserHandler, new GetUserQuery(actor, actor.id));
      return withETag(ctx, user.version, presentUser(user));
    },
  }),
  defineRoute({
    operationId: 'changePassword',
    method: 'POST',
    path: '/users/me/password',
    tag: TAG,
    summary: "Change the signed-in user's password",
    description:
      'Body `{"current_password", "new_password"}`. A wrong current password is 400, a weak new one 422. On success every session of the user is revoked and every access token issued before the change stops working, the caller\'s own included: the client signs in again. Wrong current passwords count against the sign-in lockout of the account from this address (429 with `Retry-After` once locked).',
    auth: 'required',
    body: ChangePasswordBody,
    success: { status: 204, description: 'Changed; sign in again' },
    errors: [400, 429],
    async handle({ actor, body, commands, ctx }) {
      await commands.execute(
        ChangePasswordHandler,
        new ChangePasswordCommand(actor, body.current_password, body.new_password, ctx.ip),
      );
      return { status: 204 };
    },
  }),
  defineRoute({
    operationId: 'getUser',
    method: 'GET',
    path: '/users/:id',
    tag: TAG,
    summary: 'Get a user',
    description:
      "The user itself, moderators and admins. Someone else's id is 403 whether or not it exists.",
    auth: 'required',
    params: UserIdParams,
    authorize: (actor, params) => requireSelfOr(actor, params.id, 'moderator', 'admin'),
    success: { status: 200, description: 'The user', schema: UserSchema, headers: ['ETag'] },
    errors: [304, 404],
    async handle({ actor, params, queries, ctx }) {
      const user = await queries.execute(GetUserHandler, new GetUserQuery(actor, params.id));
      return withETag(ctx, user.version, presentUser(user));
    },
  }),
  defineRoute({
    operationId: 'replaceUser',
    method: 'PUT',
    path: '/users/:id',
    tag: TAG,
    summary: "Replace a user's profile",
    description:
      'The user itself and admins. `email`, `username` and `full_name` are all required; `full_name` may be null.',
    auth: 'required',
    params: UserIdParams,
    authorize: (actor, params) => requireSelfOr(actor, params.id, 'admin'),
    load: userExists,
    body: ReplaceUserBody,
    success: { status: 200, description: 'The user', schema: UserSchema, headers: ['ETag'] },
    errors: [404, 409, 412],
    async handle({ actor, params, body, commands, ctx }) {
      const profile = { email: body.email, username: body.username, fullName: body.full_name };
      const user = await commands.execute(
        ReplaceUserHandler,
        new ReplaceUserCommand(actor, params.id, profile, expectedVersions(ctx)),
      );
      return { status: 200, body: presentUser(user), headers: { ETag: `"${user.version}"` } };
    },
  }),
  defineRoute({
    operationId: 'updateUser',
    method: 'PATCH',
    path: '/users/:id',
    tag: TAG,
    summary: 'Change some fields of a user',
    description:
      'The user itself and admins change the profile; only admins change `role`; admins change `is_active`, moderators too for plain users. Demoting or deactivating the last active admin is 409.',
    auth: 'required',
    params: UserIdParams,
    authorize: (actor, params) => requireSelfOr(actor, params.id, 'admin', 'moderator'),
    load: userExists,
    body: UpdateUserBody,
    restricted: { role: ['admin'], is_active: ['admin', 'moderator'] },
    success: { status: 200, description: 'The user', schema: UserSchema, headers: ['ETag'] },
    errors: [404, 409, 412],
    async handle({ actor, params, body, commands, ctx }) {
      const changes = {
        ...(body.email === undefined ? {} : { email: body.email }),
        ...(body.username === undefined ? {} : { username: body.username }),
        ...(body.full_name === undefined ? {} : { fullName: body.full_name }),
        ...(body.role === undefined ? {} : { role: body.role }),
        ...(body.is_active === undefined ? {} : { isActive: body.is_active }),
      };
      const user = await commands.execute(
        UpdateUserHandler,
        new UpdateUserCommand(actor, params.id, changes, expectedVersions(ctx)),
      );
      return { status: 200, body: presentUser(user), headers: { ETag: `"${user.version}"` } };
    },
  }),
  defineRoute({
    operationId: 'deleteUser',
    method: 'DELETE',
    path: '/users/:id',
    tag: TAG,
    summary: 'Delete a user and their orders',
    description: 'Admins only. Removing the last active admin is 409.',
    auth: 'required',
    roles: ['admin'],
    params: UserIdParams,
    success: { status: 204, description: 'Deleted' },
    errors: [404, 409, 412],
    async handle({ actor, params, commands, ctx }) {
      await commands.execute(
        DeleteUserHandler,
        new DeleteUserCommand(actor, params.id, expectedVersions(ctx)),
      );
      return { status: 204 };
    },
  }),
];
