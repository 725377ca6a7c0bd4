/**
 * A write the database refuses: the caller gets a generic 500, and no log line holds a value
 * bound to the statement (the email, the password hash, any column of the row). The lines name
 * what an operator needs instead: the SQLSTATE, the constraint and the statement's shape. Updates
 * write only the columns that changed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import {
  openMikroOrmPersistence,
  type MikroOrmTarget,
} from '../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import type { ClearablePersistence } from '../../src/adapters/persistence/persistence.js';
import { openEmbedded } from '../../src/adapters/persistence/mikro-orm/pglite-open.js';
import { bearer, PASSWORD, startApi, type TestApi } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { describeStorages } from '../support/storage.js';

/** A constraint the service knows nothing of, so that a write of the refused name fails in the database. */
const REFUSE = `alter table users add constraint refuse_name check (full_name is distinct from 'Refused Name')`;

/** Opens a store of the target's kind whose users table carries the REFUSE constraint. */
async function openRefusingStore(
  kind: 'pglite' | 'postgresql',
  logger: MemoryLogger,
): Promise<{ store: ClearablePersistence; dispose(): Promise<void> }> {
  const options = { logger, slowQueryMs: 0 };
  if (kind === 'postgresql') {
    const database: TestDatabase = await createTestDatabase();
    const target: MikroOrmTarget = { kind, url: database.url };
    const store = await openMikroOrmPersistence(target, options);
    const client = new pg.Client(database.url);
    await client.connect();
    await client.query(REFUSE);
    await client.end();
    return {
      store,
      dispose: async () => {
        await store.close();
        await database.drop();
      },
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'um-refusing-'));
  await (await openMikroOrmPersistence({ kind, dataDir })).close();
  const raw = await openEmbedded(dataDir);
  await raw.exec(REFUSE);
  await raw.close();
  const store = await openMikroOrmPersistence({ kind, dataDir }, options);
  return {
    store,
    dispose: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every log line of both loggers, as the JSON a log collector would receive. */
const allLines = (...loggers: MemoryLogger[]) =>
  loggers.flatMap((l) => l.entries.map((e) => JSON.stringify({ message: e.message, ...e.fields })));

describeStorages('Database errors in the logs', ['pglite', 'postgresql'], (target) => {
  const kind = target.name as 'pglite' | 'postgresql';
  let api: TestApi;
  let dbLog: MemoryLogger;
  let dispose: () => Promise<void>;
  let store: ClearablePersistence;

  before(async function () {
    this.timeout(60_000);
    dbLog = new MemoryLogger('debug');
    const opened = await openRefusingStore(kind, dbLog);
    dispose = opened.dispose;
    store = opened.store;
    api = await startApi(opened.store);
  });
  after(async () => {
    await api?.close();
    await dispose?.();
  });

  it('logs a refused write by SQLSTATE, constraint and statement shape, never its values', async () => {
    const email = 'secret.person@example.com';
    const res = await api.http
      .post('/api/v1/users')
      .send({ email, username: 'secret_person', password: PASSWORD, full_name: 'Refused Name' });
    expect(res.status).to.equal(500);
    expect(res.body.message).to.equal('Internal server error');
    const lines = allLines(api.logger, dbLog);
    const apiError = api.logger.find('api_error');
    expect(apiError).to.have.length(1);
    const line = JSON.stringify(apiError[0]!.fields);
    expect(line).to.include('23514');
    expect(line).to.include('refuse_name');
    expect(line, line).to.match(/insert into \\?"?users/);
    for (const secret of [email, 'secret_person', 'Refused Name', '$argon2', PASSWORD]) {
      expect(
        lines.filter((l) => l.includes(secret)),
        `a log line holds ${secret}`,
      ).to.deep.equal([]);
    }
  });

  it('tells a refused value from a lost connection, and keeps the value out of the error', async () => {
    // Straight to the port, past the codecs that refuse such text at the edge.
    // PGlite reads an inlined 2147483648 as a bigint and finds nobody; PostgreSQL binds it to an integer and refuses it.
    const attempts = [
      () => store.users.findByLogin('nul\u0000login'),
      ...(kind === 'postgresql' ? [() => store.users.findById(2 ** 31)] : []),
    ];
    for (const attempt of attempts) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e as Error & { kind?: string },
      );
      expect(error, 'the database refused nothing').to.not.equal(undefined);
      expect(error!.kind, error!.message).to.not.equal('unavailable');
      const told = `${error!.message} ${error!.stack} ${String((error!.cause as Error | undefined)?.message)}`;
      expect(told).to.not.include('nul');
      expect(told).to.not.include('2147483648');
    }
    expect(await store.ping().then(() => 'up')).to.equal('up');
  });

  it('writes only the columns that changed', async () => {
    const user = await api.createUser({ full_name: 'Before' });
    dbLog.clear();
    const res = await api.http
      .patch(`/api/v1/users/${user.id}`)
      .set(bearer(user.token))
      .send({ full_name: 'After' });
    expect(res.status).to.equal(200);
    const updates = dbLog
      .find('slow_query')
      .map((e) => String(e.fields['query']))
      .filter((q) => /^update "?users"?/i.test(q));
    expect(updates).to.have.length(1);
    const assigned = updates[0]!.replace(/^.*? set (.*?) where .*$/is, '$1');
    const columns = [...assigned.matchAll(/"(\w+)" = /g)].map((m) => m[1]).sort();
    expect(columns).to.deep.equal(['full_name', 'updated_at', 'version']);
  });
});
