/**
 * The LoginThrottle contract, on memory, on a real Redis (two throttles over one Redis are two
 * instances of the service) and on a Redis that cannot be reached (the in-memory insurance answers).
 */
import { expect } from 'chai';
import {
  loginThrottleKey,
  type LoginThrottle,
} from '../../src/application/ports/login-throttle.js';
import {
  RateLimiterLoginThrottle,
  type LoginThrottleOptions,
} from '../../src/adapters/rate-limit/rate-limiter-login-throttle.js';
import { redisBackedSubjects } from '../support/redis.js';
import { sleep } from './helpers.js';

const SUBJECTS = redisBackedSubjects<LoginThrottle, Omit<LoginThrottleOptions, 'keyPrefix'>>(
  'LoginThrottle',
  {
    inMemory: (options) => RateLimiterLoginThrottle.inMemory(options),
    onRedis: (client, options) => RateLimiterLoginThrottle.onRedis(client, options),
  },
);

const OPTIONS = { maxFailures: 3, lockS: 1 };
let sequence = 0;
const aKey = () => `user${++sequence}@example.com 10.0.0.${sequence % 250}`;

for (const subject of SUBJECTS) {
  describe(`LoginThrottle contract: ${subject.name}`, function () {
    before(async function () {
      await subject.setUp(this);
    });
    after(() => subject.tearDown());

    it('lets maxFailures attempts through, refuses the next for lockS seconds', async () => {
      const throttle = subject.make(OPTIONS);
      const key = aKey();
      for (let i = 0; i < OPTIONS.maxFailures; i += 1)
        expect(await throttle.attempt(key), `attempt ${i + 1}`).to.equal(0);
      expect(await throttle.attempt(key)).to.equal(OPTIONS.lockS);
    });

    it('refuses a locked key even after a success is reported for it (the password check never ran)', async () => {
      const throttle = subject.make({ maxFailures: 1, lockS: 60 });
      const key = aKey();
      await throttle.attempt(key);
      expect(await throttle.attempt(key)).to.be.greaterThan(0);
    });

    it('forgets the failures on success: the count is of failures in a row', async () => {
      const throttle = subject.make(OPTIONS);
      const key = aKey();
      for (let round = 0; round < 3; round += 1) {
        for (let i = 0; i < OPTIONS.maxFailures; i += 1)
          expect(await throttle.attempt(key)).to.equal(0);
        await throttle.succeed(key);
      }
      expect(await throttle.attempt(key)).to.equal(0);
    });

    it('counts each key on its own', async () => {
      const throttle = subject.make(OPTIONS);
      const [locked, other] = [aKey(), aKey()];
      for (let i = 0; i <= OPTIONS.maxFailures; i += 1) await throttle.attempt(locked);
      expect(await throttle.attempt(locked)).to.be.greaterThan(0);
      expect(await throttle.attempt(other)).to.equal(0);
    });

    it('counts attempts made at the same moment: no more than maxFailures get through', async () => {
      const throttle = subject.make(OPTIONS);
      const key = aKey();
      const waits = await Promise.all(Array.from({ length: 10 }, () => throttle.attempt(key)));
      expect(waits.filter((w) => w === 0)).to.have.length(OPTIONS.maxFailures);
      expect(waits.filter((w) => w > 0)).to.have.length(10 - OPTIONS.maxFailures);
    });

    it('lifts the lock after lockS seconds and counts afresh; refusals meanwhile do not lengthen it', async function () {
      this.timeout(10_000);
      const short = subject.make(OPTIONS);
      const long = subject.make({ maxFailures: 2, lockS: 60 });
      const [shortKey, longKey] = [aKey(), aKey()];
      for (let i = 0; i < OPTIONS.maxFailures; i += 1) await short.attempt(shortKey);
      expect(await short.attempt(shortKey)).to.equal(1);
      await long.attempt(longKey);
      await long.attempt(longKey);
      expect(await long.attempt(longKey)).to.equal(60);
      expect(await long.attempt(longKey)).to.be.within(59, 60);
      await sleep(1_100);
      for (let i = 0; i < OPTIONS.maxFailures; i += 1)
        expect(await short.attempt(shortKey)).to.equal(0);
      expect(await short.attempt(shortKey)).to.equal(1);
      expect(await long.attempt(longKey)).to.be.within(58, 59);
    });

    it('clears an account from every address at once, and only that account', async () => {
      const throttle = subject.make({ maxFailures: 2, lockS: 60 });
      const [account, other] = [100_000 + ++sequence, 200_000 + sequence];
      const keys = [
        loginThrottleKey({ id: account }, 'ada', '10.0.0.1'),
        loginThrottleKey({ id: account }, 'ada@example.com', '10.0.0.2'),
        loginThrottleKey({ id: other }, 'bob', '10.0.0.1'),
      ];
      for (const key of keys) for (let i = 0; i < 3; i += 1) await throttle.attempt(key);
      for (const key of keys) expect(await throttle.attempt(key), key).to.be.greaterThan(0);
      await throttle.clearAccount(account);
      for (const key of keys.slice(0, 2)) expect(await throttle.attempt(key), key).to.equal(0);
      expect(await throttle.attempt(keys[2]!)).to.be.greaterThan(0);
      // The count starts afresh after a clear, and locks again.
      await throttle.attempt(keys[0]!);
      expect(await throttle.attempt(keys[0]!)).to.be.greaterThan(0);
    });

    if (subject.name === 'redis') {
      it('shares the count between instances over one Redis', async () => {
        const [first, second] = [subject.make(OPTIONS), subject.make(OPTIONS)];
        const key = aKey();
        await first.attempt(key);
        await second.attempt(key);
        await first.attempt(key);
        expect(await second.attempt(key)).to.equal(OPTIONS.lockS);
        await second.succeed(key);
        expect(await first.attempt(key)).to.equal(0);
      });

      it('keeps neither logins nor addresses in Redis, only hashes under its prefix', async () => {
        const throttle = subject.make(OPTIONS);
        await throttle.attempt('visible-login@example.com 192.0.2.7');
        const keys = (await subject.storedKeys()) ?? [];
        expect(keys.length).to.be.greaterThan(0);
        expect(keys.join(' ')).to.not.contain('visible-login').and.not.contain('192.0.2.7');
      });
    }
  });
}
