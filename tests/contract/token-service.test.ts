import { expect } from 'chai';
import fc from 'fast-check';
import type { Clock } from '../../src/application/ports/clock.js';
import {
  ISSUE_CLOCK_SKEW_MS,
  type TokenIssuer,
  type TokenVerifier,
} from '../../src/application/ports/tokens.js';
import { MAX_ID } from '../../src/domain/shared/ids.js';
import { FixedClock } from '../../src/adapters/clock/fixed-clock.js';
import { InMemoryTokenService } from '../../src/adapters/security/in-memory-token-service.js';
import { CachingTokenVerifier } from '../../src/adapters/security/caching-token-verifier.js';
import { PasetoTokenService } from '../../src/adapters/security/paseto-token-service.js';
import { generateTokenKeyPair } from '../../src/adapters/security/paserk-keys.js';
import { expectDomainError, rejectionOf } from './helpers.js';

type TokenService = TokenIssuer & TokenVerifier;

interface Subject {
  readonly name: string;
  /**
   * A service issuing tokens that live `accessTtlS` seconds by `clock`. Services made with
   * different `instance` numbers do not accept each other's tokens (another key, another store).
   */
  make(clock: Clock, accessTtlS: number, instance?: 0 | 1): Promise<TokenService>;
}

let keys: ReadonlyArray<{ secret: string; public: string }> = [];

const subjects: readonly Subject[] = [
  {
    name: 'PasetoTokenService',
    make: (clock, accessTtlS, instance = 0) =>
      PasetoTokenService.create(
        // One key id for both keys: the signature, not the key id, has to tell them apart.
        {
          issuer: 'https://id.example.com',
          audience: 'user-api',
          accessTtlS,
          signingKey: { kid: 'k', secret: keys[instance]!.secret },
        },
        clock,
      ),
  },
  {
    name: 'InMemoryTokenService',
    make: async (clock, accessTtlS) => new InMemoryTokenService({ accessTtlS }, clock),
  },
  {
    // What the composition root wires: PASETO behind the cache of verified tokens. Every rule of
    // the contract (expiry to the millisecond, a clock moved back, tampering) holds through it.
    name: 'CachingTokenVerifier over PasetoTokenService',
    make: async (clock, accessTtlS, instance = 0) => {
      const paseto = await PasetoTokenService.create(
        {
          issuer: 'https://id.example.com',
          audience: 'user-api',
          accessTtlS,
          signingKey: { kid: 'k', secret: keys[instance + 2]!.secret },
        },
        clock,
      );
      const cache = new CachingTokenVerifier(paseto, clock, { max: 4 });
      return {
        issueAccessToken: (subject) => paseto.issueAccessToken(subject),
        verifyAccessToken: (token) => cache.verifyAccessToken(token),
      };
    },
  },
];

const TTL_S = 900;
const SID = '0b5f1c2e-7d4a-4c3b-9e8f-1a2b3c4d5e6f';
const START = '2026-03-01T12:00:00.250Z';

async function expectUnauthorized(
  promise: Promise<unknown>,
  message = 'Invalid token',
): Promise<void> {
  expectDomainError(await rejectionOf(promise), 'unauthorized', message);
}

before(async () => {
  // Two keys per PASETO subject, so that the subjects do not accept each other's tokens either.
  keys = await Promise.all([
    generateTokenKeyPair(),
    generateTokenKeyPair(),
    generateTokenKeyPair(),
    generateTokenKeyPair(),
  ]);
});

