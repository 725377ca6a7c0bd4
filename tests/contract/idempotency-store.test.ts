/**
 * The IdempotencyStore contract, on every store that keeps idempotency keys: in memory, PGlite,
 * PostgreSQL (the persistence's own store) and Redis (under a key prefix of this run's own).
 * Time is a FixedClock, so expiry is tested by moving it, on Redis as elsewhere.
 */
import { expect } from 'chai';
import type { PGliteThread } from '../../src/adapters/persistence/mikro-orm/pglite-thread.js';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import type { Redis } from 'ioredis';
import type {
  IdempotencyBegin,
  IdempotencyRequest,
  IdempotencyStore,
  IdempotencyTicket,
  StoredResponse,
} from '../../src/application/ports/idempotency-store.js';
import { FixedClock } from '../../src/adapters/clock/fixed-clock.js';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { InMemoryDatabase } from '../../src/adapters/persistence/in-memory/in-memory-database.js';
import {
  IDEMPOTENCY_KEYS,
  InMemoryIdempotencyStore,
} from '../../src/adapters/persistence/in-memory/in-memory-idempotency-store.js';
import { MikroOrmIdempotencyStore } from '../../src/adapters/persistence/mikro-orm/mikro-orm-idempotency-store.js';
import {
  mikroOrmOptions,
  openPGlite,
} from '../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import { closeRedisClient, createRedisClient } from '../../src/adapters/redis/redis-client.js';
import { RedisIdempotencyStore } from '../../src/adapters/redis/redis-idempotency-store.js';
import {
  deleteKeys,
  keysUnder,
  requireRedis,
  runKeyPrefix,
  testRedisUrl,
} from '../support/redis.js';
import { requireStorage, storageTargets, useStorage } from '../support/storage.js';

const DAY_S = 24 * 60 * 60;
const LEASE_S = 300;

interface Subject {
  readonly name: string;
  /** Declares the hooks the subject needs (inside its describe block) and returns its store maker. */
  use(): (clock: FixedClock) => IdempotencyStore;
}

const storageSubjects: Subject[] = storageTargets().map((target) => ({
  name: target.name,
  use() {
    before(async function () {
      await requireStorage(target, this, `IdempotencyStore contract [${target.name}]`);
    });
    const store = useStorage(target);
    return (clock) => store().idempotencyStore(clock);
  },
}));

const redisSubject: Subject = {
  name: 'redis',
  use() {
    const prefix = runKeyPrefix();
    let client: Redis | undefined;
    before(async function () {
      await requireRedis(this, 'IdempotencyStore contract [redis]');
      client = createRedisClient(testRedisUrl(), new MemoryLogger('debug'));
      await new Promise((resolve) => client!.once('ready', resolve));
    });
    afterEach(async () => {
      if (client !== undefined) await deleteKeys(client, prefix);
    });
    after(async () => {
      if (client !== undefined) await closeRedisClient(client);
    });
    return (clock) => new RedisIdempotencyStore(client!, clock, prefix);
  },
};

let sequence = 0;
const aKey = () => `key-${process.pid}-${++sequence}`;

const CREATED: StoredResponse = {
  status: 201,
  headers: { Location: '/api/v1/users/7/orders/3', ETag: '"1"' },
  // Keys deliberately out of alphabetical order: a replay keeps the order of the first response.
  body: {
    id: 3,
    user_id: 7,
    status: 'pending',
    items: [{ sku: 'BOOK-1', quantity: 2, unit_price_cents: 1999 }],
    total_cents: 3998,
    note: 'é ✓ "quoted"',
    nested: { z: 1, a: [null, true] },
  },
};

function expectNew(begun: IdempotencyBegin): IdempotencyTicket {
  expect(begun.outcome).to.equal('new');
  if (begun.outcome !== 'new') throw new Error('unreachable');
  return begun.ticket;
}

