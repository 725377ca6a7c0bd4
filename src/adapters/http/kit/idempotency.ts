/**
 * `Idempotency-Key` on create endpoints (routes declared `idempotent: true`): the first response
 * to a request with a key is kept for 24 hours under the key and the caller, and a retry of the
 * same request gets it again, marked `Idempotent-Replayed: true`, without running anything.
 *
 * The step runs after the checks that need no work done (token, path, right, existence, body), so
 * a retry is checked as the first request was, and a request refused there never touches a key.
 * Only a success (2xx) is kept. A refusal from the use case (409 taken, 404 gone meanwhile, ...)
 * and a failure (5xx) created nothing, since the use case runs in one transaction, so the key is
 * released and a retry runs again and gets today's answer.
 *
 * A kept answer may name a resource that was deleted since (a sign-up replayed after the user was
 * erased). The replay then says so with 409 instead of a 201 for something that is gone, and
 * creates nothing: the key's promise is that the request takes effect at most once.
 */
import { createHash, createHmac } from 'node:crypto';
import type Koa from 'koa';
import type { Actor } from '../../../domain/user/role.js';
import { DomainError } from '../../../domain/shared/errors.js';
import type { IdempotencyStore } from '../../../application/ports/idempotency-store.js';
import type { Logger } from '../../../application/ports/logger.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** How long a response is kept for its retries. */
export const IDEMPOTENCY_TTL_S = 24 * 60 * 60;
/**
 * How long a request in flight holds its key if it never finishes (the process died): a retry is
 * 409 until then. Far above any request's time, far below the day a lost claim would block a key.
 */
export const IDEMPOTENCY_LEASE_S = 5 * 60;

/** 1 to 255 visible ASCII characters (no spaces, no control characters). */
const KEY_SYNTAX = /^[\x21-\x7e]{1,255}$/;

/** What the OpenAPI document says about an idempotent operation: its header parameter, response header and rules. */
export const IDEMPOTENCY_DOC = {
  parameter: {
    name: IDEMPOTENCY_KEY_HEADER,
    in: 'header',
    required: false,
    description:
      'Makes a retry safe: a unique key per request (a UUID, say), 1 to 255 visible ASCII characters. Send the same key, with the same body, when retrying.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]{1,255}$' },
  },
  header: {
    description: `\`true\` when the response is the replay of the first response to a request with the same ${IDEMPOTENCY_KEY_HEADER}`,
    schema: { type: 'string', enum: ['true'] },
  },
  description: [
    `**Retries with \`${IDEMPOTENCY_KEY_HEADER}\`.** The first success (2xx) of a request that carries a key is kept for 24 hours, under the key and the caller`,
    ' (the signed-in user; for a request without a token, the client address). A retry with the same key, method, path and body within that time creates nothing',
    ` and gets that response again, its status, body, \`Location\` and \`ETag\`, with \`${IDEMPOTENT_REPLAYED_HEADER}: true\`.`,
    ' Errors are not kept: a refused or failed request created nothing, so its retry runs again and gets the answer of the moment.',
    ' The checks before the work (token, path, permissions, existence, body) apply to a retry as to the first request.',
    ` The same key with another body or path: 422. The same key while the first request is still running: 409 (retry once it has completed).`,
    ' A retry whose first request created something that has since been deleted: 409, and nothing is created again.',
    ' A malformed key: 400. Keys cannot be checked (their store is down): 503 with `Retry-After`; nothing was done.',
  ].join(''),
} as const;

/** The replies the step deals in (the route's `Reply`, which this module does not import). */
export interface KeptReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The key the request carries: null without the header, 400 when it is malformed (or sent twice). */
export function idempotencyKeyOf(ctx: Koa.Context): string | null {
  const raw = ctx.req.headers['idempotency-key'];
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !KEY_SYNTAX.test(raw)) {
    throw new DomainError(
      'bad_request',
      `${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 visible ASCII characters`,
      [{ field: IDEMPOTENCY_KEY_HEADER, message: 'Must be 1 to 255 visible ASCII characters' }],
    );
  }
  return raw;
}

/**
 * Whose keys these are: the user when signed in, otherwise the address the request came from
 * (`ctx.ip`, which believes `X-Forwarded-For` only behind a trusted proxy). Two anonymous callers
 * behind one address share a scope; with keys as random as the contract asks (a UUID), they never
 * meet, and if they did the fingerprint would tell their requests apart (422).
 */
export function idempotencyScope(actor: Actor | null, ctx: Koa.Context): string {
  if (actor !== null) return `user:${actor.id}`;
  // An address from X-Forwarded-For is whatever the proxy passed on: anything but a plain IP is
  // kept as its digest, so a scope stays short.
  const ip = ctx.ip;
  return /^[0-9A-Za-z:.%]{1,64}$/.test(ip)
    ? `address:${ip}`
    : `address#${createHash('sha256').update(ip).digest('hex').slice(0, 32)}`;
}

/**
 * The path a request addressed, as the route understood it: the version's prefix and the decoded
 * parameters (`/api/v1/users/7/orders`), so `/users/7/orders` under version 1 is the same path.
 */
