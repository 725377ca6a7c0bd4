/**
 * The stores every contract suite (and every HTTP suite) runs on: in memory, PGlite in memory,
 * and PostgreSQL. `describeStorages` repeats a suite once per store with the same assertions.
 */
import { createInMemoryPersistence } from '../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import { openMikroOrmPersistence } from '../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import type {
  ClearablePersistence,
  Persistence,
} from '../../src/adapters/persistence/persistence.js';
import { createTestDatabase, describeUrl, postgresAvailable, testServerUrl } from './postgres.js';

export type StorageName = 'in-memory' | 'pglite' | 'postgresql';

export interface OpenedStorage extends Persistence {
  /** Empties the store (every table, id sequences restarted): cheaper than opening a new one. */
  reset(): Promise<void>;
  /** Done with the store (`close()` does the same): it is kept, and emptied for the next `open()`. */
  dispose(): Promise<void>;
}

export interface StorageTarget {
  readonly name: StorageName;
  /**
   * An empty store of this kind, its schema migrated, used by nobody else until disposed of
   * (PostgreSQL: a database of its own). Stores are reused after `dispose()`, emptied.
   */
  open(): Promise<OpenedStorage>;
}

/** A store as opened by its factory, with what it takes to throw it away for good. */
interface RawStore extends ClearablePersistence {
  destroy(): Promise<void>;
}

/**
 * A target whose stores are kept for reuse: `dispose()` keeps a store for the next `open()`, which
 * empties it, instead of closing it, since a PGlite instance takes over a second to start. Whatever
 * is kept is destroyed when the test run ends (a root `after` hook).
 */
class PooledTarget implements StorageTarget {
  private readonly idle: RawStore[] = [];

  constructor(
    readonly name: StorageName,
    private readonly openRaw: () => Promise<RawStore>,
  ) {}

  async open(): Promise<OpenedStorage> {
    const raw = this.idle.pop() ?? (await this.openRaw());
    await raw.clear();
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      // A store that no longer answers is not worth keeping.
      if (
        await raw.ping().then(
          () => true,
          () => false,
        )
      )
        this.idle.push(raw);
      else await raw.destroy().catch(() => undefined);
    };
    // Every port of the store as it is; only the store's own life cycle is the pool's.
    const { clear: _clear, destroy: _destroy, ...ports } = raw;
    return {
      ...ports,
      ping: () =>
        released ? Promise.reject(new Error(`The ${this.name} store is closed`)) : raw.ping(),
      close: release,
      reset: () => raw.clear(),
      dispose: release,
    };
  }

  async destroyIdle(): Promise<void> {
    const stores = this.idle.splice(0);
    await Promise.all(stores.map((store) => store.destroy()));
  }
}

const inMemory = new PooledTarget('in-memory', async () => {
  const persistence = createInMemoryPersistence();
  return { ...persistence, destroy: () => persistence.close() };
});

const pglite = new PooledTarget('pglite', async () => {
  const persistence = await openMikroOrmPersistence({ kind: 'pglite', dataDir: null });
  return { ...persistence, destroy: () => persistence.close() };
});

const postgresql = new PooledTarget('postgresql', async () => {
  const database = await createTestDatabase();
  try {
    const persistence = await openMikroOrmPersistence({ kind: 'postgresql', url: database.url });
    return {
      ...persistence,
      async destroy() {
        try {
          await persistence.close();
        } finally {
          await database.drop();
        }
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
});

const TARGETS = [inMemory, pglite, postgresql] as const;

// Loaded by mocha: a root hook closes the kept stores (and drops the databases) after the last test.
if (typeof after === 'function') {
  after('close the stores kept for reuse', async function () {
    this.timeout(60_000);
    await Promise.all(TARGETS.map((target) => target.destroyIdle()));
  });
}

/** Every storage target, cheapest first. */
export function storageTargets(): StorageTarget[] {
  return [...TARGETS];
}

/**
 * Fails in CI and skips elsewhere when the target needs a server that is not there. Call from a
 * mocha `before` hook; it is a no-op for targets that need nothing.
 */
export async function requireStorage(
  target: StorageTarget,
  context: Mocha.Context,
  suite: string,
): Promise<void> {
  if (target.name !== 'postgresql' || (await postgresAvailable())) return;
  const where = describeUrl(testServerUrl());
  if (process.env.CI === 'true') {
    throw new Error(
      `PostgreSQL was not reachable at ${where}; CI requires it, so "${suite}" fails instead of being skipped.`,
    );
  }
  console.warn(
    `\n  PostgreSQL was not reachable at ${where}, so the suite "${suite}" was skipped (TEST_DATABASE_URL names the server).\n`,
  );
  context.skip();
}

/**
 * Declares the suite `define` once per storage target (or once per named target), titled
 * `title [target]`. On PostgreSQL the suite is skipped with a message when the server is
 * unreachable, and fails instead when CI=true.
 */
export function describeStorages(title: string, define: (target: StorageTarget) => void): void;
export function describeStorages(
  title: string,
  only: readonly StorageName[],
  define: (target: StorageTarget) => void,
): void;
export function describeStorages(
  title: string,
  onlyOrDefine: readonly StorageName[] | ((target: StorageTarget) => void),
  maybeDefine?: (target: StorageTarget) => void,
): void {
  const only = typeof onlyOrDefine === 'function' ? null : onlyOrDefine;
  const define = typeof onlyOrDefine === 'function' ? onlyOrDefine : maybeDefine;
  if (define === undefined)
    throw new Error('describeStorages needs the function that defines the suite');
  for (const target of storageTargets().filter((t) => only === null || only.includes(t.name))) {
    const suite = `${title} [${target.name}]`;
    describe(suite, () => {
      before(async function () {
        await requireStorage(target, this, suite);
      });
      define(target);
    });
  }
}

/**
 * One store for the enclosing suite, opened before its first test, emptied before each test and
 * disposed of after the last: every test starts from an empty store. Returns its accessor.
 */
export function useStorage(target: StorageTarget): () => OpenedStorage {
  let store: OpenedStorage | undefined;
  before(async function () {
    this.timeout(60_000);
    store = await target.open();
  });
  beforeEach(async () => {
    await store?.reset();
  });
  after(async () => {
    await store?.dispose();
    store = undefined;
  });
  return () => {
    if (store === undefined) throw new Error(`The ${target.name} store is not open`);
    return store;
  };
}
