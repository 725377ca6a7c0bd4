import { expect } from 'chai';
import {
  Argon2PasswordHasher,
  ConcurrencyLimit,
  OWASP_ARGON2ID,
} from '../../../../src/adapters/security/argon2-password-hasher.js';

// What every PasswordHasher must do is in tests/contract/password-hasher.test.ts; this file keeps
// what is particular to argon2id.
describe('Argon2PasswordHasher', () => {
  const hasher = new Argon2PasswordHasher();

  it('makes argon2id hashes with the OWASP parameters', async () => {
    const hash = await hasher.hash('Passw0rdOk');
    expect(hash).to.match(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(OWASP_ARGON2ID).to.deep.equal({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  it('uses the parameters it was given', async () => {
    const light = new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    expect(await light.hash('Passw0rdOk')).to.match(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
  });

  it('keeps verifying hashes made with other parameters', async () => {
    const light = new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const hash = await light.hash('Passw0rdOk');
    expect(await hasher.verify(hash, 'Passw0rdOk')).to.equal(true);
    expect(await hasher.verify(hash, 'passw0rdOk')).to.equal(false);
  });

  it('returns false for argon2 hashes with broken parameters rather than throwing', async () => {
    const hash = await hasher.hash('Passw0rdOk');
    for (const stored of [
      hash.replace('$argon2id$', '$argon2x$'),
      hash.replace('m=19456', 'm=abc'),
      hash.replace('v=19', 'v=99'),
      hash.replace('$argon2id$', '$argon2i$'),
    ]) {
      expect(await hasher.verify(stored, 'Passw0rdOk'), stored).to.equal(false);
    }
  });

  it('can make its dummy hash ahead of the first unknown login, and refuses with it', async () => {
    const fresh = new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    await fresh.warmUp();
    expect(await fresh.verify(null, 'Passw0rdOk')).to.equal(false);
  });
});

describe('ConcurrencyLimit (the argon2 work queue)', () => {
  const deferred = () => {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('runs at most its limit at once, the others in the order they came, and frees a slot on failure', async () => {
    const limit = new ConcurrencyLimit(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const runs = gates.map((gate, i) =>
      limit.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        try {
          await gate.promise;
        } finally {
          running -= 1;
        }
        return i;
      }),
    );
    const settled = Promise.allSettled(runs);
    await tick();
    expect(started).to.deep.equal([0, 1]);
    expect(limit.queued).to.equal(3);
    gates[1]!.reject(new Error('failed'));
    await tick();
    expect(started).to.deep.equal([0, 1, 2]);
    for (const gate of [gates[0], gates[2], gates[3], gates[4]]) gate!.resolve();
    const results = await settled;
    expect(results.map((r) => r.status)).to.deep.equal([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(started).to.deep.equal([0, 1, 2, 3, 4]);
    expect(most).to.equal(2);
    expect(limit.queued).to.equal(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new ConcurrencyLimit(0)).to.throw(RangeError);
  });

  it('bounds the hasher: one at a time still hashes and verifies everything asked', async () => {
    const serial = new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }, 1);
    const hashes = await Promise.all(['a', 'b', 'c'].map((p) => serial.hash(`Passw0rd-${p}`)));
    expect(
      await Promise.all(hashes.map((h, i) => serial.verify(h, `Passw0rd-${'abc'[i]}`))),
    ).to.deep.equal([true, true, true]);
  });
});
