/**
 * User search past the exact-count limit, on every store; on PGlite and PostgreSQL, the trigram
 * index that serves it and the joined text it reads. The stores here are opened with a limit of 3 matches counted exactly,
 * so that a handful of users goes past it.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { PGliteThread } from '../../src/adapters/persistence/mikro-orm/pglite-thread.js';
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
import {
  escapeLike,
  MikroOrmUserReadModel,
  searchCondition,
  searchStatement,
} from '../../src/adapters/persistence/mikro-orm/mikro-orm-user-read-model.js';
import {
  COMMON_SHARE,
  likeTrigrams,
  SEARCH_STATISTICS,
  SearchStatistics,
  selectivePiece,
  type SearchStatisticsRow,
} from '../../src/adapters/persistence/mikro-orm/search-trigrams.js';
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

/** A database migrated by the store's migrations, queried with `$n` placeholders on one session. */
interface Migrated {
  orm: MikroORM<AbstractSqlDriver>;
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

async function openMigrated(name: 'pglite' | 'postgresql'): Promise<Migrated> {
  let pglite: PGliteThread | null = null;
  let database: TestDatabase | null = null;
  let target: MikroOrmTarget;
  if (name === 'pglite') {
    pglite = openPGlite(null);
    await pglite.waitReady;
    target = { kind: 'pglite', dataDir: null };
  } else {
    database = await createTestDatabase();
    target = { kind: 'postgresql', url: database.url };
  }
  const orm = await MikroORM.init<AbstractSqlDriver>(mikroOrmOptions(target, pglite));
  await orm.getMigrator().up();
  let client: pg.Client | null = null;
  if (database !== null) {
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  }
  return {
    orm,
    async query<R>(text: string, values: unknown[] = []) {
      return client !== null
        ? ((await client.query(text, values)).rows as R[])
        : (await pglite!.query<R>(text, values)).rows;
    },
    async close() {
      await client?.end();
      await orm.close(true);
      await pglite?.close();
      await database?.drop();
    },
  };
}

/**
 * The plan of the read model's search statement, on a table of 20,000 users with statistics, and
 * sequential scans priced out (a table this small is cheaper to read whole; at a million users the
 * planner picks the index by itself, see BENCHMARKS.md).
 */
for (const name of ['pglite', 'postgresql'] as const) {
  describe(`user search uses the trigram index [${name}]`, function () {
    this.timeout(120_000);
    let db: Migrated | undefined;

    before(async function () {
      await requireStorage(
        storageTargets().find((t) => t.name === name)!,
        this,
        this.test?.parent?.title ?? name,
      );
      db = await openMigrated(name);
      await db.query(
        `insert into users (email, username, full_name, password_hash, role, is_active, created_at, updated_at, version)
         select 'person' || g || '@example.com', 'person' || g, 'Person Number ' || g, 'x', 'user', true, now(), now(), 1
           from generate_series(1, 20000) as g`,
      );
      await db.query('analyze users');
      // The rows went to the index's pending list, which every scan reads whole until a vacuum
      // (autovacuum, on a live database) moves them into the index proper.
      await db.query(`select gin_clean_pending_list('users_search_trgm_idx')`);
      await db.query('set enable_seqscan = off');
    });
    after(async () => {
      await db?.close();
    });

    /** The search statement of `search` for page 1 of 50, with its values and the page's. */
    const statementOf = (
      search: string,
      sort: UserListCriteria['sort'],
      pieces?: SearchStatistics,
    ): { text: string; values: unknown[] } => {
      const { statement, values } = searchStatement(
        { search },
        sort,
        undefined,
        true,
        10_000,
        pieces,
      );
      return { text: statement.text, values: [...values, 50, 0] };
    };

    const plan = async (search: string, sort: UserListCriteria['sort']): Promise<string> => {
      const { text, values } = statementOf(search, sort);
      const rows = await db!.query(`explain ${text}`, values);
      return rows.map((row) => Object.values(row)[0]).join('\n');
    };

    const statistics = async () =>
      new SearchStatistics(
        await db!.query<SearchStatisticsRow>(SEARCH_STATISTICS.text, [COMMON_SHARE]),
      );

    interface PlanNode {
      'Node Type': string;
      'Shared Hit Blocks': number;
      'Shared Read Blocks': number;
      'Index Cond'?: string;
      Plans?: PlanNode[];
    }
    const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

    /** The search statement's trigram index scan: its condition and the pages it read; and the ids found. */
    const scan = async (search: string, pieces?: SearchStatistics) => {
      const { text, values } = statementOf(
        search,
        { field: 'created_at', direction: 'asc' },
        pieces,
      );
      const [row] = await db!.query(`explain (analyze, buffers, format json) ${text}`, values);
      const json = Object.values(row!)[0];
      const plans = (typeof json === 'string' ? JSON.parse(json) : json) as Array<{
        Plan: PlanNode;
      }>;
      const index = nodes(plans[0]!.Plan).find((n) => n['Node Type'] === 'Bitmap Index Scan');
      const found = await db!.query<{ id: number | null }>(text, values);
      return {
        pages: index!['Shared Hit Blocks'] + index!['Shared Read Blocks'],
        condition: index!['Index Cond']!,
        ids: found.map((r) => Number(r.id)),
      };
    };

    it('knows from the statistics which trigrams most texts hold, and what share holds a term', async () => {
      const stats = await statistics();
      // Every text holds "person" and "example"; "on1" about 11,111 of the 20,000.
      for (const trigram of ['per', 'ers', 'rso', 'son', 'exa', 'on1'])
        expect(stats.common.has(trigram), trigram).to.equal(true);
      expect(stats.common.has('n12')).to.equal(false);
      expect(stats.share('PERSON')).to.be.closeTo(1, 0.01);
      expect(stats.share('person1357')).to.equal(0);
      expect(stats.pieceOf('person1357')).to.equal('n1357');
      // "person1" is held by more than half of the texts: searched as it is.
      expect(stats.pieceOf('person1')).to.equal(null);
    });

    it('lists a rare term’s users in full through the read model, which reads the statistics itself', async () => {
      const model = new MikroOrmUserReadModel(db!.orm);
      const expected = (
        await db!.query<{ id: number }>(
          `select id from users where username ilike '%person1357%' order by created_at, id`,
        )
      ).map((r) => Number(r.id));
      expect(expected.length).to.equal(11);
      const sort = { field: 'created_at', direction: 'asc' } as const;
      const page = await model.list({
        filter: { search: 'PERSON1357' },
        sort,
        page: 1,
        pageSize: 50,
      });
      expect(page.items.map((u) => u.id)).to.deep.equal(expected);
      expect(page.total).to.equal(11);
      expect(page.totalExact ?? true).to.equal(true);
      const slice = await model.listAfter({ filter: { search: 'person1357' }, sort, limit: 5 });
      expect(slice.items.map((u) => u.id)).to.deep.equal(expected.slice(0, 5));
      expect(slice.hasMore).to.equal(true);
    });

    it('searches a rare term with its selective piece first, reading fewer index pages for the same users', async () => {
      const stats = await statistics();
      const plain = await scan('person1357');
      const pieced = await scan('person1357', stats);
      expect(pieced.condition.indexOf('%n1357%')).to.be.within(
        0,
        pieced.condition.indexOf('%person1357%'),
      );
      expect(pieced.ids).to.deep.equal(plain.ids);
      expect(pieced.ids.length).to.equal(11);
      expect(pieced.pages).to.be.lessThan(plain.pages);
    });

    for (const sort of [
      { field: 'created_at', direction: 'desc' },
      { field: 'username', direction: 'asc' },
    ] as const) {
      it(`finds the matches of a selective term through the one index, sorted by ${sort.field}`, async () => {
        const text = await plan('person1234', sort);
        expect(text).to.include('users_search_trgm_idx');
        expect(text).not.to.match(/users_(email|username|full_name)_trgm_idx/);
        expect(text).not.to.match(/Seq Scan on users/);
      });
    }

    it('finds nothing for an absent term without reading the table', async () => {
      const text = await plan('zzzz', {
        field: 'created_at',
        direction: 'asc',
      });
      expect(text).to.include('users_search_trgm_idx');
      expect(text).not.to.match(/Seq Scan on users/);
    });

    it("estimates a broad term's matches from the joined text's statistics, within a quarter of the count", async () => {
      // person1, person10..19, ...: 11,111 of the 20,000. Three selectivities added up (the
      // estimate of the OR of the three fields) came to about 16,000.
      const page = await new MikroOrmUserReadModel(db!.orm, 3).list({
        filter: { search: 'person1' },
        sort: { field: 'created_at', direction: 'asc' },
        page: 1,
        pageSize: 10,
      });
      expect(page.totalExact).to.equal(false);
      expect(page.total).to.be.within(11_111 * 0.75, 11_111 * 1.25);
    });
  });
}

/**
 * Characters for stored values and terms: cases that fold to one another or to two characters,
 * LIKE's metacharacters and escape, word separators of the trigram index, the separator of the
 * joined text (which the API keeps out of terms and stored values; the search holds without that),
 * and one outside the BMP.
 */
const CHARS = [
  ...'abAB sS1%_\\@.-',
  'ß',
  'é',
  'É',
  'Σ',
  'σ',
  'ς',
  'İ',
  'ı',
  '\u212a',
  'ǅ',
  '\u001f',
  '😀',
];
const text = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...CHARS), minLength, maxLength });

