import { token } from './injection.js';

/**
 * Remembers the outcome of requests sent with an idempotency key, so a retry gets the first answer
 * instead of doing the work twice. `begin` claims a key atomically (one of concurrent duplicates
 * gets `new`); the claimant then `complete`s or `release`s it, or its lease lapses. Anything past
 * its time by the Clock port counts as absent.
 */
export interface IdempotencyStore {
  begin(request: IdempotencyRequest): Promise<IdempotencyBegin>;
  /**
   * Keeps the response for `ttlS` seconds from now. False when the claim was no longer the
   * holder's (its lease lapsed and another request took the key): nothing is written then.
   */
  complete(ticket: IdempotencyTicket, response: StoredResponse, ttlS: number): Promise<boolean>;
  /** Frees the key for a new attempt. False when the claim was no longer the holder's. */
  release(ticket: IdempotencyTicket): Promise<boolean>;
}

export interface IdempotencyRequest {
  /** Whose key it is (a user, an address): keys of different scopes never meet. */
  readonly scope: string;
  readonly key: string;
  /** What the request was (a hash of its method, path and body). */
  readonly fingerprint: string;
  /** How long the claim holds, in seconds, if it is never completed nor released. */
  readonly leaseS: number;
}

/** What a successful `begin` hands over: the key and the claim that `complete` and `release` name. */
export interface IdempotencyTicket {
  readonly scope: string;
  readonly key: string;
  /** The fingerprint of the request the key was claimed for. */
  readonly fingerprint: string;
  /** Tells this claim from any later claim of the same key. */
  readonly claim: string;
}

/** A response as kept: replayed as it was. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** A JSON value; null when the response had no body. */
  readonly body: unknown;
}

export type IdempotencyBegin =
  /** The key was free (or its time was up): the caller does the work. */
  | { readonly outcome: 'new'; readonly ticket: IdempotencyTicket }
  /** The same request completed before: its response. */
  | { readonly outcome: 'replay'; readonly response: StoredResponse }
  /** The same request is still being worked on. */
  | { readonly outcome: 'in_flight' }
  /** The key was used for another request (another fingerprint), running or done. */
  | { readonly outcome: 'mismatch' };

export const IDEMPOTENCY_STORE = token<IdempotencyStore>('IdempotencyStore');

/** A key as a store keeps it, before its time is up. */
export interface KeptIdempotencyKey {
  readonly fingerprint: string;
  /** The response once completed; null while the first request is in flight. */
  readonly response: StoredResponse | null;
}

/**
 * What a `begin` finds when the key is taken and its time is not up, the same for every store:
 * another request under the key is a mismatch, whether it is done or not (a retry of it could
 * never succeed); the same request is replayed once complete, and in flight before.
 */
export function outcomeForKept(
  kept: KeptIdempotencyKey,
  fingerprint: string,
): Exclude<IdempotencyBegin, { outcome: 'new' }> {
  if (kept.fingerprint !== fingerprint) return { outcome: 'mismatch' };
  return kept.response === null
    ? { outcome: 'in_flight' }
    : { outcome: 'replay', response: kept.response };
}
