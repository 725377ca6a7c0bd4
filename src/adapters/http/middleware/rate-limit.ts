/**
 * The API's rate limit: one budget of requests per client and window, on every path but the
 * exempt ones (health, metrics, documentation). Each response on a limited path says where the
 * client stands (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` in seconds), errors
 * included; a request over the budget is 429 `RateLimitError` with `Retry-After`.
 *
 * The client is the user when the request carries a valid access token, its address otherwise.
 * The token is checked for its signature and expiry only (the `TokenVerifier`, no database): the
 * route's own authentication re-reads the account and the session afterwards, so a token of an
 * ended session still counts against its user's budget and is then refused with 401. A missing,
 * malformed, tampered or expired token counts against the address (`ctx.ip`, which believes
 * `X-Forwarded-For` only when TRUST_PROXY is set).
 */
import type Koa from 'koa';
import { DomainError } from '../../../domain/shared/errors.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { RateLimitDecision, RateLimiter } from '../../../application/ports/rate-limiter.js';
import type { TokenVerifier } from '../../../application/ports/tokens.js';
import { BEARER } from '../kit/pipeline.js';

export interface RateLimitDeps {
  readonly limiter: RateLimiter;
  readonly tokens: TokenVerifier;
  readonly logger: Logger;
  /** Paths that are never limited. */
  readonly exempt: (path: string) => boolean;
  /** Told of every request refused with 429 (for the metrics). */
  readonly refused?: () => void;
}

/** The budget a request is counted against: `user:<id>` for a valid access token, `ip:<address>` otherwise. */
export async function rateLimitKey(ctx: Koa.Context, tokens: TokenVerifier): Promise<string> {
  const token = BEARER.exec(ctx.get('Authorization'))?.[1];
  if (token !== undefined) {
    try {
      return `user:${(await tokens.verifyAccessToken(token)).userId}`;
    } catch {
      // Not a token of ours, or an expired one: the address answers for it.
    }
  }
  return `ip:${ctx.ip}`;
}

function setHeaders(ctx: Koa.Context, decision: RateLimitDecision): void {
  ctx.set('RateLimit-Limit', String(decision.limit));
  ctx.set('RateLimit-Remaining', String(decision.remaining));
  ctx.set('RateLimit-Reset', String(decision.resetS));
}

/**
 * Two middlewares, because the count and the refusal sit on either side of the version choice:
 * `count` runs before it, so that every answer on a limited path carries the headers (a 400 for
 * an unsupported `X-API-Version` too); `enforce` runs after it, so that the 429 is written in the
 * shape of the version asked for (v1's error body or v2's problem details). Both sit inside the
 * error handler, which turns the refusal into its response and keeps the headers.
 */
export function rateLimit(deps: RateLimitDeps): {
  readonly count: Koa.Middleware;
  readonly enforce: Koa.Middleware;
} {
  let failing = false;
  return {
    async count(ctx, next) {
      if (deps.exempt(ctx.path)) return next();
      let decision: RateLimitDecision | undefined;
      try {
        decision = await deps.limiter.consume(await rateLimitKey(ctx, deps.tokens));
        failing = false;
      } catch (error) {
        // The limiter answers from memory when its store fails, so this is a defect, not an
        // outage: serve the request rather than fail it, and say so once.
        if (!failing)
          deps.logger.error('rate limiter failed', {
            event: 'rate_limiter_failed',
            error: error instanceof Error ? error.message : String(error),
          });
        failing = true;
      }
      if (decision !== undefined) {
        setHeaders(ctx, decision);
        ctx.state.rateLimit = decision;
      }
      return next();
    },
    async enforce(ctx, next) {
      const decision = ctx.state.rateLimit as RateLimitDecision | undefined;
      if (decision !== undefined && !decision.allowed) {
        deps.refused?.();
        throw new DomainError(
          'rate_limited',
          `Rate limit exceeded: ${decision.limit} requests per ${decision.windowS} seconds. Try again in ${decision.resetS} seconds.`,
          undefined,
          { retryAfterS: decision.resetS },
        );
      }
      return next();
    },
  };
}