for (const subject of [...storageSubjects, redisSubject]) {
  describe(`IdempotencyStore contract [${subject.name}]`, () => {
    const make = subject.use();
    let clock: FixedClock;
    let store: IdempotencyStore;
    beforeEach(() => {
      clock = new FixedClock('2026-03-01T10:00:00.000Z');
      store = make(clock);
    });
    const request = (key: string, over: Partial<IdempotencyRequest> = {}): IdempotencyRequest => ({
      scope: 'user:7',
      key,
      fingerprint: 'a'.repeat(64),
      leaseS: LEASE_S,
      ...over,
    });

    it('claims a free key: new, with a ticket naming the key, the request and a claim', async () => {
      const key = aKey();
      const ticket = expectNew(await store.begin(request(key)));
      expect(ticket).to.include({ scope: 'user:7', key, fingerprint: 'a'.repeat(64) });
      expect(ticket.claim).to.be.a('string').with.length.greaterThan(0);
    });

    it('the same request while the first is in flight: in_flight; another request: mismatch', async () => {
      const key = aKey();
      expectNew(await store.begin(request(key)));
      expect(await store.begin(request(key))).to.deep.equal({ outcome: 'in_flight' });
      expect(await store.begin(request(key, { fingerprint: 'b'.repeat(64) }))).to.deep.equal({
        outcome: 'mismatch',
      });
    });

    it('replays a completed response exactly (status, headers, body, the order of its fields)', async () => {
      const key = aKey();
      const ticket = expectNew(await store.begin(request(key)));
      expect(await store.complete(ticket, CREATED, DAY_S)).to.equal(true);
      const again = await store.begin(request(key));
      expect(again).to.deep.equal({ outcome: 'replay', response: CREATED });
      if (again.outcome === 'replay')
        expect(JSON.stringify(again.response.body)).to.equal(JSON.stringify(CREATED.body));
      // A replay is handed out again and again, and a caller changing its copy changes nothing kept.
      if (again.outcome === 'replay') (again.response.body as Record<string, unknown>)['id'] = 999;
      expect(await store.begin(request(key))).to.deep.equal({
        outcome: 'replay',
        response: CREATED,
      });
    });

    it('a completed key with another request: mismatch', async () => {
      const key = aKey();
      await store.complete(expectNew(await store.begin(request(key))), CREATED, DAY_S);
      expect(await store.begin(request(key, { fingerprint: 'b'.repeat(64) }))).to.deep.equal({
        outcome: 'mismatch',
      });
    });

    it('keeps a response without a body, and bodies that are not objects', async () => {
      for (const response of [
        { status: 204, headers: {}, body: null },
        { status: 200, headers: {}, body: 'a "string"' },
        { status: 200, headers: {}, body: [1, 'two', null] },
        { status: 200, headers: {}, body: 0 },
      ] satisfies StoredResponse[]) {
        const key = aKey();
        await store.complete(expectNew(await store.begin(request(key))), response, DAY_S);
        expect(await store.begin(request(key))).to.deep.equal({ outcome: 'replay', response });
      }
    });

    it('a released key is free again, for any request, with a new claim', async () => {
      const key = aKey();
      const first = expectNew(await store.begin(request(key)));
      expect(await store.release(first)).to.equal(true);
      const second = expectNew(await store.begin(request(key, { fingerprint: 'b'.repeat(64) })));
      expect(second.claim).to.not.equal(first.claim);
    });

    it('settles a claim once: a second release, or a complete after a release or a complete, changes nothing', async () => {
      const key = aKey();
      const first = expectNew(await store.begin(request(key)));
      expect(await store.release(first)).to.equal(true);
      expect(await store.release(first)).to.equal(false);
      expect(await store.complete(first, CREATED, DAY_S)).to.equal(false);
      expect(expectNew(await store.begin(request(key)))).to.be.an('object');

      const other = aKey();
      const done = expectNew(await store.begin(request(other)));
      expect(await store.complete(done, CREATED, DAY_S)).to.equal(true);
      expect(await store.complete(done, { ...CREATED, status: 200 }, DAY_S)).to.equal(false);
      expect(await store.release(done)).to.equal(false);
      expect(await store.begin(request(other))).to.deep.equal({
        outcome: 'replay',
        response: CREATED,
      });
    });

    it('keeps scopes apart: the same key of another caller is another key', async () => {
      const key = aKey();
      await store.complete(expectNew(await store.begin(request(key))), CREATED, DAY_S);
      expectNew(await store.begin(request(key, { scope: 'user:8', fingerprint: 'b'.repeat(64) })));
      expectNew(await store.begin(request(key, { scope: 'address:10.0.0.1' })));
      expect(await store.begin(request(key))).to.deep.equal({
        outcome: 'replay',
        response: CREATED,
      });
    });

    it('takes keys of any visible characters, separators included', async () => {
      const keys = ['a', '"quoted"', 'a|b|c', 'x:y:z', '100%_sure\\', '~'.repeat(255)];
      for (const key of keys)
        await store.complete(expectNew(await store.begin(request(key))), CREATED, DAY_S);
      for (const key of keys) expect((await store.begin(request(key))).outcome).to.equal('replay');
      expectNew(await store.begin(request('a|b', { scope: 'user:7|c' })));
    });

    it('of many concurrent begins with one key, exactly one claims it', async () => {
      const key = aKey();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.begin(request(key))),
      );
      expect(results.filter((r) => r.outcome === 'new')).to.have.length(1);
      expect(results.filter((r) => r.outcome === 'in_flight')).to.have.length(19);
    });

    it('keeps a response for its time and not a millisecond more; then the key is free', async () => {
      const key = aKey();
      await store.complete(expectNew(await store.begin(request(key))), CREATED, DAY_S);
      clock.advance(DAY_S * 1000 - 1);
      expect((await store.begin(request(key))).outcome).to.equal('replay');
      clock.advance(1);
      const next = expectNew(await store.begin(request(key, { fingerprint: 'b'.repeat(64) })));
      expect(await store.begin(request(key, { fingerprint: 'b'.repeat(64) }))).to.deep.equal({
        outcome: 'in_flight',
      });
      expect(await store.complete(next, { ...CREATED, status: 200 }, DAY_S)).to.equal(true);
      expect(await store.begin(request(key, { fingerprint: 'b'.repeat(64) }))).to.deep.equal({
        outcome: 'replay',
        response: { ...CREATED, status: 200 },
      });
    });

    it('times the kept response from the completion, not from the claim', async () => {
      const key = aKey();
      const ticket = expectNew(await store.begin(request(key)));
      clock.advance(60_000);
      await store.complete(ticket, CREATED, DAY_S);
      clock.advance(DAY_S * 1000 - 1);
      expect((await store.begin(request(key))).outcome).to.equal('replay');
    });

    it('a claim never settled lapses after its lease; the late holder can then settle nothing', async () => {
      const key = aKey();
      const stale = expectNew(await store.begin(request(key)));
      clock.advance(LEASE_S * 1000 - 1);
      expect(await store.begin(request(key))).to.deep.equal({ outcome: 'in_flight' });
      clock.advance(1);
      const fresh = expectNew(await store.begin(request(key)));
      expect(await store.complete(stale, { ...CREATED, status: 200 }, DAY_S)).to.equal(false);
      expect(await store.release(stale)).to.equal(false);
      expect(await store.complete(fresh, CREATED, DAY_S)).to.equal(true);
      expect(await store.begin(request(key))).to.deep.equal({
        outcome: 'replay',
        response: CREATED,
      });
    });
  });
}

