import { token } from './injection.js';

/** What one request against a budget was told. */
export interface RateLimitDecision {
  /** False when the key's budget for the current window is spent: the request is refused. */
  readonly allowed: boolean;
  /** Requests a key may make per window. */
  readonly limit: number;
  /** The length of a window, in seconds. */
  readonly windowS: number;
  /** Requests left in the current window, after this one (0 when refused). */
  readonly remaining: number;
  /** Whole seconds until the current window ends and the budget is whole again (at least 1). */
  readonly resetS: number;
}

/**
 * Counts requests per key (a client: a user or an address) in fixed windows and says whether
 * each may go on. Every call counts, refused ones included; a refusal costs the caller nothing
 * more. It never fails because a backing store did: it answers from memory instead.
 */
export interface RateLimiter {
  consume(key: string): Promise<RateLimitDecision>;
}

export const RATE_LIMITER = token<RateLimiter>('RateLimiter');
