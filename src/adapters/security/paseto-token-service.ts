import { randomUUID } from 'node:crypto';
import { InspectFooter, PasetoError, PublicProtocol } from 'paseto';
import {
  ExportPublicKeyFactory,
  GetPublicKeyFactory,
  ImportPublicKeyFactory,
  ImportSecretKeyFactory,
  SignFactory,
  VerifyFactory,
  type PublicKey,
  type SecretKey,
} from 'paseto/v4/public';
import type { Clock } from '../../application/ports/clock.js';
import {
  ISSUE_CLOCK_SKEW_MS,
  K4_PUBLIC_PATTERN,
  K4_SECRET_PATTERN,
  KEY_ID_PATTERN,
  SESSION_ID_PATTERN,
  type AccessTokenClaims,
  type AccessTokenSubject,
  type IssuedToken,
  type PublicKeySet,
  type PublishedKey,
  type TokenIssuer,
  type TokenVerifier,
} from '../../application/ports/tokens.js';
import { accessTokenTerms } from './access-token-terms.js';
import type { SigningKey } from './paserk-keys.js';
import { isId } from '../../domain/shared/ids.js';
import { DomainError } from '../../domain/shared/errors.js';

const v4 = new PublicProtocol(
  SignFactory,
  VerifyFactory,
  ImportSecretKeyFactory,
  ImportPublicKeyFactory,
  ExportPublicKeyFactory,
  GetPublicKeyFactory,
);

export interface VerifyKey {
  readonly kid: string;
  /** PASERK `k4.public...`. */
  readonly public: string;
}

export interface PasetoTokenServiceOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Lifetime of an access token in seconds. */
  readonly accessTtlS: number;
  readonly signingKey: SigningKey;
  /** Retired keys whose tokens still verify until they expire. */
  readonly verifyKeys?: readonly VerifyKey[];
}

/** Longer than any token this service issues; anything longer is refused before parsing. */
const MAX_TOKEN_LENGTH = 2048;
const SUBJECT_PATTERN = /^[1-9][0-9]{0,15}$/;

type Reason = 'malformed' | 'unknown_key' | 'signature' | 'expired' | 'claims';

const MESSAGES: Readonly<Record<Reason, string>> = {
  malformed: 'Invalid token',
  unknown_key: 'Invalid token',
  signature: 'Invalid token',
  expired: 'Token has expired',
  claims: 'Invalid token',
};

