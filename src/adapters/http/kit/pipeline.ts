/**
 * `routeMiddleware` turns a route declaration into Koa middleware that applies the contract's
 * order of checks: token (401), path and query (400), the caller's right (403), existence (404),
 * body (415, 422; 403 for fields the caller may not write), then the handler (412, 409, ...).
 */
import type Koa from 'koa';
import { DomainError, unauthorized } from '../../../domain/shared/errors.js';
import type { Actor } from '../../../domain/user/role.js';
import { insufficientRole, requireRole } from '../../../domain/user/user-policy.js';
import type { CommandBus, QueryBus } from '../../../application/bus.js';
import { AuthenticateHandler } from '../../../application/queries/authenticate/authenticate.handler.js';
import { AuthenticateQuery } from '../../../application/queries/authenticate/authenticate.query.js';
import { decode, type ObjectCodec } from './codecs/codec.js';
import type { ParamCodec } from './codecs/params.js';
import type { CursorCodec } from './cursor.js';
import { HttpError } from './errors.js';
import { setJsonBody } from './json-body.js';
import {
  idempotencyKeyOf,
  idempotencyScope,
  resolvedPath,
  type IdempotentRequests,
  type KeptReply,
} from './idempotency.js';
import type { ActorFor, ApiVersion, RouteAuth, RouteSpec } from './route.js';

export interface RouteDeps {
  readonly cursors: CursorCodec;
  readonly commands: CommandBus;
  readonly queries: QueryBus;
  /** Reads (and size-limits) the request body into ctx.request.body. */
  readonly parseBody: (ctx: Koa.Context) => Promise<void>;
  /** Runs the requests of `idempotent` routes that carry an Idempotency-Key. */
  readonly idempotency: IdempotentRequests;
}

/** `Authorization: Bearer <token>`; the token's characters are those RFC 6750 allows. */
export const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+)\s*$/i;

export async function authenticate(ctx: Koa.Context, queries: QueryBus): Promise<Actor | null> {
  const header = ctx.get('Authorization');
  if (header === '') return null;
  const match = BEARER.exec(header);
  if (match === null || match[1] === undefined) {
    ctx.state.authError = 'invalid_request';
    throw unauthorized('Invalid Authorization header: expected "Bearer <token>"');
  }
  try {
    const actor = await queries.execute(AuthenticateHandler, new AuthenticateQuery(match[1]));
    ctx.state.userId = actor.id;
    return actor;
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'unauthorized')
      ctx.state.authError = 'invalid_token';
    throw error;
  }
}

function hasBody(ctx: Koa.Context): boolean {
  const headers = ctx.req.headers;
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? '0') > 0;
}

async function readBody<B>(
  spec: RouteSpec<unknown, unknown, B>,
  ctx: Koa.Context,
  deps: RouteDeps,
): Promise<{ raw: unknown; codec: ObjectCodec<B> }> {
  const codec = spec.body as ObjectCodec<B>;
  if (!hasBody(ctx)) return { raw: {}, codec };
  const isJson = ctx.is('application/json', '+json') !== false;
  const isForm =
    spec.acceptsForm !== undefined && ctx.is('application/x-www-form-urlencoded') !== false;
  if (!isJson && !isForm) {
    throw new HttpError(
      'unsupported_media_type',
      spec.acceptsForm !== undefined
        ? 'Content-Type must be application/json or application/x-www-form-urlencoded'
        : 'Content-Type must be application/json',
    );
  }
  await deps.parseBody(ctx);
  return {
    raw: (ctx.request as { body?: unknown }).body,
    codec: isForm ? (spec.acceptsForm as ObjectCodec<B>) : codec,
  };
}

function decodeParams<A>(codec: ParamCodec<A> | undefined, raw: unknown): A {
  if (codec === undefined) return undefined as A;
  const result = decode(codec, raw);
  if (result.ok) return result.value;
  throw new DomainError(
    'bad_request',
    result.issues.map((i) => i.message).join('; '),
    result.issues,
  );
}

export function routeMiddleware<P, Q, B, A extends RouteAuth>(
  spec: RouteSpec<P, Q, B, A>,
  deps: RouteDeps,
): Koa.Middleware {
  return async (ctx) => {
    // 1. The token.
    let actor: Actor | null = null;
    if (spec.auth !== 'public') {
      actor = await authenticate(ctx, deps.queries);
      if (actor === null && spec.auth === 'required') {
        ctx.state.authError = 'missing';
        throw unauthorized('Not authenticated');
      }
    }
    // 2. The path and the query.
    const params = decodeParams(spec.params, ctx.params);
    const query = decodeParams(spec.query, ctx.query);
    const idempotencyKey = spec.idempotent === true ? idempotencyKeyOf(ctx) : null;
    // 3. The caller's right to the resource.
    if (actor !== null) {
      if (spec.roles !== undefined) requireRole(actor, ...spec.roles);
      spec.authorize?.(actor, params);
      // 4. Its existence.
      if (spec.load !== undefined) await spec.load({ actor, params, queries: deps.queries });
    }
    // 5. The body.
    let body = undefined as B;
    if (spec.body !== undefined) {
      const { raw, codec } = await readBody(spec as RouteSpec<unknown, unknown, B>, ctx, deps);
      if (spec.restricted !== undefined && typeof raw === 'object' && raw !== null) {
        for (const [field, roles] of Object.entries(spec.restricted)) {
          if (field in raw && (actor === null || !roles.includes(actor.role))) {
            throw insufficientRole(...roles);
          }
        }
      }
      const decoded = decode(codec, raw);
      if (!decoded.ok)
        throw new DomainError('validation', 'Request validation failed', decoded.issues);
      body = decoded.value;
    }
    // 6. The use case (or, for a retry with an Idempotency-Key, the first answer again).
    const run = () =>
      spec.handle({
        version: ctx.state.apiVersion as ApiVersion,
        cursors: deps.cursors,
        // Step 1 threw when a required token was missing, and read none on a public route.
        actor: actor as ActorFor<A>,
        params,
        query,
        body,
        ctx,
        commands: deps.commands.in({
          actorId: actor?.id ?? null,
          requestId: String(ctx.state.requestId),
          ip: ctx.ip,
        }),
        queries: deps.queries,
      });
    const reply =
      idempotencyKey === null
        ? await run()
        : await deps.idempotency.run(
            {
              key: idempotencyKey,
              scope: idempotencyScope(actor, ctx),
              method: spec.method,
              path: resolvedPath(String(ctx.state.apiBase), spec.path, params),
              body,
              ...(spec.stillExists === undefined
                ? {}
                : {
                    stillExists: (reply: KeptReply) =>
                      spec.stillExists!({ reply, queries: deps.queries }),
                  }),
            },
            run,
          );
    const headers = reply.headers;
    if (headers !== undefined) for (const name in headers) ctx.set(name, headers[name]!);
    ctx.status = reply.status;
    if (reply.body !== undefined) setJsonBody(ctx, reply.body);
  };
}
