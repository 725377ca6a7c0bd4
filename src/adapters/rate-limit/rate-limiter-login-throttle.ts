import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import {
  accountOfThrottleKey,
  loginThrottleKey,
  type LoginAttempt,
  type LoginThrottle,
} from '../../application/ports/login-throttle.js';

export interface LoginThrottleOptions {
  /** Failed attempts in a row allowed; the next attempt is refused. */
  readonly maxFailures: number;
  /** How long a key stays locked, in seconds. */
  readonly lockS: number;
  /** Prefix of the stored keys (`<prefix>:<hash>`). */
  readonly keyPrefix?: string;
}

const DEFAULT_PREFIX = 'um:login-failures';
/**
 * How long failures are remembered without a success or a lock: a day, or the lock's length when
 * that is longer. "In a row" needs some bound, or a key would live forever.
 */
const failureMemoryS = (lockS: number): number => Math.max(lockS, 86_400);

type Limiter = RateLimiterMemory | RateLimiterRedis;

/**
 * The login throttle on rate-limiter-flexible: each attempt consumes a point before the password
 * is checked, so a burst of guesses cannot pass together, and a right password deletes the
 * counter (decision 0009). Keys are hashed; on Redis an in-memory insurance limiter answers while
 * Redis cannot, so a sign-in never fails because Redis did.
 */
export class RateLimiterLoginThrottle implements LoginThrottle {
  /**
   * @param epochs An account's clear count, mixed into its keys: clearing an account moves every
   *   key of it (from any address) to fresh counters, without knowing the addresses.
   */
  private constructor(
    private readonly limiter: Limiter,
    private readonly epochs: Limiter,
  ) {}

  static inMemory(options: LoginThrottleOptions): RateLimiterLoginThrottle {
    return new RateLimiterLoginThrottle(
      new RateLimiterMemory(limiterOptions(options)),
      new RateLimiterMemory(epochOptions(options)),
    );
  }

  /** `client` belongs to the caller, who closes it. */
  static onRedis(client: Redis, options: LoginThrottleOptions): RateLimiterLoginThrottle {
    return new RateLimiterLoginThrottle(
      new RateLimiterRedis({
        ...limiterOptions(options),
        storeClient: client,
        // Not connected: answer from memory at once rather than wait for a reconnection.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(limiterOptions(options)),
      }),
      new RateLimiterRedis({
        ...epochOptions(options),
        storeClient: client,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(epochOptions(options)),
      }),
    );
  }

  async attempt(key: string): Promise<LoginAttempt> {
    try {
      await this.limiter.consume(await this.counterKey(key));
      return { retryAfterS: 0, lockBegan: false };
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      return {
        retryAfterS: Math.max(1, Math.ceil(refused.msBeforeNext / 1000)),
        // The count is one atomic increment (a Lua script on Redis) and a lock ends by its key
        // expiring, so exactly one attempt of each lock reads one past the allowed failures: the
        // one the limiter blocks the key on.
        lockBegan: refused.consumedPoints === this.limiter.points + 1,
      };
    }
  }

  async succeed(key: string): Promise<void> {
    await this.limiter.delete(await this.counterKey(key));
  }

  async clearAccount(accountId: number): Promise<void> {
    await this.epochs.penalty(
      storedKey(accountOfThrottleKey(loginThrottleKey({ id: accountId }, '', ''))),
      1,
    );
  }

  private async counterKey(key: string): Promise<string> {
    const epoch =
      (await this.epochs.get(storedKey(accountOfThrottleKey(key))))?.consumedPoints ?? 0;
    return storedKey(epoch === 0 ? key : `${key}#${epoch}`);
  }
}

/** Clear counts outlive every failure counter they move aside. */
function epochOptions(options: LoginThrottleOptions) {
  return {
    points: Number.MAX_SAFE_INTEGER,
    duration: 2 * failureMemoryS(options.lockS),
    keyPrefix: `${options.keyPrefix ?? DEFAULT_PREFIX}:epoch`,
  };
}

function limiterOptions({ maxFailures, lockS, keyPrefix }: LoginThrottleOptions) {
  if (!Number.isSafeInteger(maxFailures) || maxFailures < 1)
    throw new RangeError(`maxFailures must be a positive integer, got ${maxFailures}`);
  if (!Number.isSafeInteger(lockS) || lockS < 1)
    throw new RangeError(`lockS must be a positive integer, got ${lockS}`);
  return {
    points: maxFailures,
    duration: failureMemoryS(lockS),
    blockDuration: lockS,
    keyPrefix: keyPrefix ?? DEFAULT_PREFIX,
  };
}

const storedKey = (key: string): string =>
  createHash('sha256').update(key, 'utf8').digest('base64url');
