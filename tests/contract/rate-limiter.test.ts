/**
 * The RateLimiter contract, on memory, on a real Redis (two limiters over one Redis are two
 * instances of the service) and on a Redis that cannot be reached (the in-memory insurance answers).
 */
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { RateLimiter } from '../../src/application/ports/rate-limiter.js';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { FlexibleRateLimiter, type RateLimitOptions } from '../../src/adapters/rate-limit/flexible-rate-limiter.js';
import { closeRedisClient, createRedisClient } from '../../src/adapters/redis/redis-client.js';
import { deleteKeys, keysUnder, requireRedis, runKeyPrefix, testRedisUrl } from '../support/redis.js';
import { sleep } from './helpers.js';

interface Subject {
  readonly name: string;
  /** Called in a `before` hook: may skip the suite. */
  setUp(context: Mocha.Context): Promise<void>;
  /** A limiter; limiters made by one subject share their counts as instances of the service would. */
  make(options: Omit<RateLimitOptions, 'keyPrefix'>): RateLimiter;
  /** The keys the subject keeps in its store (for Redis), else null. */
  storedKeys(): Promise<string[] | null>;
  tearDown(): Promise<void>;
}

function memorySubject(): Subject {
  return {
    name: 'memory',
    async setUp() {},
    make: (options) => FlexibleRateLimiter.inMemory(options),
    storedKeys: async () => null,
    async tearDown() {},
  };
}

function redisSubject(): Subject {
  const prefix = runKeyPrefix();
  let client: Redis | undefined;
  return {
    name: 'redis',
    async setUp(context) {
      await requireRedis(context, 'RateLimiter contract: redis');
      client = createRedisClient(testRedisUrl(), new MemoryLogger('debug'));
      await client.ping().catch(async () => {
        await new Promise((resolve) => client!.once('ready', resolve));
      });
    },
    make: (options) => FlexibleRateLimiter.onRedis(client!, { ...options, keyPrefix: prefix }),
    storedKeys: () => keysUnder(client!, prefix),
    async tearDown() {
      if (client === undefined) return;
      await deleteKeys(client, prefix);
      await closeRedisClient(client);
    },
  };
}

/** Port 1 has no Redis: every call goes to the insurance limiter in memory. */
function unreachableRedisSubject(): Subject {
  let client: Redis | undefined;
  return {
    name: 'redis that cannot be reached',
    async setUp() {
      client = createRedisClient('redis://127.0.0.1:1', new MemoryLogger('debug'));
    },
    make: (options) => FlexibleRateLimiter.onRedis(client!, options),
    storedKeys: async () => null,
    async tearDown() {
      if (client !== undefined) await closeRedisClient(client);
    },
  };
}

const OPTIONS = { max: 3, windowS: 1 };
let sequence = 0;
const aKey = () => `ip:192.0.2.${++sequence % 250}-${sequence}`;

for (const subject of [memorySubject(), redisSubject(), unreachableRedisSubject()]) {
  describe(`RateLimiter contract: ${subject.name}`, function () {
    before(async function () {
      await subject.setUp(this);
    });
    after(() => subject.tearDown());

    it('allows max requests per window, counting down what remains, and refuses the next', async () => {
      const limiter = subject.make({ max: 3, windowS: 60 });
      const key = aKey();
      const decisions = [];
      for (let i = 0; i < 4; i += 1) decisions.push(await limiter.consume(key));
      expect(decisions.map((d) => [d.allowed, d.remaining])).to.deep.equal([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ]);
      for (const decision of decisions) {
        expect(decision.limit).to.equal(3);
        expect(decision.windowS).to.equal(60);
        expect(decision.resetS).to.be.within(59, 60);
      }
    });

    it('keeps refusing until the window ends, the reset counting down, then gives a fresh budget', async function () {
      this.timeout(10_000);
      const limiter = subject.make({ max: 1, windowS: 2 });
      const key = aKey();
      expect((await limiter.consume(key)).allowed).to.equal(true);
      const refused = await limiter.consume(key);
      expect(refused).to.include({ allowed: false, remaining: 0, resetS: 2 });
      await sleep(1_100);
      const later = await limiter.consume(key);
      expect(later).to.include({ allowed: false, resetS: 1 });
      await sleep(1_000);
      expect(await limiter.consume(key)).to.include({ allowed: true, remaining: 0, resetS: 2 });
    });

    it('counts each key on its own', async () => {
      const limiter = subject.make(OPTIONS);
      const [spent, other] = [aKey(), aKey()];
      for (let i = 0; i < OPTIONS.max; i += 1) await limiter.consume(spent);
      expect((await limiter.consume(spent)).allowed).to.equal(false);
      expect(await limiter.consume(other)).to.include({ allowed: true, remaining: OPTIONS.max - 1 });
    });

    it('counts requests made at the same moment: no more than max get through', async () => {
      const limiter = subject.make({ max: 5, windowS: 60 });
      const key = aKey();
      const decisions = await Promise.all(Array.from({ length: 20 }, () => limiter.consume(key)));
      expect(decisions.filter((d) => d.allowed)).to.have.length(5);
      expect(decisions.filter((d) => d.allowed).map((d) => d.remaining).sort()).to.deep.equal([0, 1, 2, 3, 4]);
    });

    it('refuses nonsense settings', () => {
      expect(() => subject.make({ max: 0, windowS: 60 })).to.throw(RangeError);
      expect(() => subject.make({ max: 10, windowS: 0.5 })).to.throw(RangeError);
    });

    if (subject.name === 'redis') {
      it('shares one budget between instances over one Redis', async () => {
        const [first, second] = [subject.make({ max: 4, windowS: 60 }), subject.make({ max: 4, windowS: 60 })];
        const key = aKey();
        expect((await first.consume(key)).remaining).to.equal(3);
        expect((await second.consume(key)).remaining).to.equal(2);
        expect((await first.consume(key)).remaining).to.equal(1);
        expect((await second.consume(key)).remaining).to.equal(0);
        expect((await first.consume(key)).allowed).to.equal(false);
        expect((await second.consume(key)).allowed).to.equal(false);
      });

      it('keeps no addresses in Redis, only hashes under its prefix', async () => {
        const limiter = subject.make({ max: 5, windowS: 60 });
        await limiter.consume('ip:192.0.2.77');
        const keys = (await subject.storedKeys()) ?? [];
        expect(keys.length).to.be.greaterThan(0);
        expect(keys.join(' ')).to.not.contain('192.0.2.77');
      });
    }
  });
}