describe('IdempotencyStore [in-memory]: expired rows are purged', () => {
  it('deletes expired rows on a later begin, at most once a minute', async () => {
    const db = new InMemoryDatabase();
    const clock = new FixedClock('2026-03-01T10:00:00.000Z');
    const store = new InMemoryIdempotencyStore(db, clock);
    const request = (key: string): IdempotencyRequest => ({
      scope: 'user:1',
      key,
      fingerprint: 'f',
      leaseS: 60,
    });
    await store.complete(expectNew(await store.begin(request('old'))), CREATED, 60);
    await store.begin(request('in-flight'));
    expect(db.rows(IDEMPOTENCY_KEYS).size).to.equal(2);
    clock.advance(61_000);
    await store.begin(request('new'));
    expect([...db.rows(IDEMPOTENCY_KEYS).values()].map((row) => row.key)).to.deep.equal(['new']);
  });
});

describe('IdempotencyStore [pglite]: expired rows are purged', () => {
  let pglite: PGliteThread;
  let orm: MikroORM<AbstractSqlDriver>;
  before(async function () {
    this.timeout(60_000);
    pglite = openPGlite(null);
    await pglite.waitReady;
    orm = await MikroORM.init<AbstractSqlDriver>(
      mikroOrmOptions({ kind: 'pglite', dataDir: null }, pglite),
    );
    await orm.getMigrator().up();
  });
  after(async () => {
    await orm?.close(true);
    await pglite?.close();
  });

  it('deletes expired rows in a batch after a later claim, at most once a minute', async () => {
    const clock = new FixedClock('2026-03-01T10:00:00.000Z');
    const store = new MikroOrmIdempotencyStore(orm, clock);
    const keys = async () =>
      (
        (await orm.em
          .getConnection('write')
          .execute('select "key" from "idempotency_keys" order by "key"')) as { key: string }[]
      ).map((r) => r.key);
    const request = (key: string): IdempotencyRequest => ({
      scope: 'user:1',
      key,
      fingerprint: 'f'.repeat(64),
      leaseS: 60,
    });
    const first = await store.begin(request('a-done'));
    if (first.outcome !== 'new') throw new Error('expected a claim');
    await store.complete(first.ticket, CREATED, 60);
    await store.begin(request('b-in-flight'));
    clock.advance(30_000);
    await store.begin(request('c-live'));
    expect(await keys()).to.deep.equal(['a-done', 'b-in-flight', 'c-live']);
    clock.advance(31_000);
    // Both older rows are expired now, and a minute has passed since the last purge.
    await store.begin(request('d-new'));
    expect(await keys()).to.deep.equal(['c-live', 'd-new']);
  });
});

