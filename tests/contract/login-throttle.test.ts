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
/** The seconds an attempt is told to wait: 0 when it may go on. */
const waitOf = async (throttle: LoginThrottle, key: string): Promise<number> =>
  (await throttle.attempt(key)).retryAfterS;
let sequence = 0;
const aKey = () => `user${++sequence}@example.com 10.0.0.${sequence % 250}`;

for (const subject of SUBJECTS) {
  describe(`LoginThrottle contract: ${subject.name}`, () => {
    before(async function () {
      await subject.setUp(this);
    });
    after(() => subject.tearDown());

    it('lets maxFailures attempts through, refuses the next for lockS seconds', async () => {
      const throttle = subject.make(OPTIONS);
      const key = aKey();
      for (let i = 0; i < OPTIONS.maxFailures; i += 1)
        expect(await waitOf(throttle, key), `attempt ${i + 1}`).to.equal(0);
      expect(await waitOf(throttle, key)).to.equal(OPTIONS.lockS);
    });

    it('refuses a locked key even after a success is reported for it (the password check never ran)', async () => {
      const throttle = subject.make({ maxFailures: 1, lockS: 60 });
      const key = aKey();
      await waitOf(throttle, key);
      expect(await waitOf(throttle, key)).to.be.greaterThan(0);
    });

    it('forgets the failures on success: the count is of failures in a row', async () => {
      const throttle = subject.make(OPTIONS);
      const key = aKey();
      for (let round = 0; round < 3; round += 1) {
        for (let i = 0; i < OPTIONS.maxFailures; i += 1)
          expect(await waitOf(throttle, key)).to.equal(0);
        await throttle.succeed(key);
      }
      expect(await waitOf(throttle, key)).to.equal(0);
    });

    it('counts each key on its own', async () => {
      const throttle = subject.make(OPTIONS);
      const [locked, other] = [aKey(), aKey()];
      for (let i = 0; i <= OPTIONS.maxFailures; i += 1) await waitOf(throttle, locked);
      expect(await waitOf(throttle, locked)).to.be.greaterThan(0);
      expect(await waitOf(throttle, other)).to.equal(0);
    });

    it('counts attempts made at the same moment: no more than maxFailures get through', async () => {
      const throttle = subject.make(OPTIONS);
      const key = aKey();
      const waits = await Promise.all(Array.from({ length: 10 }, () => waitOf(throttle, key)));
      expect(waits.filter((w) => w === 0)).to.have.length(OPTIONS.maxFailures);
      expect(waits.filter((w) => w > 0)).to.have.length(10 - OPTIONS.maxFailures);
    });

    it('lifts the lock after lockS seconds and counts afresh; refusals meanwhile do not lengthen it', async function () {
      this.timeout(10_000);
      const short = subject.make(OPTIONS);
      const long = subject.make({ maxFailures: 2, lockS: 60 });
      const [shortKey, longKey] = [aKey(), aKey()];
      for (let i = 0; i < OPTIONS.maxFailures; i += 1) await waitOf(short, shortKey);
      expect(await waitOf(short, shortKey)).to.equal(1);
      await waitOf(long, longKey);
      await waitOf(long, longKey);
      expect(await waitOf(long, longKey)).to.equal(60);
      expect(await waitOf(long, longKey)).to.be.within(59, 60);
      await sleep(1_100);
      for (let i = 0; i < OPTIONS.maxFailures; i += 1)
        expect(await waitOf(short, shortKey)).to.equal(0);
      expect(await waitOf(short, shortKey)).to.equal(1);
      expect(await waitOf(long, longKey)).to.be.within(58, 59);
    });

    it('clears an account from every address at once, and only that account', async () => {
      const throttle = subject.make({ maxFailures: 2, lockS: 60 });
      const [account, other] = [100_000 + ++sequence, 200_000 + sequence];
      const keys = [
        loginThrottleKey({ id: account }, 'ada', '10.0.0.1'),
        loginThrottleKey({ id: account }, 'ada@example.com', '10.0.0.2'),
        loginThrottleKey({ id: other }, 'bob', '10.0.0.1'),
      ];
      for (const key of keys) for (let i = 0; i < 3; i += 1) await waitOf(throttle, key);
      for (const key of keys) expect(await waitOf(throttle, key), key).to.be.greaterThan(0);
      await throttle.clearAccount(account);
      for (const key of keys.slice(0, 2)) expect(await waitOf(throttle, key), key).to.equal(0);
      expect(await waitOf(throttle, keys[2]!)).to.be.greaterThan(0);
      // The count starts afresh after a clear, and locks again.
      await waitOf(throttle, keys[0]!);
      expect(await waitOf(throttle, keys[0]!)).to.be.greaterThan(0);
    });

    it('tells the refusal that began a lock, and only it: not the attempts before, nor the refusals after', async () => {
      const throttle = subject.make({ maxFailures: 3, lockS: 60 });
      const key = aKey();
      const answers = [];
      for (let i = 0; i < 6; i += 1) answers.push(await throttle.attempt(key));
      expect(answers.map((a) => a.lockBegan)).to.deep.equal([
        false,
        false,
        false,
        true,
        false,
        false,
      ]);
      expect(answers.map((a) => a.retryAfterS > 0)).to.deep.equal([
        false,
        false,
        false,
        true,
        true,
        true,
      ]);
    });

    it('tells one beginning among attempts made at the same moment', async () => {
      const throttle = subject.make(OPTIONS);
      const key = aKey();
      const answers = await Promise.all(Array.from({ length: 10 }, () => throttle.attempt(key)));
      expect(answers.filter((a) => a.lockBegan)).to.have.length(1);
      expect(answers.filter((a) => a.lockBegan && a.retryAfterS === 0)).to.deep.equal([]);
    });

    it('tells each lock once: again after a lock ends, after a success and after a clear', async function () {
      this.timeout(10_000);
      const throttle = subject.make(OPTIONS);
      const account = 300_000 + ++sequence;
      const key = loginThrottleKey({ id: account }, 'ada', '10.0.0.3');
      /** Attempts until the key refuses, then two more; the beginnings told meanwhile. */
      const lockOnce = async (): Promise<number> => {
        let began = 0;
        for (let i = 0; i < OPTIONS.maxFailures + 3; i += 1)
          if ((await throttle.attempt(key)).lockBegan) began += 1;
        return began;
      };
      expect(await lockOnce(), 'the first lock').to.equal(1);
      await sleep(1_100);
      expect(await lockOnce(), 'once it has ended').to.equal(1);
      await throttle.clearAccount(account);
      expect(await lockOnce(), 'after a clear').to.equal(1);
      await sleep(1_100);
      await throttle.attempt(key);
      await throttle.succeed(key);
      expect(await lockOnce(), 'after a success').to.equal(1);
    });

    if (subject.name === 'redis') {
      it('shares the count between instances over one Redis', async () => {
        const [first, second] = [subject.make(OPTIONS), subject.make(OPTIONS)];
        const key = aKey();
        await waitOf(first, key);
        await waitOf(second, key);
        await waitOf(first, key);
        expect(await waitOf(second, key)).to.equal(OPTIONS.lockS);
        await second.succeed(key);
        expect(await waitOf(first, key)).to.equal(0);
      });

      it('tells one beginning per lock between instances over one Redis', async () => {
        const [first, second] = [subject.make(OPTIONS), subject.make(OPTIONS)];
        const key = aKey();
        const answers = [];
        for (let i = 0; i < 4; i += 1) {
          answers.push(await first.attempt(key));
          answers.push(await second.attempt(key));
        }
        expect(answers.map((a) => a.lockBegan)).to.deep.equal([
          false,
          false,
          false,
          true,
          false,
          false,
          false,
          false,
        ]);
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
