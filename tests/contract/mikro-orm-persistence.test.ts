/**
 * What only the MikroORM store does: keep data in a PGlite directory across openings, read the
 * query side from a replica, refuse to open on a database it cannot reach, and keep its entity
 * mapping and its migrations in step.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import {
  mikroOrmOptions,
  openMikroOrmPersistence,
} from '../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import { aUser } from '../support/builders.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.js';
import { requireStorage, storageTargets } from '../support/storage.js';
import { rejectionOf } from './helpers.js';

const everyone = {
  filter: {},
  sort: { field: 'created_at', direction: 'asc' },
  page: 1,
  pageSize: 10,
} as const;

describe('MikroORM persistence [pglite]', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'um-pglite-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps its data in the directory and migrates it only once', async function () {
    this.timeout(60_000);
    const first = await openMikroOrmPersistence({ kind: 'pglite', dataDir });
    const ada = await first.users.add(aUser({ username: 'kept' }));
    await first.close();
    const second = await openMikroOrmPersistence({ kind: 'pglite', dataDir });
    try {
      expect((await second.users.findByLogin('kept'))?.id).to.equal(ada.id);
      expect((await second.users.add(aUser())).id).to.be.greaterThan(ada.id);
    } finally {
      await second.close();
    }
  });
});

describe('MikroORM persistence [postgresql]', () => {
  const postgresql = storageTargets().find((t) => t.name === 'postgresql')!;
  const databases: TestDatabase[] = [];
  const database = async () => {
    const created = await createTestDatabase();
    databases.push(created);
    return created;
  };
  before(async function () {
    await requireStorage(postgresql, this, 'MikroORM persistence [postgresql]');
  });
  afterEach(async () => {
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  it('reads the query side from the replica and the write side from the primary', async () => {
    const primary = await database();
    const replica = await database();
    // The "replica" is a second database with other rows, so a read shows where it went.
    const onReplica = await openMikroOrmPersistence({ kind: 'postgresql', url: replica.url });
    await onReplica.users.add(aUser({ username: 'on_replica' }));
    await onReplica.close();
    const store = await openMikroOrmPersistence({
      kind: 'postgresql',
      url: primary.url,
      readUrl: replica.url,
    });
    try {
      await store.ping();
      const written = await store.users.add(aUser({ username: 'on_primary' }));
      expect((await store.userReadModel.list(everyone)).items.map((v) => v.username)).to.deep.equal(
        ['on_replica'],
      );
      expect((await store.users.findById(written.id))?.username).to.equal('on_primary');
      // Inside a unit of work the read model reads in the unit's transaction, on the primary.
      await store.unitOfWork.run(async () => {
        expect(
          (await store.userReadModel.list(everyone)).items.map((v) => v.username),
        ).to.deep.equal(['on_primary']);
      });
    } finally {
      await store.close();
    }
  });

  it('fails its ping when the replica does not answer', async () => {
    const primary = await database();
    const missing = new URL(primary.url);
    missing.pathname = '/um_test_no_such_database';
    const store = await openMikroOrmPersistence({
      kind: 'postgresql',
      url: primary.url,
      readUrl: missing.toString(),
    });
    try {
      expect(await rejectionOf(store.ping())).to.be.instanceOf(Error);
    } finally {
      await store.close();
    }
  });

  it('maps exactly the schema its migrations make: MikroORM finds nothing to change', async () => {
    const primary = await database();
    const orm = await MikroORM.init<AbstractSqlDriver>(
      mikroOrmOptions({ kind: 'postgresql', url: primary.url }, null),
    );
    try {
      await orm.getMigrator().up();
      expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).to.equal('');
    } finally {
      await orm.close(true);
    }
  });

  it('refuses to open on a database it cannot reach', async () => {
    const primary = await database();
    const missing = new URL(primary.url);
    missing.pathname = '/um_test_no_such_database';
    expect(
      await rejectionOf(openMikroOrmPersistence({ kind: 'postgresql', url: missing.toString() })),
    ).to.be.instanceOf(Error);
    expect(await postgresAvailable()).to.equal(true);
  });
});