describe('IdempotencyStore [redis]: what Redis holds', () => {
  const prefix = runKeyPrefix();
  let client: Redis | undefined;
  before(async function () {
    await requireRedis(this, 'IdempotencyStore [redis]: what Redis holds');
    client = createRedisClient(testRedisUrl(), new MemoryLogger('debug'));
    await new Promise((resolve) => client!.once('ready', resolve));
  });
  after(async () => {
    if (client === undefined) return;
    await deleteKeys(client, prefix);
    await closeRedisClient(client);
  });

  it('names keys by a digest (no user id or address in Redis key names) and lets Redis expire them too', async () => {
    const store = new RedisIdempotencyStore(client!, new FixedClock(), prefix);
    const begun = await store.begin({
      scope: 'address:192.0.2.7',
      key: 'secret-ish',
      fingerprint: 'f',
      leaseS: 300,
    });
    const [name] = await keysUnder(client!, prefix);
    expect(name).to.match(new RegExp(`^${prefix}:idempotency:[0-9a-f]{64}$`));
    const leased = await client!.pttl(name!);
    expect(leased).to.be.within(299_000, 300_000);
    if (begun.outcome !== 'new') throw new Error('expected a claim');
    await store.complete(begun.ticket, CREATED, DAY_S);
    expect(await client!.pttl(name!)).to.be.within(DAY_S * 1000 - 1000, DAY_S * 1000);
    expect(await client!.get(name!)).to.not.include('192.0.2.7');
  });
});

describe('IdempotencyStore [redis that cannot be reached]', () => {
  it('rejects at once when Redis cannot be reached', async () => {
    const down = createRedisClient('redis://127.0.0.1:1', new MemoryLogger('debug'));
    try {
      const store = new RedisIdempotencyStore(down, new FixedClock(), runKeyPrefix());
      const started = Date.now();
      let failed = false;
      await store
        .begin({ scope: 'user:1', key: 'k', fingerprint: 'f', leaseS: 60 })
        .catch(() => (failed = true));
      expect(failed).to.equal(true);
      expect(Date.now() - started).to.be.below(1_500);
    } finally {
      await closeRedisClient(down);
    }
  });
});