export const resolvedPath = (base: string, template: string, params: unknown): string =>
  `${base}${template.replace(/:(\w+)/g, (_, name: string) => String((params as Record<string, unknown> | undefined)?.[name]))}`;

/** JSON with the keys of every object sorted, so that two spellings of one body are one text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface IdempotentCall {
  readonly key: string;
  readonly scope: string;
  readonly method: string;
  /** The path as the route resolves it (version prefix and decoded parameters). */
  readonly path: string;
  /** The decoded body. */
  readonly body: unknown;
  /** Whether what a kept reply created is still there; a replay of a reply that names a gone resource is 409. */
  readonly stillExists?: (reply: KeptReply) => Promise<boolean>;
}

export const REPLAYED_RESOURCE_GONE = `The resource created by the first request with this ${IDEMPOTENCY_KEY_HEADER} has since been deleted; send a new request with a new key to create it again`;

/**
 * Runs requests that carry a key through the store. The fingerprint of a request is an
 * HMAC-SHA-256 of its method, path and canonical body, rather than a plain hash: a sign-up body
 * holds a password, and a stored plain hash of it next to the email would be a fast hash to guess
 * at. The HMAC key is derived from `secret` (the service's signing secret), so a copy of the
 * store alone reveals nothing.
 */
export class IdempotentRequests {
  private readonly fingerprintKey: Buffer;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly logger: Logger,
    secret: Uint8Array,
  ) {
    this.fingerprintKey = createHmac('sha256', secret)
      .update('idempotency-key-fingerprint')
      .digest();
  }

  fingerprint(call: Pick<IdempotentCall, 'method' | 'path' | 'body'>): string {
    return createHmac('sha256', this.fingerprintKey)
      .update(JSON.stringify([call.method.toUpperCase(), call.path]))
      .update('\n')
      .update(canonicalJson(call.body))
      .digest('hex');
  }

  /** The reply of `work`, or the kept reply of the first request with this key (then marked replayed). */
  async run(call: IdempotentCall, work: () => Promise<KeptReply>): Promise<KeptReply> {
    const fingerprint = this.fingerprint(call);
    const begun = await this.begin({
      scope: call.scope,
      key: call.key,
      fingerprint,
      leaseS: IDEMPOTENCY_LEASE_S,
    });
    switch (begun.outcome) {
      case 'replay': {
        const { status, headers, body } = begun.response;
        if (call.stillExists !== undefined && !(await call.stillExists(begun.response)))
          throw new DomainError('conflict', REPLAYED_RESOURCE_GONE);
        return {
          status,
          headers: { ...headers, [IDEMPOTENT_REPLAYED_HEADER]: 'true' },
          ...(body === null ? {} : { body }),
        };
      }
      case 'in_flight':
        throw new DomainError(
          'conflict',
          `A request with this ${IDEMPOTENCY_KEY_HEADER} is still in progress; retry once it has completed`,
        );
      case 'mismatch':
        throw new DomainError(
          'validation',
          `This ${IDEMPOTENCY_KEY_HEADER} was already used for a different request`,
          [
            {
              field: IDEMPOTENCY_KEY_HEADER,
              message:
                'Already used with another method, path or body; use a new key for a new request',
            },
          ],
        );
      case 'new':
        break;
    }
    let reply: KeptReply;
    try {
      reply = await work();
    } catch (error) {
      await this.settle('release', () => this.store.release(begun.ticket));
      throw error;
    }
    if (reply.status >= 200 && reply.status < 300) {
      const kept = {
        status: reply.status,
        headers: { ...(reply.headers ?? {}) },
        body: reply.body ?? null,
      };
      await this.settle('complete', () =>
        this.store.complete(begun.ticket, kept, IDEMPOTENCY_TTL_S),
      );
    } else {
      await this.settle('release', () => this.store.release(begun.ticket));
    }
    return reply;
  }

  /**
   * A store that cannot be asked is 503: the caller sent a key because a duplicate would hurt, so
   * the request is not run unguarded. It can be sent again, with the same key, later.
   */
  private async begin(request: Parameters<IdempotencyStore['begin']>[0]) {
    try {
      return await this.store.begin(request);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      this.logger.warn('idempotency store unavailable', {
        event: 'idempotency_store_unavailable',
        error: error instanceof Error ? error.message : String(error),
      });
      const unavailable = new DomainError(
        'unavailable',
        `${IDEMPOTENCY_KEY_HEADER} cannot be checked right now; try again shortly`,
        undefined,
        { retryAfterS: 5 },
      );
      Object.defineProperty(unavailable, 'cause', { value: error, enumerable: false });
      throw unavailable;
    }
  }

  /**
   * Completing or releasing a key never changes the answer: the work is done (or failed) either
   * way. When the store fails here, the claim lapses after its lease; that is logged.
   */
  private async settle(step: 'complete' | 'release', write: () => Promise<boolean>): Promise<void> {
    try {
      if (!(await write()))
        this.logger.warn('idempotency key claim lost', { event: 'idempotency_claim_lost', step });
    } catch (error) {
      this.logger.warn('idempotency key not settled', {
        event: 'idempotency_settle_failed',
        step,
        lease_s: IDEMPOTENCY_LEASE_S,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