/** `meta.reason` is a short code for the request log; the message is all a client sees. */
function rejected(reason: Reason): DomainError {
  return new DomainError('unauthorized', MESSAGES[reason], undefined, { reason });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function readKid(token: string): string {
  let footer: Uint8Array;
  try {
    footer = InspectFooter(token);
  } catch {
    throw rejected('malformed');
  }
  try {
    const parsed: unknown = JSON.parse(decoder.decode(footer));
    const kid = (parsed as { kid?: unknown } | null)?.kid;
    if (typeof kid === 'string' && KEY_ID_PATTERN.test(kid)) return kid;
  } catch {
    // falls through
  }
  throw rejected('malformed');
}

function describeKeyError(kid: string, kind: 'k4.secret' | 'k4.public'): Error {
  // The key material never goes into a message.
  return new Error(`Token key "${kid}" is not a valid ${kind} key`);
}

/**
 * Access tokens as PASETO v4.public (Ed25519). Claims: `sub` (the user id as a string), `sid` (the
 * session id), `iat`, `exp`, `jti`, `iss`, `aud`; the footer is `{"kid":"..."}` so verifiers can
 * pick the key and keys can rotate: a new signing key is introduced while the retired one stays in
 * `verifyKeys` for one access-token lifetime.
 *
 * `iat` and `exp` carry milliseconds (RFC 3339 allows fractions), so "issued before the password
 * changed" compares exactly even when a client signs in again in the same second.
 */
export class PasetoTokenService implements TokenIssuer, TokenVerifier, PublicKeySet {
  private constructor(
    private readonly options: Omit<PasetoTokenServiceOptions, 'signingKey' | 'verifyKeys'>,
    private readonly kid: string,
    private readonly secretKey: SecretKey,
    private readonly footer: Uint8Array,
    private readonly verifyKeys: ReadonlyMap<string, PublicKey>,
    private readonly clock: Clock,
    private readonly published: readonly PublishedKey[],
  ) {}

  /** Imports every key once. Throws a plain Error naming the key id (never the key) when a key is unusable. */
  static async create(
    options: PasetoTokenServiceOptions,
    clock: Clock,
  ): Promise<PasetoTokenService> {
    const { issuer, audience, accessTtlS, signingKey } = options;
    if (issuer === '' || audience === '')
      throw new Error('Token issuer and audience must not be empty');
    if (!Number.isSafeInteger(accessTtlS) || accessTtlS <= 0) {
      throw new Error(
        `Access token lifetime must be a positive whole number of seconds, got ${accessTtlS}`,
      );
    }
    if (!KEY_ID_PATTERN.test(signingKey.kid))
      throw new Error(`Token key id "${signingKey.kid}" is not valid`);
    if (!K4_SECRET_PATTERN.test(signingKey.secret))
      throw describeKeyError(signingKey.kid, 'k4.secret');
    let secretKey: SecretKey;
    let ownPublic: PublicKey;
    try {
      secretKey = await v4.ImportSecretKey(signingKey.secret as `k4.secret.${string}`);
      ownPublic = await v4.GetPublicKey(secretKey);
    } catch {
      throw describeKeyError(signingKey.kid, 'k4.secret');
    }
    const ownPublicPaserk = await v4.ExportPublicKey(ownPublic);
    const keys = new Map<string, PublicKey>([[signingKey.kid, ownPublic]]);
    const published: PublishedKey[] = [
      { kid: signingKey.kid, paserk: ownPublicPaserk, status: 'active' },
    ];
    for (const { kid, public: paserk } of options.verifyKeys ?? []) {
      if (!KEY_ID_PATTERN.test(kid)) throw new Error(`Token key id "${kid}" is not valid`);
      if (!K4_PUBLIC_PATTERN.test(paserk)) throw describeKeyError(kid, 'k4.public');
      if (kid === signingKey.kid) {
        if (paserk === ownPublicPaserk) continue;
        throw new Error(
          `Token key id "${kid}" names both the signing key and a different verification key`,
        );
      }
      if (keys.has(kid)) throw new Error(`Token key id "${kid}" is configured twice`);
      try {
        keys.set(kid, await v4.ImportPublicKey(paserk as `k4.public.${string}`));
      } catch {
        throw describeKeyError(kid, 'k4.public');
      }
      published.push({ kid, paserk, status: 'retired' });
    }
    const footer = encoder.encode(JSON.stringify({ kid: signingKey.kid }));
    return new PasetoTokenService(
      { issuer, audience, accessTtlS },
      signingKey.kid,
      secretKey,
      footer,
      keys,
      clock,
      published,
    );
  }

  publishedKeys(): readonly PublishedKey[] {
    return this.published;
  }

  /** The key id new tokens carry. */
  get signingKeyId(): string {
    return this.kid;
  }

  /** The key ids tokens are accepted from, the signing key's first. */
  get verificationKeyIds(): readonly string[] {
    return [...this.verifyKeys.keys()];
  }

  async issueAccessToken(subject: AccessTokenSubject): Promise<IssuedToken> {
    const now = this.clock.now();
    const { userId, sessionId, expiresAt, expiresIn } = accessTokenTerms(
      subject,
      now,
      this.options.accessTtlS,
    );
    const token = await v4.Sign(
      this.secretKey,
      {
        sub: String(userId),
        sid: sessionId,
        iss: this.options.issuer,
        aud: this.options.audience,
        jti: randomUUID(),
        iat: now.toISOString(),
        exp: expiresAt.toISOString(),
      },
      { footer: this.footer, now, addIssuedAt: false },
    );
    return { token, expiresIn };
  }

  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    if (
      typeof token !== 'string' ||
      token.length > MAX_TOKEN_LENGTH ||
      !token.startsWith('v4.public.')
    ) {
      throw rejected('malformed');
    }
    const key = this.verifyKeys.get(readKid(token));
    if (key === undefined) throw rejected('unknown_key');
    const now = this.clock.now();
    let claims: Record<string, unknown>;
    try {
      ({ claims } = await v4.Verify(key, token, {
        now,
        // For the issue time only (tokens from an instance whose clock runs ahead); the library
        // would extend the expiry by as much, so expiry is checked exactly below.
        clockTolerance: ISSUE_CLOCK_SKEW_MS / 1000,
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
      }));
    } catch (error) {
      throw rejected(reasonOf(error));
    }
    const { sub, sid, jti, iat, exp } = claims;
    if (typeof sub !== 'string' || !SUBJECT_PATTERN.test(sub) || !isId(Number(sub))) {
      throw rejected('claims');
    }
    if (
      typeof jti !== 'string' ||
      jti === '' ||
      typeof iat !== 'string' ||
      typeof exp !== 'string'
    ) {
      throw rejected('claims');
    }
    if (typeof sid !== 'string' || !SESSION_ID_PATTERN.test(sid)) throw rejected('claims');
    const issuedAt = new Date(iat);
    const expiresAt = new Date(exp);
    if (Number.isNaN(issuedAt.getTime()) || Number.isNaN(expiresAt.getTime()))
      throw rejected('claims');
    if (now.getTime() > expiresAt.getTime()) throw rejected('expired');
    return { userId: Number(sub), sessionId: sid, tokenId: jti, issuedAt, expiresAt };
  }
}

function reasonOf(error: unknown): Reason {
  if (!(error instanceof PasetoError)) return 'malformed';
  switch (error.code) {
    case 'ERR_PASETO_CLAIM_VALIDATION': {
      const claim = (error as PasetoError & { claim?: string }).claim;
      return claim === 'exp' && /expired/i.test(error.message) ? 'expired' : 'claims';
    }
    case 'ERR_PASETO_INVALID_TOKEN':
      return /signature/i.test(error.message) ? 'signature' : 'malformed';
    default:
      return 'malformed';
  }
}
