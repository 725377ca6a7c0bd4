/**
 * User search past the exact-count limit, on every store, and the trigram indexes that serve it
 * on PGlite and PostgreSQL. The stores here are opened with a limit of 3 matches counted exactly,
 * so that a handful of users goes past it.
 */
import { expect } from 'chai';
import type { PGlite } from '@electric-sql/pglite';
import { MikroORM } from '@mikro-orm/core';
import pg from 'pg';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { createInMemoryPersistence } from '../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import {
  mikroOrmOptions,
  openMikroOrmPersistence,
  openPGlite,
  type MikroOrmTarget,
} from '../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import { searchStatement } from '../../src/adapters/persistence/mikro-orm/mikro-orm-user-read-model.js';
import type { ClearablePersistence } from '../../src/adapters/persistence/persistence.js';
import type { UserListCriteria } from '../../src/application/ports/user-read-model.js';
import { aUser, at } from '../support/builders.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { requireStorage, storageTargets, type StorageName } from '../support/storage.js';

const LIMIT = 3;

async function openWithLimit(
  name: StorageName,
): Promise<{ store: ClearablePersistence; database: TestDatabase | null }> {
  if (name === 'in-memory')
    return {
      store: createInMemoryPersistence({ exactCountLimit: LIMIT }),
      database: null,
    };
  if (name === 'pglite')
    return {
      store: await openMikroOrmPersistence(
        { kind: 'pglite', dataDir: null },
        { exactCountLimit: LIMIT },
      ),
      database: null,
    };
  const database = await createTestDatabase();
  return {
    store: await openMikroOrmPersistence(
      { kind: 'postgresql', url: database.url },
      { exactCountLimit: LIMIT },
    ),
    database,
  };
}

for (const target of storageTargets()) {
  describe(`UserReadModel search past the exact-count limit [${target.name}]`, function () {
    this.timeout(60_000);
    let store: ClearablePersistence;
    let database: TestDatabase | null = null;
    let ids: number[];

    before(async function () {
      await requireStorage(target, this, this.test?.parent?.title ?? target.name);
      ({ store, database } = await openWithLimit(target.name));
      ids = [];
      // Five users whose username holds "needle" (one in capitals), two more whose full name does, two that do not.
      for (const [i, username] of [
        'needle1',
        'NEEDLE2',
        'xneedle3',
        'needle4',
        'needle5',
      ].entries()) {
        ids.push(
          (
            await store.users.add(
              aUser({
                username,
                email: `n${i}@example.com`,
                createdAt: at(100 + i),
              }),
            )
          ).id,
        );
      }
      for (const i of [5, 6])
        ids.push(
          (
            await store.users.add(
              aUser({
                fullName: `Has Needle${i}`,
                email: `f${i}@example.com`,
                createdAt: at(100 + i),
              }),
            )
          ).id,
        );
      for (const i of [7, 8])
        await store.users.add(
          aUser({
            fullName: 'Other',
            email: `o${i}@example.com`,
            createdAt: at(100 + i),
          }),
        );
    });
    after(async () => {
      await store?.close();
      await database?.drop();
    });

    const criteria = (over: Partial<UserListCriteria>): UserListCriteria => ({
      filter: {},
      sort: { field: 'created_at', direction: 'asc' },
      page: 1,
      pageSize: 50,
      ...over,
    });

    it('counts a search exactly up to the limit and says so', async () => {
      const page = await store.userReadModel.list(criteria({ filter: { search: 'needle1' } }));
      expect(page.items.map((u) => u.id)).to.deep.equal([ids[0]]);
      expect(page.total).to.equal(1);
      expect(page.totalExact ?? true).to.equal(true);
      const many = await store.userReadModel.list(
        criteria({
          filter: { search: 'NEEDLE', role: 'user' },
          page: 2,
          pageSize: 2,
        }),
      );
      expect(many.totalExact).to.equal(false);
    });

    it('past the limit, flags the total as an estimate, no lower than the matches it counted nor higher than the users', async () => {
      const page = await store.userReadModel.list(criteria({ filter: { search: 'needle' } }));
      expect(page.totalExact).to.equal(false);
      expect(page.total).to.be.within(LIMIT + 1, 9);
      // The items are exact whatever the total: every match, in order.
      expect(page.items.map((u) => u.id)).to.deep.equal(ids);
    });

    it('past the limit, still cuts pages that neither overlap nor skip, in every order', async () => {
      for (const sort of [
        { field: 'created_at', direction: 'desc' },
        { field: 'username', direction: 'asc' },
        { field: 'email', direction: 'desc' },
      ] as const) {
        const all = (
          await store.userReadModel.list(criteria({ filter: { search: 'needle' }, sort }))
        ).items.map((u) => u.id);
        expect([...all].sort((a, b) => a - b)).to.deep.equal(ids);
        const paged: number[] = [];
        for (const page of [1, 2, 3]) {
          paged.push(
            ...(
              await store.userReadModel.list(
                criteria({
                  filter: { search: 'needle' },
                  sort,
                  page,
                  pageSize: 3,
                }),
              )
            ).items.map((u) => u.id),
          );
        }
        expect(paged).to.deep.equal(all);
        const sliced: number[] = [];
        let after: { key: string; id: number } | undefined;
        for (;;) {
          const slice = await store.userReadModel.listAfter({
            filter: { search: 'needle' },
            sort,
            limit: 2,
            ...(after === undefined ? {} : { after }),
          });
          sliced.push(...slice.items.map((u) => u.id));
          const last = slice.items.at(-1);
          if (!slice.hasMore || last === undefined) break;
          after = {
            key:
              sort.field === 'created_at'
                ? last.createdAt.toISOString()
                : sort.field === 'username'
                  ? last.username.toLowerCase()
                  : last.email.toLowerCase(),
            id: last.id,
          };
        }
        expect(sliced).to.deep.equal(all);
      }
    });

    it('keeps totals without a search exact, however many users', async () => {
      const page = await store.userReadModel.list(criteria({}));
      expect(page.total).to.equal(9);
      expect(page.totalExact ?? true).to.equal(true);
    });
  });
}

