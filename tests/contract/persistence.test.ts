import { expect } from 'chai';
import { createInMemoryPersistence } from '../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import { openMikroOrmPersistence } from '../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import type { Persistence } from '../../src/adapters/persistence/persistence.js';
import { aUser } from '../support/builders.js';
import { createTestDatabase } from '../support/postgres.js';
import { describeStorages, type StorageName } from '../support/storage.js';
import { rejectionOf } from './helpers.js';

/** A store straight from its factory (not from the reusing pool), and how to get rid of it. */
async function openDirectly(
  name: StorageName,
): Promise<{ persistence: Persistence; cleanUp(): Promise<void> }> {
  switch (name) {
    case 'in-memory': {
      const persistence = createInMemoryPersistence();
      return { persistence, cleanUp: () => persistence.close() };
    }
    case 'pglite': {
      const persistence = await openMikroOrmPersistence({ kind: 'pglite', dataDir: null });
      return { persistence, cleanUp: () => persistence.close() };
    }
    case 'postgresql': {
      const database = await createTestDatabase();
      const persistence = await openMikroOrmPersistence({ kind: 'postgresql', url: database.url });
      return {
        persistence,
        async cleanUp() {
          await persistence.close();
          await database.drop();
        },
      };
    }
  }
}

describeStorages('Persistence contract', (target) => {
  it('opens empty, answers a ping while open, and refuses one once closed (closing twice is fine)', async function () {
    this.timeout(60_000);
    const { persistence, cleanUp } = await openDirectly(target.name);
    try {
      await persistence.ping();
      expect(await persistence.users.countActiveAdminsExcept(null)).to.equal(0);
      expect(
        await persistence.userReadModel.list({
          filter: {},
          sort: { field: 'created_at', direction: 'asc' },
          page: 1,
          pageSize: 10,
        }),
      ).to.deep.equal({ items: [], total: 0 });
      await persistence.users.add(aUser());
      await persistence.close();
      await persistence.close();
      expect(await rejectionOf(persistence.ping())).to.be.instanceOf(Error);
    } finally {
      await cleanUp();
    }
  });
});
