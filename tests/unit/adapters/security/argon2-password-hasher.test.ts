import { expect } from 'chai';
import { Argon2PasswordHasher, OWASP_ARGON2ID } from '../../../../src/adapters/security/argon2-password-hasher.js';

// What every PasswordHasher must do is in tests/contract/password-hasher.test.ts; this file keeps
// what is particular to argon2id.
describe('Argon2PasswordHasher', () => {
  const hasher = new Argon2PasswordHasher();

  it('makes argon2id hashes with the OWASP parameters', async () => {
    const hash = await hasher.hash('Passw0rdOk');
    expect(hash).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
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