for (const subject of subjects) {
  describe(`TokenIssuer and TokenVerifier contract: ${subject.name}`, () => {
    let clock: FixedClock;
    let service: TokenService;

    beforeEach(async () => {
      clock = new FixedClock(START);
      service = await subject.make(clock, TTL_S);
    });

    it('issues a token that verifies back to its user, issue time and expiry', async () => {
      const issued = await service.issueAccessToken({ userId: 42, sessionId: SID });
      expect(issued.token).to.be.a('string').and.have.length.greaterThan(16);
      expect(issued.expiresIn).to.equal(TTL_S);
      const claims = await service.verifyAccessToken(issued.token);
      expect(claims.userId).to.equal(42);
      expect(claims.sessionId).to.equal(SID);
      expect(claims.tokenId).to.be.a('string').and.not.equal('');
      expect(claims.issuedAt).to.be.instanceOf(Date);
      expect(claims.issuedAt.toISOString()).to.equal(START);
      expect(claims.expiresAt.getTime()).to.equal(claims.issuedAt.getTime() + TTL_S * 1000);
    });

    it('takes the lifetime from its options', async () => {
      const short = await subject.make(clock, 60);
      const issued = await short.issueAccessToken({ userId: 1, sessionId: SID });
      expect(issued.expiresIn).to.equal(60);
      expect((await short.verifyAccessToken(issued.token)).expiresAt.toISOString()).to.equal(
        '2026-03-01T12:01:00.250Z',
      );
    });

    it('keeps verifying a token until it expires, with the same claims each time', async () => {
      const { token } = await service.issueAccessToken({ userId: 3, sessionId: SID });
      const first = await service.verifyAccessToken(token);
      clock.advance(TTL_S * 500);
      expect(await service.verifyAccessToken(token)).to.deep.equal(first);
    });

    it('hands out claims the caller cannot change in the service', async () => {
      const { token } = await service.issueAccessToken({ userId: 3, sessionId: SID });
      const claims = await service.verifyAccessToken(token);
      claims.issuedAt.setUTCFullYear(1999);
      claims.expiresAt.setUTCFullYear(1999);
      const again = await service.verifyAccessToken(token);
      expect(again.issuedAt.toISOString()).to.equal(START);
      expect(again.expiresAt.getUTCFullYear()).to.equal(2026);
    });

    // Ids are positive integers no wider than the database's integer (MAX_ID).
    it('round-trips any user id', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.constantFrom(1, MAX_ID), fc.integer({ min: 1, max: MAX_ID })),
          async (id) => {
            const { token } = await service.issueAccessToken({ userId: id, sessionId: SID });
            expect((await service.verifyAccessToken(token)).userId).to.equal(id);
          },
        ),
        { numRuns: 50 },
      );
    });

    it('round-trips any session id', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uuid(), async (sessionId) => {
          const { token } = await service.issueAccessToken({ userId: 9, sessionId });
          expect((await service.verifyAccessToken(token)).sessionId).to.equal(sessionId);
        }),
        { numRuns: 30 },
      );
    });

    it('refuses to issue a token for something that is not a session id', async () => {
      for (const sessionId of ['', 'abc', SID.toUpperCase(), `${SID}0`, SID.replaceAll('-', '')]) {
        expect(
          await rejectionOf(service.issueAccessToken({ userId: 1, sessionId })),
          sessionId,
        ).to.be.instanceOf(RangeError);
      }
    });

    it('cuts the lifetime short at notAfter (the end of the session), never lengthens it', async () => {
      const now = clock.now().getTime();
      const cut = await service.issueAccessToken({
        userId: 1,
        sessionId: SID,
        notAfter: new Date(now + 60_500),
      });
      expect(cut.expiresIn).to.equal(60); // whole seconds, rounded down
      expect((await service.verifyAccessToken(cut.token)).expiresAt.getTime()).to.equal(
        now + 60_500,
      );
      const later = await service.issueAccessToken({
        userId: 1,
        sessionId: SID,
        notAfter: new Date(now + TTL_S * 2000),
      });
      expect(later.expiresIn).to.equal(TTL_S);
      expect((await service.verifyAccessToken(later.token)).expiresAt.getTime()).to.equal(
        now + TTL_S * 1000,
      );
      clock.advance(60_501);
      await expectUnauthorized(service.verifyAccessToken(cut.token), 'Token has expired');
      // A session that ended a moment ago: a token that is over at once, not an error.
      const over = await service.issueAccessToken({
        userId: 1,
        sessionId: SID,
        notAfter: new Date(now),
      });
      expect(over.expiresIn).to.equal(0);
      clock.advance(1);
      await expectUnauthorized(service.verifyAccessToken(over.token), 'Token has expired');
    });

    it('refuses to issue a token for something that is not a user id', async () => {
      for (const id of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
        expect(
          await rejectionOf(service.issueAccessToken({ userId: id, sessionId: SID })),
          String(id),
        ).to.be.instanceOf(RangeError);
      }
    });

    it('gives every token, even for one user at one instant, its own value and token id', async () => {
      const issued = await Promise.all(
        Array.from({ length: 50 }, () => service.issueAccessToken({ userId: 7, sessionId: SID })),
      );
      expect(new Set(issued.map((i) => i.token)).size).to.equal(50);
      const claims = await Promise.all(issued.map((i) => service.verifyAccessToken(i.token)));
      expect(new Set(claims.map((c) => c.tokenId)).size).to.equal(50);
      expect(claims.every((c) => c.userId === 7)).to.equal(true);
    });

    it('accepts a token at the instant it expires and says it has expired one millisecond later', async () => {
      const { token } = await service.issueAccessToken({ userId: 1, sessionId: SID });
      clock.advance(TTL_S * 1000);
      expect((await service.verifyAccessToken(token)).userId).to.equal(1);
      clock.advance(1);
      await expectUnauthorized(service.verifyAccessToken(token), 'Token has expired');
    });

    it('keeps saying an expired token has expired, long after and once newer tokens were issued', async () => {
      const { token } = await service.issueAccessToken({ userId: 1, sessionId: SID });
      clock.advance(TTL_S * 1000 + 1);
      const fresh = await service.issueAccessToken({ userId: 2, sessionId: SID });
      await expectUnauthorized(service.verifyAccessToken(token), 'Token has expired');
      clock.advance(30 * 24 * 3600 * 1000);
      await service.issueAccessToken({ userId: 3, sessionId: SID });
      await expectUnauthorized(service.verifyAccessToken(token), 'Token has expired');
      await expectUnauthorized(service.verifyAccessToken(fresh.token), 'Token has expired');
    });

    it('accepts a token from an instance whose clock runs ahead, up to the allowance and no further', async () => {
      const { token } = await service.issueAccessToken({ userId: 1, sessionId: SID });
      clock.advance(-ISSUE_CLOCK_SKEW_MS);
      expect(
        (await service.verifyAccessToken(token)).userId,
        'its issue time at the allowance ahead',
      ).to.equal(1);
      clock.advance(-1);
      await expectUnauthorized(service.verifyAccessToken(token));
    });

    it('refuses a token presented before the time it was issued (the clock moved back)', async () => {
      const { token } = await service.issueAccessToken({ userId: 1, sessionId: SID });
      clock.advance(-60_000);
      await expectUnauthorized(service.verifyAccessToken(token));
      clock.set(START);
      expect((await service.verifyAccessToken(token)).userId).to.equal(1);
    });

    it('refuses garbage and damaged tokens as invalid', async () => {
      const { token } = await service.issueAccessToken({ userId: 1, sessionId: SID });
      const middle = Math.floor(token.length / 2);
      const candidates = [
        '',
        'garbage',
        ' ',
        'null',
        `Bearer ${token}`,
        ` ${token}`,
        `${token} `,
        `${token}A`,
        token.slice(0, -1),
        token.slice(0, middle),
        token.slice(0, middle) + (token[middle] === 'A' ? 'B' : 'A') + token.slice(middle + 1),
        token.toUpperCase(),
        `${token}${'A'.repeat(4096)}`,
        `v4.public.${'A'.repeat(120)}`,
        `mem.${'A'.repeat(75)}`,
      ];
      for (const candidate of candidates) {
        await expectUnauthorized(service.verifyAccessToken(candidate));
      }
      expect((await service.verifyAccessToken(token)).userId).to.equal(1);
    });

    it('refuses a token issued by another instance', async () => {
      const other = await subject.make(clock, TTL_S, 1);
      const { token } = await other.issueAccessToken({ userId: 1, sessionId: SID });
      expect((await other.verifyAccessToken(token)).userId).to.equal(1);
      await expectUnauthorized(service.verifyAccessToken(token));
      const own = await service.issueAccessToken({ userId: 1, sessionId: SID });
      await expectUnauthorized(other.verifyAccessToken(own.token));
    });

    for (const other of subjects.filter((s) => s.name !== subject.name)) {
      it(`refuses a token issued by ${other.name}`, async () => {
        const foreign = await other.make(clock, TTL_S);
        const { token } = await foreign.issueAccessToken({ userId: 1, sessionId: SID });
        await expectUnauthorized(service.verifyAccessToken(token));
      });
    }
  });
}

