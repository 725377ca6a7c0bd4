/**
 * The embedded database on its worker thread: what crosses between the threads (rows, errors with
 * their SQLSTATE and constraint), transactions and concurrent requests through the store, a data
 * directory across close and reopen, and a worker that dies.
 */
import { expect } from 'chai';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messages } from '@electric-sql/pglite';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { EMAIL_TAKEN } from '../../src/application/ports/user-repository.js';
import {
  classified,
  isConnectionFailure,
} from '../../src/adapters/persistence/mikro-orm/availability.js';
import {
  mikroOrmOptions,
  openMikroOrmPersistence,
  openPGlite,
} from '../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import {
  type PGliteThread,
  PGliteThreadStopped,
} from '../../src/adapters/persistence/mikro-orm/pglite-thread.js';
import type { ClearablePersistence } from '../../src/adapters/persistence/persistence.js';
import { DomainError } from '../../src/domain/shared/errors.js';
import { aUser } from '../support/builders.js';
import { expectDomainError, latch, rejectionOf, Rollback, sleep } from './helpers.js';

describe('Embedded PGlite on its worker thread', function () {
  this.timeout(60_000);

  describe('the thread', () => {
    let thread: PGliteThread;
    beforeEach(async () => {
      thread = openPGlite(null);
      await thread.waitReady;
    });
    afterEach(async () => {
      await thread.close();
    });

    it('runs with the embedded settings: a buffer pool of 16MB', async () => {
      const { rows } = await thread.query<{ shared_buffers: string }>('show shared_buffers');
      expect(rows).to.deep.equal([{ shared_buffers: '16MB' }]);
    });

    it('hands rows over with their types: a Date, a Uint8Array, numbers, JSON', async () => {
      const { rows } = await thread.query<{
        at: unknown;
        bytes: unknown;
        n: unknown;
        doc: unknown;
      }>(
        "select $1::timestamptz as at, '\\x0102'::bytea as bytes, $2::int as n, $3::jsonb as doc",
        [new Date('2026-01-02T03:04:05.678Z'), 42, JSON.stringify({ a: [1] })],
      );
      expect(rows[0]!.at).to.be.instanceOf(Date);
      expect((rows[0]!.at as Date).toISOString()).to.equal('2026-01-02T03:04:05.678Z');
      expect(rows[0]!.bytes).to.be.instanceOf(Uint8Array);
      expect([...(rows[0]!.bytes as Uint8Array)]).to.deep.equal([1, 2]);
      expect(rows[0]!.n).to.equal(42);
      expect(rows[0]!.doc).to.deep.equal({ a: [1] });
    });

    it("rejects with PGlite's DatabaseError and its fields: SQLSTATE, constraint, table", async () => {
      await thread.exec(
        'create table t (id int primary key, email text constraint t_email unique)',
      );
      await thread.query('insert into t values (1, $1)', ['a@example.com']);
      const error = (await rejectionOf(
        thread.query('insert into t values (2, $1)', ['a@example.com']),
      )) as messages.DatabaseError;
      expect(error).to.be.instanceOf(messages.DatabaseError);
      expect(error.code).to.equal('23505');
      expect(error.constraint).to.equal('t_email');
      expect(error.table).to.equal('t');
      expect(error.severity).to.equal('ERROR');
      expect(error.message).to.match(/duplicate key/);
      const prepared = (await rejectionOf(
        thread.runExclusive(() =>
          thread.prepared('t_insert', 'insert into t values ($1, $2)', [3, 'a@example.com'], true),
        ),
      )) as messages.DatabaseError;
      expect(prepared.code).to.equal('23505');
      expect(prepared.constraint).to.equal('t_email');
    });

    it('reads the rows of a prepared statement whose first run failed before it was described', async () => {
      await thread.exec("create table d (id int, v text); insert into d values (1, 'one')");
      const byId = (id: unknown) =>
        thread.prepared('d_by_id', 'select id, v from d where id = $1', [id], false);
      expect(await rejectionOf(byId('not a number'))).to.have.property('code', '22P02');
      // Described at the second run, then read with the description kept.
      expect((await byId(1)).rows).to.deep.equal([{ id: 1, v: 'one' }]);
      expect((await byId(1)).rows).to.deep.equal([{ id: 1, v: 'one' }]);
      expect((await byId(2)).rows).to.deep.equal([]);
    });

    it('runs a statement sent during runExclusive only after it', async () => {
      await thread.exec('create table log (n int)');
      const order: string[] = [];
      const exclusive = thread.runExclusive(async () => {
        await thread.prepared('log_1', 'insert into log values ($1)', [1], true);
        order.push('exclusive');
        await thread.prepared('log_2', 'insert into log values ($1)', [2], true);
      });
      const after = thread.query('insert into log values (3)').then(() => order.push('query'));
      await Promise.all([exclusive, after]);
      expect(order).to.deep.equal(['exclusive', 'query']);
      const { rows } = await thread.query<{ n: number }>('select n from log order by n');
      expect(rows.map((r) => r.n)).to.deep.equal([1, 2, 3]);
    });
    it('holds a prepared statement sent during a transaction until the transaction ends', async () => {
      await thread.exec('create table held (n int)');
      await thread.query('begin');
      await thread.query('insert into held values (1)');
      let settled = false;
      const read = thread
        .prepared<{ count: number }>(
          'held_count',
          'select count(*)::int as count from held',
          [],
          false,
        )
        .finally(() => {
          settled = true;
        });
      // The transaction's own statements are not held up behind it.
      await thread.query('insert into held values (2)');
      await sleep(50);
      expect(settled).to.equal(false);
      await thread.query('rollback');
      expect((await read).rows).to.deep.equal([{ count: 0 }]);
    });
  });

  describe('the store on it', () => {
    let store: ClearablePersistence;
    before(async () => {
      store = await openMikroOrmPersistence({ kind: 'pglite', dataDir: null });
    });
    after(async () => {
      await store?.close();
    });
    beforeEach(() => store.clear());

    it("turns a duplicate email into the contract's conflict", async () => {
      await store.users.add(aUser({ email: 'twice@example.com' }));
      const error = await rejectionOf(store.users.add(aUser({ email: 'twice@example.com' })));
      expectDomainError(error, 'conflict', EMAIL_TAKEN);
    });

    it('leaves nothing of a transaction rolled back', async () => {
      const error = await rejectionOf(
        store.unitOfWork.run(async () => {
          await store.users.add(aUser({ username: 'rolled_back' }));
          throw new Rollback();
        }),
      );
      expect(error).to.be.instanceOf(Rollback);
      expect(await store.users.findByLogin('rolled_back')).to.equal(null);
    });

    it('serves 50 reads sent while a write transaction is open, after it, and the transaction goes on', async () => {
      const reader = await store.users.add(aUser({ username: 'reader' }));
      const opened = latch();
      const proceed = latch();
      const transaction = store.unitOfWork.run(async () => {
        await store.users.add(aUser({ username: 'in_transaction' }));
        opened.open();
        await proceed.promise;
        // The reads waiting meanwhile do not stand in the transaction's way.
        return store.users.add(aUser({ username: 'in_transaction_too' }));
      });
      await opened.promise;
      const reads = Array.from({ length: 50 }, (_, n) =>
        n % 2 === 0
          ? store.userReadModel.getById(reader.id)
          : store.users.findByLogin('in_transaction'),
      );
      proceed.open();
      const [second, ...results] = await Promise.all([transaction, ...reads]);
      results.forEach((result, n) => {
        if (n % 2 === 0) expect(result?.id).to.equal(reader.id);
        // Reads wait for the one connection, so they see the transaction committed.
        else expect(result?.id).to.equal(second.id - 1);
      });
      expect((await store.users.findByLogin('in_transaction_too'))?.id).to.equal(second.id);
    });
  });

  describe('a data directory', () => {
    let dataDir: string;
    beforeEach(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'um-pglite-thread-'));
    });
    afterEach(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it('keeps what was written across close and reopen, and a closed thread refuses calls', async () => {
      const first = openPGlite(dataDir);
      await first.waitReady;
      await first.exec('create table kept (v text)');
      await first.query('insert into kept values ($1)', ['still here']);
      await first.close();
      expect(await rejectionOf(first.query('select 1'))).to.be.instanceOf(PGliteThreadStopped);
      const second = openPGlite(dataDir);
      try {
        await second.waitReady;
        const { rows } = await second.query<{ v: string }>('select v from kept');
        expect(rows).to.deep.equal([{ v: 'still here' }]);
      } finally {
        await second.close();
      }
    });

    it('is created, then opened with the embedded settings, in the database the tables were in', async () => {
      const thread = openPGlite(dataDir);
      try {
        await thread.waitReady;
        const { rows } = await thread.query<{ db: string; buffers: string }>(
          "select current_database() as db, current_setting('shared_buffers') as buffers",
        );
        expect(rows).to.deep.equal([{ db: 'template1', buffers: '16MB' }]);
      } finally {
        await thread.close();
      }
      expect(await readdir(dataDir)).to.include('PG_VERSION');
    });

    it('does not open when the directory cannot be created, and says why', async () => {
      const blocked = join(dataDir, 'a-file');
      await writeFile(blocked, '');
      const thread = openPGlite(join(blocked, 'pglite'));
      const error = await rejectionOf(thread.waitReady);
      expect(error).to.be.instanceOf(PGliteThreadStopped);
      expect(String((error as Error).cause)).to.include('Creating the data directory');
      await thread.close();
    });
  });

  describe('a worker that dies', () => {
    it('rejects the call in flight and every later one, as a lost connection', async () => {
      const thread = openPGlite(null);
      await thread.waitReady;
      const inFlight = rejectionOf(
        thread.query('select count(*) from generate_series(1, 100000000)'),
      );
      await thread.terminate();
      const error = await inFlight;
      expect(error).to.be.instanceOf(PGliteThreadStopped);
      expect(isConnectionFailure(error)).to.equal(true);
      expect(await rejectionOf(thread.query('select 1'))).to.be.instanceOf(PGliteThreadStopped);
      await thread.close();
    });

    it('makes the store unavailable (a 503) instead of leaving requests waiting', async () => {
      const thread = openPGlite(null);
      await thread.waitReady;
      const orm = await MikroORM.init<AbstractSqlDriver>(
        mikroOrmOptions({ kind: 'pglite', dataDir: null }, thread),
      );
      try {
        await orm.em.getConnection('write').execute('select 1');
        await thread.terminate();
        const error = await rejectionOf(orm.em.getConnection('write').execute('select 1'));
        expect(isConnectionFailure(error), String(error)).to.equal(true);
        const failure = classified(error) as DomainError;
        expect(failure).to.be.instanceOf(DomainError);
        expect(failure.kind).to.equal('unavailable');
      } finally {
        await orm.close(true);
        await thread.close();
      }
    });
  });
});
