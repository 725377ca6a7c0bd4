import { expect } from 'chai';
import { InspectFooter, PublicProtocol } from 'paseto';
import { ImportSecretKeyFactory, SignFactory } from 'paseto/v4/public';
import { FixedClock } from '../../../../src/adapters/clock/fixed-clock.js';
import {
  PasetoTokenService,
  type PasetoTokenServiceOptions,
} from '../../../../src/adapters/security/paseto-token-service.js';
import {
  generateTokenKeyPair,
  publicKeyOf,
} from '../../../../src/adapters/security/paserk-keys.js';
import { DomainError } from '../../../../src/domain/shared/errors.js';

const v4 = new PublicProtocol(SignFactory, ImportSecretKeyFactory);

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a rejection');
}

async function expectUnauthorized(
  promise: Promise<unknown>,
  message = 'Invalid token',
): Promise<void> {
  const error = await rejection(promise);
  expect(error.kind).to.equal('unauthorized');
  expect(error.message).to.equal(message);
}

const SID = '0b5f1c2e-7d4a-4c3b-9e8f-1a2b3c4d5e6f';

const decode = (part: string) => Buffer.from(part, 'base64url');
const encode = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

// What every TokenIssuer and TokenVerifier must do is in tests/contract/token-service.test.ts;
// this file keeps what is particular to PASETO: the token format, keys and their rotation.
describe('PasetoTokenService', () => {
  let keyA: { secret: string; public: string };
  let keyB: { secret: string; public: string };
  let clock: FixedClock;
  let options: PasetoTokenServiceOptions;
  let service: PasetoTokenService;

  before(async () => {
    [keyA, keyB] = await Promise.all([generateTokenKeyPair(), generateTokenKeyPair()]);
  });

  beforeEach(async () => {
    clock = new FixedClock('2026-03-01T12:00:00.250Z');
    options = {
      issuer: 'https://id.example.com',
      audience: 'user-api',
      accessTtlS: 1800,
      signingKey: { kid: 'a', secret: keyA.secret },
    };
    service = await PasetoTokenService.create(options, clock);
  });

  /** Signs arbitrary claims with key A, as a holder of the key (or a bug) could. */
  async function signWithA(claims: Record<string, string>, kid = 'a'): Promise<string> {
    const key = await v4.ImportSecretKey(keyA.secret as `k4.secret.${string}`);
    return v4.Sign(key, claims, {
      footer: new TextEncoder().encode(JSON.stringify({ kid })),
      now: clock.now(),
      addIssuedAt: false,
    });
  }

  const validClaims = () => ({
    sub: '42',
    sid: SID,
    jti: 'f3b3c1d2-0000-4000-8000-000000000000',
    iss: options.issuer,
    aud: options.audience,
    iat: clock.now().toISOString(),
    exp: new Date(clock.now().getTime() + 60_000).toISOString(),
  });

  it('issues a v4.public token that verifies back to its claims', async () => {
    const issued = await service.issueAccessToken({ userId: 42, sessionId: SID });
    expect(issued.token).to.match(/^v4\.public\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(issued.expiresIn).to.equal(1800);
    const claims = await service.verifyAccessToken(issued.token);
    expect(claims.userId).to.equal(42);
    expect(claims.tokenId).to.match(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(claims.issuedAt.toISOString()).to.equal('2026-03-01T12:00:00.250Z');
    expect(claims.expiresAt.toISOString()).to.equal('2026-03-01T12:30:00.250Z');
  });

  it('puts sub, sid, iat, exp, jti, iss and aud in the payload and the key id in the footer', async () => {
    const { token } = await service.issueAccessToken({ userId: 7, sessionId: SID });
    const body = decode(token.split('.')[2]!);
    const payload = JSON.parse(body.subarray(0, body.length - 64).toString('utf8'));
    expect(Object.keys(payload).sort()).to.deep.equal([
      'aud',
      'exp',
      'iat',
      'iss',
      'jti',
      'sid',
      'sub',
    ]);
    expect(payload).to.include({
      sub: '7',
      sid: SID,
      iss: 'https://id.example.com',
      aud: 'user-api',
    });
    expect(JSON.parse(new TextDecoder().decode(InspectFooter(token)))).to.deep.equal({ kid: 'a' });
  });

  it('refuses a token whose payload was changed', async () => {
    const { token } = await service.issueAccessToken({ userId: 1, sessionId: SID });
    const [v, purpose, body, footer] = token.split('.') as [string, string, string, string];
    const bytes = decode(body);
    const text = bytes
      .subarray(0, bytes.length - 64)
      .toString('utf8')
      .replace('"sub":"1"', '"sub":"2"');
    const forged = [
      v,
      purpose,
      encode(Buffer.concat([Buffer.from(text), bytes.subarray(bytes.length - 64)])),
      footer,
    ].join('.');
    await expectUnauthorized(service.verifyAccessToken(forged));
  });

  it('refuses a token whose signature or footer was changed', async () => {
    const { token } = await service.issueAccessToken({ userId: 1, sessionId: SID });
    const [v, purpose, body, footer] = token.split('.') as [string, string, string, string];
    const bytes = decode(body);
    bytes[bytes.length - 1]! ^= 0x01;
    await expectUnauthorized(
      service.verifyAccessToken([v, purpose, encode(bytes), footer].join('.')),
    );
    const otherFooter = encode(new TextEncoder().encode('{"kid":"a","x":1}'));
    await expectUnauthorized(service.verifyAccessToken([v, purpose, body, otherFooter].join('.')));
  });

  it('refuses malformed tokens', async () => {
    const { token } = await service.issueAccessToken({ userId: 1, sessionId: SID });
    const [v, purpose, body] = token.split('.') as [string, string, string];
    const candidates = [
      '',
      'garbage',
      `Bearer ${token}`,
      token.replace('v4.public.', 'v4.local.'),
      token.replace('v4.public.', 'v2.public.'),
      [v, purpose, body].join('.'), // no footer: no key id
      [v, purpose, body, encode(new TextEncoder().encode('not json'))].join('.'),
      [v, purpose, body, encode(new TextEncoder().encode('{"kid":42}'))].join('.'),
      `${token}${'A'.repeat(4096)}`,
      `${v}.${purpose}.%%%.${token.split('.')[3]}`,
    ];
    for (const candidate of candidates)
      await expectUnauthorized(service.verifyAccessToken(candidate));
  });

  it('refuses a token for another issuer or audience', async () => {
    const { token } = await service.issueAccessToken({ userId: 1, sessionId: SID });
    const otherIssuer = await PasetoTokenService.create(
      { ...options, issuer: 'https://other.example.com' },
      clock,
    );
    const otherAudience = await PasetoTokenService.create(
      { ...options, audience: 'billing-api' },
      clock,
    );
    await expectUnauthorized(otherIssuer.verifyAccessToken(token));
    await expectUnauthorized(otherAudience.verifyAccessToken(token));
  });

  it('refuses a token whose key id it does not know', async () => {
    const foreign = await PasetoTokenService.create(
      { ...options, signingKey: { kid: 'z', secret: keyB.secret } },
      clock,
    );
    const { token } = await foreign.issueAccessToken({ userId: 1, sessionId: SID });
    const error = await rejection(service.verifyAccessToken(token));
    expect(error.message).to.equal('Invalid token');
    expect(error.meta).to.deep.equal({ reason: 'unknown_key' });
  });

  it('refuses a token signed by another key under a known key id', async () => {
    const impostor = await PasetoTokenService.create(
      { ...options, signingKey: { kid: 'a', secret: keyB.secret } },
      clock,
    );
    const { token } = await impostor.issueAccessToken({ userId: 1, sessionId: SID });
    await expectUnauthorized(service.verifyAccessToken(token));
  });

  it('keeps accepting a retired key while it is listed, and stops once it is removed', async () => {
    const { token } = await service.issueAccessToken({ userId: 5, sessionId: SID }); // signed with key "a"
    const rotated = await PasetoTokenService.create(
      {
        ...options,
        signingKey: { kid: 'b', secret: keyB.secret },
        verifyKeys: [{ kid: 'a', public: keyA.public }],
      },
      clock,
    );
    expect(rotated.signingKeyId).to.equal('b');
    expect(rotated.verificationKeyIds).to.deep.equal(['b', 'a']);
    expect((await rotated.verifyAccessToken(token)).userId).to.equal(5);
    const fresh = await rotated.issueAccessToken({ userId: 6, sessionId: SID });
    expect(JSON.parse(new TextDecoder().decode(InspectFooter(fresh.token)))).to.deep.equal({
      kid: 'b',
    });
    expect((await rotated.verifyAccessToken(fresh.token)).userId).to.equal(6);

    const retired = await PasetoTokenService.create(
      { ...options, signingKey: { kid: 'b', secret: keyB.secret } },
      clock,
    );
    await expectUnauthorized(retired.verifyAccessToken(token));
    expect((await retired.verifyAccessToken(fresh.token)).userId).to.equal(6);
  });

  it('refuses a subject that is not a positive integer', async () => {
    for (const sub of ['0', '-1', '1.5', 'abc', '007', '', '1e3', '99999999999999999999']) {
      await expectUnauthorized(
        service.verifyAccessToken(await signWithA({ ...validClaims(), sub })),
      );
    }
    expect((await service.verifyAccessToken(await signWithA(validClaims()))).userId).to.equal(42);
  });

  it('refuses a token missing jti, sub or sid (tokens from before sessions included)', async () => {
    const { jti: _jti, ...noJti } = validClaims();
    const { sub: _sub, ...noSub } = validClaims();
    const { sid: _sid, ...noSid } = validClaims();
    await expectUnauthorized(service.verifyAccessToken(await signWithA(noJti)));
    await expectUnauthorized(service.verifyAccessToken(await signWithA(noSub)));
    await expectUnauthorized(service.verifyAccessToken(await signWithA(noSid)));
  });

  it('refuses a session id that is not a lower-case UUID', async () => {
    for (const sid of ['', 'abc', SID.toUpperCase(), `${SID} `, "0'; drop table sessions; --"]) {
      await expectUnauthorized(
        service.verifyAccessToken(await signWithA({ ...validClaims(), sid })),
      );
    }
  });

  it('refuses a token issued in the future', async () => {
    const claims = {
      ...validClaims(),
      iat: new Date(clock.now().getTime() + 30_000).toISOString(),
    };
    await expectUnauthorized(service.verifyAccessToken(await signWithA(claims)));
  });

  it('refuses to start with an unusable key and never repeats the key in the error', async () => {
    const broken = `k4.secret.${'A'.repeat(86)}`;
    for (const signingKey of [
      { kid: 'a', secret: broken },
      { kid: 'a', secret: 'nonsense' },
      { kid: 'bad kid', secret: keyA.secret },
    ]) {
      try {
        await PasetoTokenService.create({ ...options, signingKey }, clock);
        expect.fail('expected create to fail');
      } catch (error) {
        expect((error as Error).message).to.not.contain(broken.slice(10, 30));
      }
    }
    try {
      await PasetoTokenService.create(
        { ...options, verifyKeys: [{ kid: 'a', public: keyB.public }] },
        clock,
      );
      expect.fail('expected create to fail');
    } catch (error) {
      expect((error as Error).message).to.contain('"a"');
    }
  });

  it('exports matching key pairs as PASERK strings', async () => {
    expect(keyA.secret).to.match(/^k4\.secret\.[A-Za-z0-9_-]{86}$/);
    expect(keyA.public).to.match(/^k4\.public\.[A-Za-z0-9_-]{43}$/);
    expect(await publicKeyOf(keyA.secret)).to.equal(keyA.public);
    expect(keyA.secret).to.not.equal(keyB.secret);
  });
});
