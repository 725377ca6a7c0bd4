/**
 * Redis for tests: the server named by TEST_REDIS_URL (by default the local one), a key prefix of
 * each test run's own, and the cleaning of what a run left behind.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { closeRedisClient, createRedisClient } from '../../src/adapters/redis/redis-client.js';

export const testRedisUrl = (): string => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix for the keys of one run (`um-test-<random>`), so runs never see each other's keys. */
export const runKeyPrefix = (): string => `um-test-${randomBytes(6).toString('hex')}`;

/** A client for tests: no reconnection, no waiting for a server that is not there. */
export function testRedisClient(url = testRedisUrl()): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: () => null,
  });
}

let availability: Promise<boolean> | undefined;

/** Whether the test server answers; asked once per process. */
export function redisAvailable(): Promise<boolean> {
  availability ??= (async () => {
    const client = testRedisClient();
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  })();
  return availability;
}

/** Skips the suite with a message when Redis is not reachable, or fails it when CI=true. Call from a `before` hook. */
export async function requireRedis(context: Mocha.Context, suite: string): Promise<void> {
  if (await redisAvailable()) return;
  const where = testRedisUrl();
  if (process.env.CI === 'true') {
    throw new Error(
      `Redis was not reachable at ${where}; CI requires it, so "${suite}" fails instead of being skipped.`,
    );
  }
  console.warn(
    `\n  Redis was not reachable at ${where}, so the suite "${suite}" was skipped (TEST_REDIS_URL names the server).\n`,
  );
  context.skip();
}

/** Deletes every key under the prefix; returns how many went. */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** The keys under the prefix. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/**
 * The stores a Redis-backed port's contract runs on: memory, a real Redis (adapters made by one
 * subject share their counts, as instances of the service would) and a Redis that cannot be
 * reached (the adapter's in-memory insurance answers).
 */
export interface RedisBackedSubject<P, O> {
  readonly name: string;
  /** Called in a `before` hook: may skip the suite. */
  setUp(context: Mocha.Context): Promise<void>;
  make(options: O): P;
  /** The keys the subject keeps in its store (for Redis), else null. */
  storedKeys(): Promise<string[] | null>;
  tearDown(): Promise<void>;
}

export function redisBackedSubjects<P, O>(
  port: string,
  adapters: {
    inMemory(options: O): P;
    onRedis(client: Redis, options: O & { keyPrefix?: string }): P;
  },
): RedisBackedSubject<P, O>[] {
  const prefix = runKeyPrefix();
  let client: Redis | undefined;
  let unreachable: Redis | undefined;
  return [
    {
      name: 'memory',
      async setUp() {},
      make: (options) => adapters.inMemory(options),
      storedKeys: async () => null,
      async tearDown() {},
    },
    {
      name: 'redis',
      async setUp(context) {
        await requireRedis(context, `${port} contract: redis`);
        client = createRedisClient(testRedisUrl(), new MemoryLogger('debug'));
        await client.ping().catch(async () => {
          await new Promise((resolve) => client!.once('ready', resolve));
        });
      },
      make: (options) => adapters.onRedis(client!, { ...options, keyPrefix: prefix }),
      storedKeys: () => keysUnder(client!, prefix),
      async tearDown() {
        if (client === undefined) return;
        await deleteKeys(client, prefix);
        await closeRedisClient(client);
      },
    },
    {
      // Port 1 has no Redis: every call goes to the insurance in memory.
      name: 'redis that cannot be reached',
      async setUp() {
        unreachable = createRedisClient('redis://127.0.0.1:1', new MemoryLogger('debug'));
      },
      make: (options) => adapters.onRedis(unreachable!, options as O & { keyPrefix?: string }),
      storedKeys: async () => null,
      async tearDown() {
        if (unreachable !== undefined) await closeRedisClient(unreachable);
      },
    },
  ];
}

/** Deletes a run's keys from the test Redis; nothing to do when Redis is not there. */
export async function cleanUpRedisPrefix(prefix: string): Promise<void> {
  const client = testRedisClient();
  client.on('error', () => undefined);
  try {
    await client.connect();
    await deleteKeys(client, prefix);
  } catch {
    // nothing to clean: Redis was not there
  } finally {
    client.disconnect();
  }
}