interface Stored {
  email: string;
  username: string;
  fullName: string | null;
}
const stored: fc.Arbitrary<Stored> = fc.record({
  email: text(0, 24),
  username: text(0, 12),
  fullName: fc.option(text(0, 24), { nil: null }),
});

/** A term: arbitrary, or a piece of a stored value, its case changed or not. */
const termOf = (users: Stored[]): fc.Arbitrary<string> =>
  fc.oneof(
    text(1, 6),
    fc
      .record({
        user: fc.nat(users.length - 1),
        field: fc.constantFrom('email', 'username', 'fullName'),
        start: fc.nat(30),
        length: fc.integer({ min: 1, max: 8 }),
        upper: fc.boolean(),
      })
      .map(({ user, field, start, length, upper }) => {
        const value = users[user]![field as keyof Stored] ?? 'a';
        const piece = [...value].slice(start % (value.length + 1), start + length).join('') || 'a';
        return upper ? piece.toUpperCase() : piece;
      }),
  );

/**
 * The read model's search condition (the joined text, through its trigram index) selects exactly
 * the users that the OR of ILIKE on each field does, whatever is stored and searched.
 */
for (const name of ['pglite', 'postgresql'] as const) {
  describe(`user search: the joined text selects what the three fields do [${name}]`, function () {
    this.timeout(300_000);
    let db: Migrated | undefined;

    before(async function () {
      await requireStorage(
        storageTargets().find((t) => t.name === name)!,
        this,
        this.test?.parent?.title ?? name,
      );
      db = await openMigrated(name);
      // So that the joined text is read through its index, the one way it could lose a match.
      await db.query('set enable_seqscan = off');
    });
    after(async () => {
      await db?.close();
    });

    const ids = async (sql: string, values: unknown[]): Promise<number[]> => {
      let n = 0;
      const text = `select u.id from users u where ${sql.replace(/\?/g, () => `$${++n}`)} order by u.id`;
      return (await db!.query<{ id: number }>(text, values)).map((row) => Number(row.id));
    };

    it('reads the joined text through the trigram index', async () => {
      const condition = searchCondition('needle');
      let n = 0;
      const rows = await db!.query(
        `explain select u.id from users u where ${condition.sql.replace(/\?/g, () => `$${++n}`)}`,
        condition.values,
      );
      expect(rows.map((row) => Object.values(row)[0]).join('\n')).to.include(
        'users_search_trgm_idx',
      );
    });

    it('property: same users as ILIKE on email, username or full name, for any values and term, with a piece of it first or not', async () => {
      let piecesTried = 0;
      const scenario = fc
        .array(stored, { minLength: 1, maxLength: 30 })
        .chain((users) =>
          fc.tuple(fc.constant(users), fc.array(termOf(users), { minLength: 1, maxLength: 4 })),
        );
      await fc.assert(
        fc.asyncProperty(scenario, async ([users, terms]) => {
          await db!.query('begin');
          try {
            // A fixed-width suffix keeps lower(email) and lower(username) unique.
            const rows = users.map((u, i) => ({
              e: `${u.email}${String(i).padStart(3, '0')}`,
              n: `${u.username}${String(i).padStart(3, '0')}`,
              f: u.fullName,
            }));
            await db!.query(
              `insert into users (email, username, full_name, password_hash, role, is_active, created_at, updated_at, version)
               select t.e, t.n, t.f, 'x', 'user', true, now(), now(), 1
                 from json_to_recordset($1::json) as t(e text, n text, f text)`,
              [JSON.stringify(rows)],
            );
            for (const term of terms) {
              const pattern = `%${escapeLike(term)}%`;
              const expected = await ids(
                '(u.email ilike ? or u.username ilike ? or u.full_name ilike ?)',
                [pattern, pattern, pattern],
              );
              const condition = searchCondition(term);
              expect(
                await ids(condition.sql, condition.values),
                JSON.stringify(term),
              ).to.deep.equal(expected);
              // With a piece first: every other trigram of the term taken as common forces one.
              const common = new Set([...likeTrigrams(term)].filter((_, i) => i % 2 === 0));
              const pieced = searchCondition(term, { pieceOf: (t) => selectivePiece(t, common) });
              if (pieced.values.length === 2) piecesTried++;
              expect(
                await ids(pieced.sql, pieced.values),
                `${JSON.stringify(term)} with ${JSON.stringify(pieced.values[0])}`,
              ).to.deep.equal(expected);
            }
          } finally {
            await db!.query('rollback');
          }
        }),
        { numRuns: 150 },
      );
      // Terms of two trigrams or more, in printable ASCII, are a small part of those tried.
      expect(piecesTried).to.be.greaterThan(0);
    });
  });
}

