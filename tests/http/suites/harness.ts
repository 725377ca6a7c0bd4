import type { Persistence } from '../../../src/adapters/persistence/persistence.js';
import type { ContainerOverrides } from '../../../src/composition-root/container.js';
import { startApi, type ConfigOverrides, type TestApi } from '../../support/api.js';

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
