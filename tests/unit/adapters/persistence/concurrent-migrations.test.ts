import { expect } from 'chai';
import { openMikroOrmPersistence } from '../../../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import { createTestDatabase, postgresAvailable } from '../../../support/postgres.js';

describe('migrations when several instances start at once [postgresql]', function () {
  this.timeout(60_000);

  before(async function () {
    if (await postgresAvailable()) return;
    if (process.env.CI === 'true') throw new Error('PostgreSQL is required in CI');
    console.warn('\n  PostgreSQL was not reachable: the concurrent migration test was skipped.\n');
    this.skip();
  });

  it('three stores opening together on an empty database all start, and the schema is made once', async () => {
    const database = await createTestDatabase();
    try {
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => openMikroOrmPersistence({ kind: 'postgresql', url: database.url })),
      );
      const opened = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      try {
        expect(
          results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')),
        ).to.deep.equal(['ok', 'ok', 'ok']);
        const user = await opened[0]!.users.findByLogin('nobody');
        expect(user).to.equal(null);
      } finally {
        await Promise.all(opened.map((store) => store.close()));
      }
    } finally {
      await database.drop();
    }
  });
});
