import { expect } from 'chai';
import { MemoryLogger } from '../../../../src/adapters/logging/memory-logger.js';
import { openMikroOrmPersistence } from '../../../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import { aUser } from '../../../support/builders.js';
import { createTestDatabase, postgresAvailable } from '../../../support/postgres.js';

describe('MikroORM slow-query log [postgresql]', function () {
  this.timeout(30_000);

  before(async function () {
    if (await postgresAvailable()) return;
    if (process.env.CI === 'true') throw new Error('PostgreSQL is required in CI');
    console.warn('\n  PostgreSQL was not reachable: the slow-query log test was skipped.\n');
    this.skip();
  });

  async function run(slowQueryMs: number): Promise<MemoryLogger> {
    const database = await createTestDatabase();
    const logger = new MemoryLogger('debug');
    const store = await openMikroOrmPersistence(
      { kind: 'postgresql', url: database.url },
      { logger, slowQueryMs },
    );
    try {
      logger.clear();
      await store.users.add(aUser({ email: 'secret-value@example.com' }));
      for (let i = 0; i < 5; i += 1)
        await store.userReadModel.list({
          filter: { search: 'secret' },
          sort: { field: 'email', direction: 'asc' },
          page: 1,
          pageSize: 10,
        });
      return logger;
    } finally {
      await store.close();
      await database.drop();
    }
  }

  it('logs statements at or over the threshold as slow_query warnings, without parameter values', async () => {
    const logger = await run(1);
    const slow = logger.find('slow_query');
    expect(slow.length).to.be.greaterThan(0);
    for (const entry of slow) {
      expect(entry.level).to.equal('warn');
      expect(entry.fields['duration_ms']).to.be.a('number').at.least(1);
      expect(entry.fields['threshold_ms']).to.equal(1);
      expect(entry.fields['query'])
        .to.be.a('string')
        .and.match(/select|insert|begin|commit|savepoint|release/i);
    }
    expect(JSON.stringify(logger.entries)).to.not.contain('secret-value@example.com');
  });

  it('stays quiet for statements under the threshold', async () => {
    const logger = await run(60_000);
    expect(logger.find('slow_query')).to.deep.equal([]);
  });
});
