import type { Persistence } from '../../../src/adapters/persistence/persistence.js';
import type { ContainerOverrides } from '../../../src/composition-root/container.js';
import { startApi, type ConfigOverrides, type TestApi } from '../../support/api.js';
import {
  cleanUpRedisPrefix,
  requireRedis,
  runKeyPrefix,
  testRedisUrl,
} from '../../support/redis.js';

export type OpenStore = () => Promise<Persistence & { dispose(): Promise<void> }>;

/** One service on a fresh store for the enclosing describe block; `get()` returns it. */
export function useApi(
  open: OpenStore,
  overrides?: ConfigOverrides,
  wiring: Pick<ContainerOverrides, 'auditLog'> = {},
): { get(): TestApi } {
  let api: TestApi | undefined;
  let store: (Persistence & { dispose(): Promise<void> }) | undefined;
  before(async function () {
    this.timeout(60_000);
    store = await open();
    api = await startApi(store, overrides, wiring);
  });
  after(async () => {
    await api?.close();
    await store?.dispose();
  });
  return {
    get() {
      if (api === undefined) throw new Error('the API is not started');
      return api;
    },
  };
}

/**
 * Two services on one fresh store and one Redis (their keys under a prefix of this run), for the
 * enclosing describe block: the block is skipped without Redis. `config` is read once, in `before`.
 */
export function useTwoApisOnRedis(
  open: OpenStore,
  suite: string,
  config: () => ConfigOverrides | Promise<ConfigOverrides> = () => ({}),
): { get(): [TestApi, TestApi]; readonly prefix: string } {
  const prefix = runKeyPrefix();
  let store: (Persistence & { dispose(): Promise<void> }) | undefined;
  const apis: TestApi[] = [];
  before(async function () {
    this.timeout(60_000);
    await requireRedis(this, suite);
    store = await open();
    const overrides = { ...(await config()), redis: { url: testRedisUrl() } };
    apis.push(
      await startApi(store, overrides, { redisKeyPrefix: prefix }),
      await startApi(store, overrides, { redisKeyPrefix: prefix }),
    );
  });
  after(async () => {
    await Promise.all(apis.splice(0).map((api) => api.close()));
    await store?.dispose();
    await cleanUpRedisPrefix(prefix);
  });
  return {
    prefix,
    get() {
      if (apis.length !== 2) throw new Error('the APIs are not started');
      return apis as [TestApi, TestApi];
    },
  };
}