/** The migration to the one index, undone and done again, on a database without users. */
for (const name of ['pglite', 'postgresql'] as const) {
  describe(`the search index migration, down and up again [${name}]`, function () {
    this.timeout(120_000);
    let db: Migrated | undefined;
    const MIGRATION = 'Migration20261209000000_user_search_expression';

    before(async function () {
      await requireStorage(
        storageTargets().find((t) => t.name === name)!,
        this,
        this.test?.parent?.title ?? name,
      );
      db = await openMigrated(name);
    });
    after(async () => {
      await db?.close();
    });

    const trigramIndexes = async (): Promise<string[]> =>
      (
        await db!.query<{ indexname: string }>(
          `select indexname from pg_indexes where tablename = 'users' and indexname like '%trgm%' order by 1`,
        )
      ).map((row) => row.indexname);

    it('down restores the three per-column indexes; up replaces them with the one again, with statistics', async () => {
      expect(await trigramIndexes()).to.deep.equal(['users_search_trgm_idx']);
      await db!.query(
        `insert into users (email, username, full_name, password_hash, role, is_active, created_at, updated_at, version)
         select 'm' || g || '@example.com', 'm' || g, null, 'x', 'user', true, now(), now(), 1
           from generate_series(1, 20) as g`,
      );
      await db!.orm.getMigrator().down({ migrations: [MIGRATION] });
      expect(await trigramIndexes()).to.deep.equal([
        'users_email_trgm_idx',
        'users_full_name_trgm_idx',
        'users_username_trgm_idx',
      ]);
      await db!.orm.getMigrator().up({ migrations: [MIGRATION] });
      expect(await trigramIndexes()).to.deep.equal(['users_search_trgm_idx']);
      // The estimate of a search's matches comes from these, gathered by the migration's ANALYZE.
      const statistics = await db!.query<{ n: number }>(
        `select count(*)::int as n from pg_stats where tablename = 'users_search_trgm_idx'`,
      );
      expect(statistics[0]?.n).to.equal(1);
    });
  });
}
