import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitDecision, RateLimiter } from '../../application/ports/rate-limiter.js';

export interface RateLimitOptions {
  /** Requests per window and key. */
  readonly max: number;
  /** The window, in seconds. */
  readonly windowS: number;
  /** Prefix of the stored keys (`<prefix>:<hash>`). */
  readonly keyPrefix?: string;
}

const DEFAULT_PREFIX = 'um:rate-limit';

type Limiter = RateLimiterMemory | RateLimiterRedis;

/**
 * The API's request budget on rate-limiter-flexible: fixed windows, one atomic count per request,
 * in memory or shared in Redis with an in-memory insurance limiter, so a Redis outage costs the
 * shared count, never a request (decision 0010). Keys are hashed: Redis holds no addresses.
 */
export class FlexibleRateLimiter implements RateLimiter {
  private constructor(
    private readonly limiter: Limiter,
    private readonly options: RateLimitOptions,
  ) {}

  static inMemory(options: RateLimitOptions): FlexibleRateLimiter {
    return new FlexibleRateLimiter(new RateLimiterMemory(limiterOptions(options)), options);
  }

  /** `client` belongs to the caller, who closes it. */
  static onRedis(client: Redis, options: RateLimitOptions): FlexibleRateLimiter {
    return new FlexibleRateLimiter(
      new RateLimiterRedis({
        ...limiterOptions(options),
        storeClient: client,
        rejectIfRedisNotReady: true,
        inMemoryBlockOnConsumed: options.max + 1,
        insuranceLimiter: new RateLimiterMemory(limiterOptions(options)),
      }),
      options,
    );
  }

  async consume(key: string): Promise<RateLimitDecision> {
    try {
      return this.decision(true, await this.limiter.consume(storedKey(key)));
    } catch (refused) {
      if (refused instanceof RateLimiterRes) return this.decision(false, refused);
      throw refused;
    }
  }

  private decision(allowed: boolean, res: RateLimiterRes): RateLimitDecision {
    return {
      allowed,
      limit: this.options.max,
      windowS: this.options.windowS,
      remaining: allowed ? Math.max(0, res.remainingPoints) : 0,
      resetS: Math.min(this.options.windowS, Math.max(1, Math.ceil(res.msBeforeNext / 1000))),
    };
  }
}

function limiterOptions({ max, windowS, keyPrefix }: RateLimitOptions) {
  if (!Number.isSafeInteger(max) || max < 1)
    throw new RangeError(`max must be a positive integer, got ${max}`);
  if (!Number.isSafeInteger(windowS) || windowS < 1)
    throw new RangeError(`windowS must be a positive integer, got ${windowS}`);
  return { points: max, duration: windowS, keyPrefix: keyPrefix ?? DEFAULT_PREFIX };
}

/** Keys hashed lately: the same users and addresses come back request after request. */
const storedKeys = new LRUCache<string, string>({ max: 10_000 });

function storedKey(key: string): string {
  let stored = storedKeys.get(key);
  if (stored === undefined) {
    stored = hash('sha256', key, 'base64url');
    storedKeys.set(key, stored);
  }
  return stored;
}