/**
 * The plan of the read model's search statement, on a table of 20,000 users with statistics, and
 * sequential scans priced out (a table this small is cheaper to read whole; at a million users the
 * planner picks the indexes by itself, see BENCHMARKS.md).
 */
for (const name of ['pglite', 'postgresql'] as const) {
  describe(`user search uses the trigram indexes [${name}]`, function () {
    this.timeout(120_000);
    let orm: MikroORM<AbstractSqlDriver> | undefined;
    let pglite: PGlite | null = null;
    let database: TestDatabase | null = null;
    let client: pg.Client | null = null;

    before(async function () {
      await requireStorage(
        storageTargets().find((t) => t.name === name)!,
        this,
        this.test?.parent?.title ?? name,
      );
      let target: MikroOrmTarget;
      if (name === 'pglite') {
        pglite = openPGlite(null);
        await pglite.waitReady;
        target = { kind: 'pglite', dataDir: null };
      } else {
        database = await createTestDatabase();
        target = { kind: 'postgresql', url: database.url };
      }
      orm = await MikroORM.init<AbstractSqlDriver>(mikroOrmOptions(target, pglite));
      await orm.getMigrator().up();
      const connection = orm.em.getConnection('write');
      await connection.execute(
        `insert into users (email, username, full_name, password_hash, role, is_active, created_at, updated_at, version)
         select 'person' || g || '@example.com', 'person' || g, 'Person Number ' || g, 'x', 'user', true, now(), now(), 1
           from generate_series(1, 20000) as g`,
      );
      await connection.execute('analyze users');
      if (database !== null) {
        client = new pg.Client({ connectionString: database.url });
        await client.connect();
        await client.query('set enable_seqscan = off');
      } else {
        await pglite!.exec('set enable_seqscan = off');
      }
    });
    after(async () => {
      await client?.end();
      await orm?.close(true);
      await pglite?.close();
      await database?.drop();
    });

    const plan = async (search: string, sort: UserListCriteria['sort']): Promise<string> => {
      const { statement, values } = searchStatement({ search }, sort, undefined, true, 10_000);
      const text = `explain ${statement.text}`;
      const { rows } =
        client !== null
          ? await client.query<Record<string, string>>(text, [...values, 50, 0])
          : await pglite!.query<Record<string, string>>(text, [...values, 50, 0]);
      return rows.map((row) => Object.values(row)[0]).join('\n');
    };

    for (const sort of [
      { field: 'created_at', direction: 'desc' },
      { field: 'username', direction: 'asc' },
    ] as const) {
      it(`finds the matches of a selective term through the three indexes, sorted by ${sort.field}`, async () => {
        const text = await plan('person1234', sort);
        for (const index of [
          'users_email_trgm_idx',
          'users_username_trgm_idx',
          'users_full_name_trgm_idx',
        ])
          expect(text).to.include(index);
        expect(text).not.to.match(/Seq Scan on users/);
      });
    }

    it('finds nothing for an absent term without reading the table', async () => {
      const text = await plan('zzzz', {
        field: 'created_at',
        direction: 'asc',
      });
      expect(text).to.include('users_email_trgm_idx');
      expect(text).not.to.match(/Seq Scan on users/);
    });
  });
}
