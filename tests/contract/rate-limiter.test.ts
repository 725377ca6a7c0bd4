/**
 * The RateLimiter contract, on memory, on a real Redis (two limiters over one Redis are two
 * instances of the service) and on a Redis that cannot be reached (the in-memory insurance answers).
 */
import { expect } from 'chai';
import type { RateLimiter } from '../../src/application/ports/rate-limiter.js';
import {
  FlexibleRateLimiter,
  type RateLimitOptions,
} from '../../src/adapters/rate-limit/flexible-rate-limiter.js';
import { redisBackedSubjects } from '../support/redis.js';
import { sleep } from './helpers.js';

const SUBJECTS = redisBackedSubjects<RateLimiter, Omit<RateLimitOptions, 'keyPrefix'>>(
  'RateLimiter',
  {
    inMemory: (options) => FlexibleRateLimiter.inMemory(options),
    onRedis: (client, options) => FlexibleRateLimiter.onRedis(client, options),
  },
);

const OPTIONS = { max: 3, windowS: 1 };
let sequence = 0;
const aKey = () => `ip:192.0.2.${++sequence % 250}-${sequence}`;

for (const subject of SUBJECTS) {
  describe(`RateLimiter contract: ${subject.name}`, () => {
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
      expect(await limiter.consume(other)).to.include({
        allowed: true,
        remaining: OPTIONS.max - 1,
      });
    });

    it('counts requests made at the same moment: no more than max get through', async () => {
      const limiter = subject.make({ max: 5, windowS: 60 });
      const key = aKey();
      const decisions = await Promise.all(Array.from({ length: 20 }, () => limiter.consume(key)));
      expect(decisions.filter((d) => d.allowed)).to.have.length(5);
      expect(
        decisions
          .filter((d) => d.allowed)
          .map((d) => d.remaining)
          .sort(),
      ).to.deep.equal([0, 1, 2, 3, 4]);
    });

    it('refuses nonsense settings', () => {
      expect(() => subject.make({ max: 0, windowS: 60 })).to.throw(RangeError);
      expect(() => subject.make({ max: 10, windowS: 0.5 })).to.throw(RangeError);
    });

    if (subject.name === 'redis') {
      it('shares one budget between instances over one Redis', async () => {
        const [first, second] = [
          subject.make({ max: 4, windowS: 60 }),
          subject.make({ max: 4, windowS: 60 }),
        ];
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
