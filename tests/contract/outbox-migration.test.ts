/**
 * The outbox's `user_id` migration on PGlite and PostgreSQL: rows queued before it keep working
 * (found by the account's current address), a half-done run on a server finishes when rerun, and
 * the statements of pruning, erasure and the export read through the indexes it builds.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGliteThread } from '../../src/adapters/persistence/mikro-orm/pglite-thread.js';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import pg from 'pg';
import type { SqlStatement } from '../../src/adapters/persistence/mikro-orm/lean-sql.js';
import {
  DELETE_UNOWNED_MAIL_OF_USER,
  OUTBOX_STATEMENTS,
} from '../../src/adapters/persistence/mikro-orm/mikro-orm-mail.js';
import {
  mikroOrmOptions,
  openMikroOrmPersistence,
  openPGlite,
  type MikroOrmTarget,
} from '../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import { at } from '../support/builders.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { requireStorage, storageTargets } from '../support/storage.js';

const BEFORE = 'Migration20261206000000_user_search_indexes';
const INDEXES = [
  'mail_outbox_legacy_recipient_idx',
  'mail_outbox_settled_idx',
  'mail_outbox_user_id_idx',
];

/** Runs SQL written with `$1, $2...` on the database the ORM is open on, through its PGlite or a client of its own. */
type Run = (text: string, values?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;

interface Opened {
  readonly orm: MikroORM<AbstractSqlDriver>;
  readonly target: MikroOrmTarget;
  readonly run: Run;
  close(): Promise<void>;
}

/** The ORM on a PGlite directory (in memory when null) or a PostgreSQL database, migrations not run. */
async function open(place: { dataDir: string | null } | TestDatabase): Promise<Opened> {
  let pglite: PGliteThread | null = null;
  let client: pg.Client | null = null;
  let target: MikroOrmTarget;
  if ('dataDir' in place) {
    pglite = openPGlite(place.dataDir);
    await pglite.waitReady;
    target = { kind: 'pglite', dataDir: place.dataDir };
  } else {
    target = { kind: 'postgresql', url: place.url };
    client = new pg.Client({ connectionString: place.url });
    await client.connect();
  }
  const orm = await MikroORM.init<AbstractSqlDriver>(mikroOrmOptions(target, pglite));
  const run: Run = async (text, values = []) =>
    client !== null
      ? (await client.query(text, [...values])).rows
      : ((await pglite!.query(text, [...values])).rows as Array<Record<string, unknown>>);
  return {
    orm,
    target,
    run,
    async close() {
      await client?.end();
      await orm.close(true);
      await pglite?.close();
    },
  };
}

for (const name of ['pglite', 'postgresql'] as const) {
  describe(`the outbox's user_id migration [${name}]`, function () {
    this.timeout(120_000);
    let place: { dataDir: string } | TestDatabase;

    before(async function () {
      await requireStorage(
        storageTargets().find((t) => t.name === name)!,
        this,
        this.test?.parent?.title ?? name,
      );
    });
    beforeEach(async () => {
      place =
        name === 'pglite'
          ? { dataDir: await mkdtemp(join(tmpdir(), 'um-outbox-')) }
          : await createTestDatabase();
    });
    afterEach(async () => {
      if ('dataDir' in place) await rm(place.dataDir, { recursive: true, force: true });
      else await place.drop();
    });

    it('keeps the rows queued before it: the export and erasure find them by the current address', async () => {
      const db = await open(place);
      try {
        await db.orm.getMigrator().up({ to: BEFORE });
        await db.run(
          `insert into users (email, username, full_name, password_hash, role, is_active, created_at, updated_at, version)
           values ('ada@example.com', 'ada', 'Ada', 'x', 'user', true, now(), now(), 1)`,
        );
        const queued = `insert into mail_outbox (recipient, kind, data, status, attempts, created_at, next_attempt_at, sent_at)
          values ($1, $2, $3::jsonb, $4, 0, $5, $5, $6)`;
        await db.run(queued, [
          'ada@example.com',
          'verify_email',
          '{}',
          'sent',
          at(1).toISOString(),
          at(1).toISOString(),
        ]);
        await db.run(queued, [
          'ada@example.com',
          'password_changed',
          '{"username":"ada"}',
          'pending',
          at(2).toISOString(),
          null,
        ]);
        await db.run(queued, [
          'bob@example.com',
          'password_changed',
          '{"username":"bob"}',
          'pending',
          at(3).toISOString(),
          null,
        ]);
        await db.orm.getMigrator().up();
        expect(
          await db.run(
            `select is_nullable from information_schema.columns where table_name = 'mail_outbox' and column_name = 'user_id'`,
          ),
        ).to.deep.equal([{ is_nullable: 'YES' }]);
        expect(
          await db.run(`select count(*)::int as n from mail_outbox where user_id is null`),
        ).to.deep.equal([{ n: 3 }]);
        expect(
          await db.run(
            `select confdeltype, convalidated from pg_constraint where conname = 'mail_outbox_user_id_fkey'`,
          ),
        ).to.deep.equal([{ confdeltype: 'c', convalidated: true }]);
        expect(
          await db.run(
            `select c.relname as name, i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
              where c.relname in (${INDEXES.map((n) => `'${n}'`).join(', ')})
              order by c.relname`,
          ),
        ).to.deep.equal(INDEXES.map((index) => ({ name: index, valid: true })));
      } finally {
        await db.close();
      }

      const store = await openMikroOrmPersistence(db.target);
      try {
        const ada = (await store.users.findByLogin('ada'))!;
        expect(await store.outbox.pendingOf(ada)).to.deep.equal([
          { kind: 'password_changed', createdAt: at(2), status: 'pending' },
        ]);
        await store.outbox.enqueue(
          {
            kind: 'email_changed',
            to: 'ada-before@example.com',
            userId: ada.id,
            data: { username: 'ada', newEmail: ada.email },
          },
          at(4),
        );
        expect((await store.outbox.pendingOf(ada)).map((m) => m.kind)).to.deep.equal([
          'password_changed',
          'email_changed',
        ]);
        await store.users.remove(ada.id);
        expect(await store.outbox.pendingOf(ada)).to.deep.equal([]);
        // Bob's mail stays; ada's sent one went with her, so nothing is left to prune.
        expect(await store.outbox.stats()).to.deep.equal({ backlog: 1, oldestPendingAt: at(3) });
        expect(await store.outbox.pruneBatch(at(1_000_000), 10)).to.equal(0);
      } finally {
        await store.close();
      }
    });

    if (name === 'postgresql') {
      it('a run cut short on a server (the column, an index and an unvalidated key made) finishes when rerun', async () => {
        const db = await open(place);
        try {
          await db.orm.getMigrator().up({ to: BEFORE });
          await db.run(`alter table mail_outbox add column user_id integer null`);
          await db.run(`create index mail_outbox_user_id_idx on mail_outbox (user_id)`);
          await db.run(
            `alter table mail_outbox add constraint mail_outbox_user_id_fkey foreign key (user_id) references users (id) on delete cascade not valid`,
          );
          await db.orm.getMigrator().up();
          expect(
            await db.run(
              `select convalidated from pg_constraint where conname = 'mail_outbox_user_id_fkey'`,
            ),
          ).to.deep.equal([{ convalidated: true }]);
          expect(
            await db.run(
              `select count(*)::int as n from pg_index i join pg_class c on c.oid = i.indexrelid
                where i.indisvalid and c.relname in (${INDEXES.map((n) => `'${n}'`).join(', ')})`,
            ),
          ).to.deep.equal([{ n: 3 }]);
        } finally {
          await db.close();
        }
      });
    }
  });

  describe(`the outbox's statements read through its indexes [${name}]`, function () {
    this.timeout(120_000);
    let database: TestDatabase | null = null;
    let db: Opened | undefined;

    before(async function () {
      await requireStorage(
        storageTargets().find((t) => t.name === name)!,
        this,
        this.test?.parent?.title ?? name,
      );
      if (name === 'postgresql') database = await createTestDatabase();
      db = await open(database ?? { dataDir: null });
      await db.orm.getMigrator().up();
      await db.run(
        `insert into users (email, username, full_name, password_hash, role, is_active, created_at, updated_at, version)
           select 'person' || g || '@example.com', 'person' || g, 'Person ' || g, 'x', 'user', true, now(), now(), 1
             from generate_series(1, 2000) as g`,
      );
      // A mail every 30 seconds for a week, settled; a few hundred queued before user_id; some pending.
      await db.run(
        `insert into mail_outbox (recipient, user_id, kind, data, status, attempts, created_at, next_attempt_at, sent_at)
           select 'person' || (1 + g % 2000) || '@example.com', case when g % 100 = 0 then null else 1 + g % 2000 end,
                  'password_changed', '{}'::jsonb, case when g % 50 = 0 then 'failed' else 'sent' end, 1,
                  timestamptz '2026-12-01' + g * interval '30 seconds', timestamptz '2026-12-01' + g * interval '30 seconds',
                  timestamptz '2026-12-01' + g * interval '30 seconds'
             from generate_series(1, 20000) as g`,
      );
      await db.run(
        `insert into mail_outbox (recipient, user_id, kind, data, status, attempts, created_at, next_attempt_at)
           select 'person' || g || '@example.com', g, 'password_changed', '{"username":"x"}'::jsonb, 'pending', 0,
                  timestamptz '2026-12-08', timestamptz '2026-12-08'
             from generate_series(1, 100) as g`,
      );
      await db.run('analyze');
    });
    after(async () => {
      await db?.close();
      await database?.drop();
    });

    const plan = async (statement: SqlStatement | string, values: readonly unknown[]) =>
      (
        await db!.run(
          `explain ${typeof statement === 'string' ? statement : statement.text}`,
          values,
        )
      )
        .map((row) => Object.values(row)[0])
        .join('\n');

    it('pruning an hour of settled mails reads the settled index, not the table', async () => {
      const text = await plan(OUTBOX_STATEMENTS.prune, ['2026-12-01T01:00:00Z', 1000]);
      expect(text).to.include('mail_outbox_settled_idx');
      expect(text).not.to.match(/Seq Scan on mail_outbox/);
    });

    it("erasure reads a user's rows by user_id (the key's cascade) and the older rows by address", async () => {
      // What the foreign key's cascade runs for a deleted user.
      const cascade = await plan('delete from only mail_outbox where $1 = user_id', [7]);
      expect(cascade).to.include('mail_outbox_user_id_idx');
      expect(cascade).not.to.match(/Seq Scan on mail_outbox/);
      const unowned = await plan(DELETE_UNOWNED_MAIL_OF_USER, [7]);
      expect(unowned).to.include('mail_outbox_legacy_recipient_idx');
      expect(unowned).not.to.match(/Seq Scan on mail_outbox/);
    });

    it("the export's pending mails read an index, not the table", async () => {
      // Which index depends on the backlog (a small one is read whole through the pending index).
      const text = await plan(OUTBOX_STATEMENTS.pendingOf, [7, 'person7@example.com']);
      expect(text).to.match(/Index Scan using mail_outbox_|Bitmap Index Scan on mail_outbox_/);
      expect(text).not.to.match(/Seq Scan on mail_outbox/);
    });
  });
}
