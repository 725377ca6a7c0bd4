import { expect } from 'chai';
import type { PasswordHasher } from '../../src/application/ports/password-hasher.js';
import { Argon2PasswordHasher } from '../../src/adapters/security/argon2-password-hasher.js';
import { InMemoryPasswordHasher } from '../../src/adapters/security/in-memory-password-hasher.js';

interface Subject {
  readonly name: string;
  make(): PasswordHasher;
}

const subjects: readonly Subject[] = [
  { name: 'Argon2PasswordHasher', make: () => new Argon2PasswordHasher() },
  { name: 'InMemoryPasswordHasher', make: () => new InMemoryPasswordHasher() },
];

const PASSWORD = 'Passw0rdOk';

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function elapsedMs(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

for (const subject of subjects) {
  describe(`PasswordHasher contract: ${subject.name}`, () => {
    let hasher: PasswordHasher;

    beforeEach(() => {
      hasher = subject.make();
    });

    it('never returns the password, or anything containing it', async () => {
      const hash = await hasher.hash(PASSWORD);
      expect(hash).to.be.a('string').and.not.equal(PASSWORD);
      expect(hash).to.not.contain(PASSWORD);
      expect(hash).to.not.contain(Buffer.from(PASSWORD).toString('base64url'));
    });

    it('salts every hash, so the same password hashes differently each time, and both verify', async () => {
      const [a, b] = await Promise.all([hasher.hash(PASSWORD), hasher.hash(PASSWORD)]);
      expect(a).to.not.equal(b);
      expect(await hasher.verify(a, PASSWORD)).to.equal(true);
      expect(await hasher.verify(b, PASSWORD)).to.equal(true);
    });

    it('verifies the right password and refuses a wrong, empty, other-case, shorter or padded one', async () => {
      const hash = await hasher.hash(PASSWORD);
      expect(await hasher.verify(hash, PASSWORD)).to.equal(true);
      for (const wrong of [
        'Wr0ngPassword',
        '',
        'passw0rdOk',
        'PASSW0RDOK',
        'Passw0rdO',
        `${PASSWORD} `,
        ` ${PASSWORD}`,
      ]) {
        expect(await hasher.verify(hash, wrong), JSON.stringify(wrong)).to.equal(false);
      }
    });

    it('hashes an empty password like any other', async () => {
      const hash = await hasher.hash('');
      expect(await hasher.verify(hash, '')).to.equal(true);
      expect(await hasher.verify(hash, ' ')).to.equal(false);
    });

    it('keeps unicode passwords exactly, without normalising them', async () => {
      const composed = 'Pässwörd-密码-🔑'; // "ä" and "ö" as single code points (NFC)
      const decomposed = composed.normalize('NFD');
      expect(decomposed).to.not.equal(composed);
      const hash = await hasher.hash(composed);
      expect(await hasher.verify(hash, composed)).to.equal(true);
      expect(await hasher.verify(hash, decomposed)).to.equal(false);
      expect(await hasher.verify(hash, 'Pässwörd-密码-🔐')).to.equal(false);
    });

    it('returns false for a missing hash (no such account)', async () => {
      expect(await hasher.verify(null, PASSWORD)).to.equal(false);
      expect(await hasher.verify(null, '')).to.equal(false);
    });

    it('spends about as long on a missing hash as on a wrong password', async () => {
      const known = await hasher.hash(PASSWORD);
      await hasher.verify(null, PASSWORD); // whatever is made once (a dummy hash) is made here
      // Interleaved, so a busy machine slows both kinds alike.
      const unknown: number[] = [];
      const wrong: number[] = [];
      for (let i = 0; i < 9; i += 1) {
        unknown.push(await elapsedMs(() => hasher.verify(null, PASSWORD)));
        wrong.push(await elapsedMs(() => hasher.verify(known, 'Wr0ngPassword')));
      }
      // Both run one full check; a shortcut for unknown users would take a small fraction of it.
      expect(median(unknown)).to.be.greaterThan(median(wrong) / 4);
    });

    it('returns false rather than throwing for a malformed or tampered stored hash', async () => {
      const hash = await hasher.hash(PASSWORD);
      const middle = Math.floor(hash.length / 2);
      const flipped =
        hash.slice(0, middle) + (hash[middle] === 'A' ? 'B' : 'A') + hash.slice(middle + 1);
      const candidates = [
        '',
        'not-a-hash',
        PASSWORD,
        hash.slice(0, -4),
        `${hash}AAAA`,
        flipped,
        hash.toUpperCase(),
        '$argon2id$v=19$m=19456,t=2,p=1$short',
        '$2b$10$abcdefghijklmnopqrstuv',
        'mem$$',
        'mem$short$short',
        `mem$${'A'.repeat(22)}$${'A'.repeat(43)}`,
      ];
      for (const stored of candidates) {
        expect(await hasher.verify(stored, PASSWORD), stored).to.equal(false);
      }
      expect(await hasher.verify(hash, PASSWORD)).to.equal(true);
    });

    for (const other of subjects.filter((s) => s.name !== subject.name)) {
      it(`refuses, without throwing, a hash made by ${other.name}`, async () => {
        const foreign = await other.make().hash(PASSWORD);
        expect(await other.make().verify(foreign, PASSWORD)).to.equal(true);
        expect(await hasher.verify(foreign, PASSWORD)).to.equal(false);
      });
    }
  });
}

describe('InMemoryPasswordHasher format', () => {
  it('writes mem$<salt>$<hash> in base64url, with a fresh salt each time', async () => {
    const hasher = new InMemoryPasswordHasher();
    const [a, b] = await Promise.all([hasher.hash(PASSWORD), hasher.hash(PASSWORD)]);
    expect(a).to.match(/^mem\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a.split('$')[1]).to.not.equal(b.split('$')[1]);
  });

  it('verifies hashes made by another instance (nothing secret is kept per instance)', async () => {
    const hash = await new InMemoryPasswordHasher().hash(PASSWORD);
    expect(await new InMemoryPasswordHasher().verify(hash, PASSWORD)).to.equal(true);
  });
});
