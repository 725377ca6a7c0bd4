/**
 * Redis for tests: the server named by TEST_REDIS_URL (by default the local one), a key prefix of
 * each test run's own, and the cleaning of what a run left behind.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const testRedisUrl = (): string => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix for the keys of one run (`um-test-<random>`), so runs never see each other's keys. */
export const runKeyPrefix = (): string => `um-test-${randomBytes(6).toString('hex')}`;

/** A client for tests: no reconnection, no waiting for a server that is not there. */
export function testRedisClient(url = testRedisUrl()): Redis {
  return new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
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
    throw new Error(`Redis was not reachable at ${where}; CI requires it, so "${suite}" fails instead of being skipped.`);
  }
  console.warn(`\n  Redis was not reachable at ${where}, so the suite "${suite}" was skipped (TEST_REDIS_URL names the server).\n`);
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