describe('InMemoryTokenService store', () => {
  let clock: FixedClock;
  let service: InMemoryTokenService;

  beforeEach(() => {
    clock = new FixedClock(START);
    service = new InMemoryTokenService({ accessTtlS: 60 }, clock);
  });

  it('issues opaque tokens that say nothing readable about the user', async () => {
    const { token } = await service.issueAccessToken({ userId: 424242, sessionId: SID });
    expect(token).to.match(/^mem\.[A-Za-z0-9_-]{75}$/);
    expect(Buffer.from(token.slice(4), 'base64url').toString('latin1')).to.not.contain('424242');
  });

  it('drops expired tokens when it issues new ones', async () => {
    for (let i = 0; i < 100; i += 1) await service.issueAccessToken({ userId: 1, sessionId: SID });
    expect(service.size).to.equal(100);
    clock.advance(60_000);
    await service.issueAccessToken({ userId: 1, sessionId: SID });
    expect(service.size).to.equal(101); // expiring at this very instant: still valid
    clock.advance(1);
    await service.issueAccessToken({ userId: 1, sessionId: SID });
    expect(service.size).to.equal(2); // the one issued at the previous instant, and the new one
  });

  it('stays bounded when the clock is moved back and forth', async () => {
    // A token issued "late" sits in front of the store; the later ones expire before it does.
    clock.advance(3_600_000);
    await service.issueAccessToken({ userId: 1, sessionId: SID });
    clock.set(START);
    for (let round = 0; round < 5; round += 1) {
      for (let i = 0; i < 1000; i += 1)
        await service.issueAccessToken({ userId: 1, sessionId: SID });
      clock.advance(61_000);
    }
    expect(service.size).to.be.at.most(2049);
  });

  it('refuses a lifetime that is not a positive whole number of seconds', () => {
    for (const accessTtlS of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new InMemoryTokenService({ accessTtlS }, clock), String(accessTtlS)).to.throw(
        Error,
      );
    }
  });
});
