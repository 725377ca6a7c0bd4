import { LRUCache } from 'lru-cache';
import type { Clock } from '../../application/ports/clock.js';
import {
  ISSUE_CLOCK_SKEW_MS,
  type AccessTokenClaims,
  type TokenVerifier,
} from '../../application/ports/tokens.js';

export interface TokenCacheOptions {
  /** How many verified tokens are remembered; the least recently used go first. */
  readonly max: number;
}

export const DEFAULT_TOKEN_CACHE: TokenCacheOptions = { max: 10_000 };

/**
 * Remembers the claims of verified access tokens until they expire, so a token seen before costs
 * a lookup instead of an Ed25519 verification. Only what the signature proves is cached: not
 * revocation (the session is still read on every request), not failures (a bad token cannot push
 * good ones out). Expiry and the issue-time allowance are checked on every hit; a token that fails
 * them goes back to the verifier for its exact error.
 */
export class CachingTokenVerifier implements TokenVerifier {
  private readonly cache: LRUCache<string, AccessTokenClaims>;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly clock: Clock,
    options: TokenCacheOptions = DEFAULT_TOKEN_CACHE,
  ) {
    if (!Number.isSafeInteger(options.max) || options.max < 1)
      throw new RangeError(`Token cache size must be a positive integer, got ${options.max}`);
    this.cache = new LRUCache({ max: options.max });
  }

  /** How many tokens are remembered. */
  get size(): number {
    return this.cache.size;
  }

  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    const cached = this.cache.get(token);
    if (cached !== undefined) {
      const now = this.clock.now().getTime();
      if (
        now <= cached.expiresAt.getTime() &&
        now >= cached.issuedAt.getTime() - ISSUE_CLOCK_SKEW_MS
      )
        return cached;
      this.cache.delete(token);
    }
    const claims = Object.freeze(await this.verifier.verifyAccessToken(token));
    this.cache.set(token, claims);
    return claims;
  }
}
