/**
 * The cache of verified tokens on its own: what it saves (a verification per repeated token),
 * what it must not change (expiry to the millisecond, a clock moved back, failures), and its
 * bound. That revocation still bites through it is tested over HTTP in
 * tests/http/token-cache.test.ts; the whole token contract runs on it in
 * tests/contract/token-service.test.ts.
 */
import { expect } from 'chai';
import { FixedClock } from '../../../../src/adapters/clock/fixed-clock.js';
import { CachingTokenVerifier } from '../../../../src/adapters/security/caching-token-verifier.js';
import { PasetoTokenService } from '../../../../src/adapters/security/paseto-token-service.js';
import { generateTokenKeyPair } from '../../../../src/adapters/security/paserk-keys.js';
import type { AccessTokenClaims, TokenVerifier } from '../../../../src/application/ports/tokens.js';
import { DomainError } from '../../../../src/domain/shared/errors.js';

const SID = '0b5f1c2e-7d4a-4c3b-9e8f-1a2b3c4d5e6f';
const TTL_S = 600;

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a rejection');
}

/** Counts the verifications that reach the real verifier. */
class Counting implements TokenVerifier {
  calls = 0;
  constructor(private readonly inner: TokenVerifier) {}
  verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    this.calls += 1;
    return this.inner.verifyAccessToken(token);
  }
}

describe('CachingTokenVerifier', () => {
  let clock: FixedClock;
  let paseto: PasetoTokenService;
  let counting: Counting;
  let cache: CachingTokenVerifier;

  const issue = async (userId = 7) =>
    (await paseto.issueAccessToken({ userId, sessionId: SID })).token;

  beforeEach(async () => {
    clock = new FixedClock('2026-05-01T08:00:00.000Z');
    const key = await generateTokenKeyPair();
    paseto = await PasetoTokenService.create(
      {
        issuer: 'iss',
        audience: 'aud',
        accessTtlS: TTL_S,
        signingKey: { kid: 'k', secret: key.secret },
      },
      clock,
    );
    counting = new Counting(paseto);
    cache = new CachingTokenVerifier(counting, clock, { max: 3 });
  });

  it('verifies a token once and answers the same claims from memory afterwards', async () => {
    const token = await issue();
    const first = await cache.verifyAccessToken(token);
    const again = await cache.verifyAccessToken(token);
    expect(counting.calls).to.equal(1);
    expect(again).to.deep.equal(first);
    expect(again.userId).to.equal(7);
    expect(cache.size).to.equal(1);
  });

  it('answers from memory up to the expiry instant and refuses one millisecond later, as the verifier does', async () => {
    const token = await issue();
    await cache.verifyAccessToken(token);
    clock.advance(TTL_S * 1000);
    expect((await cache.verifyAccessToken(token)).userId).to.equal(7);
    expect(counting.calls).to.equal(1);
    clock.advance(1);
    const error = await rejection(cache.verifyAccessToken(token));
    expect(error.message).to.equal('Token has expired');
    expect(error.meta?.['reason']).to.equal('expired');
    expect(cache.size).to.equal(0);
  });

  it('hands a token presented before its issue time (the clock moved back) to the verifier', async () => {
    const token = await issue();
    await cache.verifyAccessToken(token);
    clock.advance(-60_000);
    await rejection(cache.verifyAccessToken(token));
    expect(counting.calls).to.equal(2);
  });

  it('does not remember failures: a bad token is checked every time', async () => {
    const token = await issue();
    const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}${token.slice(-1)}`;
    expect((await rejection(cache.verifyAccessToken(tampered))).kind).to.equal('unauthorized');
    expect((await rejection(cache.verifyAccessToken(tampered))).kind).to.equal('unauthorized');
    expect(counting.calls).to.equal(2);
    expect(cache.size).to.equal(0);
  });

  it('holds at most its maximum, dropping the least recently used token', async () => {
    const tokens = await Promise.all([1, 2, 3, 4].map((id) => issue(id)));
    for (const token of tokens.slice(0, 3)) await cache.verifyAccessToken(token);
    await cache.verifyAccessToken(tokens[0]!); // now the most recently used
    await cache.verifyAccessToken(tokens[3]!); // pushes out tokens[1]
    expect(cache.size).to.equal(3);
    expect(counting.calls).to.equal(4);
    await cache.verifyAccessToken(tokens[0]!);
    expect(counting.calls).to.equal(4);
    expect((await cache.verifyAccessToken(tokens[1]!)).userId).to.equal(2);
    expect(counting.calls).to.equal(5);
    expect(cache.size).to.equal(3);
  });

  it('returns claims nobody can alter for the next caller', async () => {
    const token = await issue();
    const claims = await cache.verifyAccessToken(token);
    expect(Object.isFrozen(claims)).to.equal(true);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new CachingTokenVerifier(paseto, clock, { max: 0 })).to.throw(RangeError);
    expect(() => new CachingTokenVerifier(paseto, clock, { max: 1.5 })).to.throw(RangeError);
  });
});
