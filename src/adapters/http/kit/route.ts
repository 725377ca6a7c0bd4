/**
 * A route is one declaration: method, path, codecs, who may call, and which command or query it
 * runs. `pipeline.ts` runs a declaration; the OpenAPI document is built from the same declarations.
 */
import type Koa from 'koa';
import type { Actor, Role } from '../../../domain/user/role.js';
import type { CommandDispatcher, QueryBus } from '../../../application/bus.js';
import type { JsonSchema, ObjectCodec } from './codecs/codec.js';
import type { ParamCodec } from './codecs/params.js';
import type { CursorCodec } from './cursor.js';
import type { KeptReply } from './idempotency.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteAuth = 'public' | 'optional' | 'required';

/** The caller a handler sees: never null where a token is required, always null where none is read. */
export type ActorFor<A extends RouteAuth> = A extends 'required'
  ? Actor
  : A extends 'public'
    ? null
    : Actor | null;

export interface RouteInput<P, Q, B, A extends RouteAuth = RouteAuth> {
  /** The API version serving the request (1 or 2). */
  readonly version: ApiVersion;
  readonly cursors: CursorCodec;
  readonly actor: ActorFor<A>;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly ctx: Koa.Context;
  /** The command bus in this request's context (caller, request id, address). */
  readonly commands: CommandDispatcher;
  readonly queries: QueryBus;
}

export interface SuccessDoc {
  readonly status: number;
  readonly description: string;
  /** Names the schema under components in the OpenAPI document. */
  readonly name?: string;
  readonly schema?: JsonSchema;
  readonly headers?: readonly string[];
}

export const API_VERSIONS = [1, 2] as const;

/** Paths are case-sensitive (`/API/V1/users` is 404): every router of the app is built with these. */
export const ROUTER_OPTIONS = { sensitive: true } as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export interface RouteSpec<P = unknown, Q = unknown, B = unknown, A extends RouteAuth = RouteAuth> {
  /** Unique per route; the OpenAPI operationId is this plus the version (derived from the path when absent). */
  readonly operationId?: string;
  readonly method: HttpMethod;
  /** Relative to the version prefix, in @koa/router syntax (`/users/:id`). */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  /** Whether a token is read and required; it also types the handler's `actor`. */
  readonly auth: A;
  /** Roles allowed at all (403 otherwise); finer rules live in the domain's policies. */
  readonly roles?: readonly Role[];
  readonly params?: ParamCodec<P>;
  readonly query?: ParamCodec<Q>;
  readonly body?: ObjectCodec<B>;
  /** Also accept the body as an HTML form (application/x-www-form-urlencoded). */
  readonly acceptsForm?: ObjectCodec<B>;
  /** 403 checks that need only the caller and the path. */
  readonly authorize?: (actor: Actor, params: P) => void;
  /** Runs before the body is read, so that a missing resource is 404 before a bad body is 422. */
  readonly load?: (input: { actor: Actor; params: P; queries: QueryBus }) => Promise<unknown>;
  /** Fields only some callers may write: sending one without the right is 403. */
  readonly restricted?: Readonly<Record<string, readonly Role[]>>;
  readonly success: SuccessDoc;
  /** Statuses besides those the declaration implies (401, 403, 400, 404, 415, 422). */
  readonly errors?: readonly number[];
  /**
   * Honours `Idempotency-Key` (`idempotency.ts`): a retry within 24 hours replays the first
   * success. Checked after the body, so only a request that passed every check claims a key.
   */
  readonly idempotent?: boolean;
  /**
   * For an `idempotent` route: whether what a kept reply created still exists. A replay of one
   * that names a deleted resource is 409 rather than a success for something gone.
   */
  readonly stillExists?: (input: { reply: KeptReply; queries: QueryBus }) => Promise<boolean>;
  handle(input: RouteInput<P, Q, B, A>): Promise<Reply>;
  /**
   * What a later version does differently (its query, its success document, its handler).
   * Versions differ only here, in the HTTP adapter: the use case is the same.
   */
  // biome-ignore lint/suspicious/noExplicitAny: a later version may decode another query
  readonly versions?: { readonly [V in Exclude<ApiVersion, 1>]?: Partial<RouteSpec<P, any, B, A>> };
}

/** Any route declaration, as the route table, the app and the OpenAPI builder hold them. */
// biome-ignore lint/suspicious/noExplicitAny: the table holds routes of every parameter type
export type AnyRouteSpec = RouteSpec<any, any, any, any>;

/** The declaration as a given version serves it. */
export function specFor<P, Q, B, A extends RouteAuth>(
  spec: RouteSpec<P, Q, B, A>,
  version: ApiVersion,
): RouteSpec<P, Q, B, A> {
  if (version === 1) return spec;
  const override = spec.versions?.[version];
  return override === undefined ? spec : ({ ...spec, ...override } as RouteSpec<P, Q, B, A>);
}

/** A route declaration, its types inferred: `auth: 'required'` gives the handler a non-null `actor`. */
export const defineRoute = <
  P = undefined,
  Q = undefined,
  B = undefined,
  const A extends RouteAuth = RouteAuth,
>(
  spec: RouteSpec<P, Q, B, A>,
): RouteSpec<P, Q, B, A> => spec;
