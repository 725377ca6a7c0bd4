import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../application/ports/clock.js';
import {
  ISSUE_CLOCK_SKEW_MS,
  type AccessTokenClaims,
  type AccessTokenSubject,
  type IssuedToken,
  type TokenIssuer,
  type TokenVerifier,
} from '../../application/ports/tokens.js';
import { DomainError } from '../../domain/shared/errors.js';
import { accessTokenTerms } from './access-token-terms.js';

export interface InMemoryTokenServiceOptions {
  /** Lifetime of an access token in seconds. */
  readonly accessTtlS: number;
}

const PREFIX = 'mem.';
const ID_BYTES = 32;
const EXPIRY_BYTES = 8;
const TAG_BYTES = 16;
const SIGNED_BYTES = ID_BYTES + EXPIRY_BYTES;
const BODY_BYTES = SIGNED_BYTES + TAG_BYTES;
const TOKEN_PATTERN = new RegExp(`^mem\\.[A-Za-z0-9_-]{${Math.ceil((BODY_BYTES * 4) / 3)}}$`);
/** Below this many entries the store is only trimmed from its oldest end. */
const MIN_SWEEP_SIZE = 1024;

interface Entry {
  readonly userId: number;
  readonly sessionId: string;
  readonly tokenId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

// The same kinds, messages and `meta.reason` codes as PasetoTokenService.
const invalid = (reason: 'malformed' | 'signature' | 'claims'): DomainError =>
  new DomainError('unauthorized', 'Invalid token', undefined, { reason });
const expired = (): DomainError =>
  new DomainError('unauthorized', 'Token has expired', undefined, { reason: 'expired' });

/**
 * Access tokens kept in memory, for tests and single-process tools: each token is opaque to its
 * holder (`mem.` and 75 base64url characters) and its claims live in a Map of this instance, so
 * a token from another instance, a restarted process or a tampered string is refused.
 *
 * It agrees with `PasetoTokenService` on everything the ports promise: the same claims, a token
 * is still valid at the instant it expires and "Token has expired" one millisecond later, a token
 * presented before its issue time (the clock moved back) is invalid, and failures are
 * `unauthorized` DomainErrors with the same messages and `meta.reason` codes. One difference is
 * by design: a token verifies only in the instance that issued it, where a PASETO token verifies
 * in any process holding the key.
 *
 * The store stays bounded: issuing drops the entries that have expired. So that a dropped token
 * is still reported as expired rather than unknown, each token carries its id and expiry under an
 * HMAC made with a key of this instance; the claims themselves stay in the Map.
 */
export class InMemoryTokenService implements TokenIssuer, TokenVerifier {
  private readonly entries = new Map<string, Entry>();
  private readonly key = randomBytes(32);
  private readonly accessTtlS: number;
  private sweepAt = MIN_SWEEP_SIZE;

  constructor(
    options: InMemoryTokenServiceOptions,
    private readonly clock: Clock,
  ) {
    const { accessTtlS } = options;
    if (!Number.isSafeInteger(accessTtlS) || accessTtlS <= 0) {
      throw new Error(
        `Access token lifetime must be a positive whole number of seconds, got ${accessTtlS}`,
      );
    }
    this.accessTtlS = accessTtlS;
  }

  /** How many tokens the store holds (expired ones linger only until the next issue). */
  get size(): number {
    return this.entries.size;
  }

  async issueAccessToken(subject: AccessTokenSubject): Promise<IssuedToken> {
    const now = this.clock.now();
    const terms = accessTokenTerms(subject, now, this.accessTtlS);
    const issuedAt = now.getTime();
    const expiresAt = terms.expiresAt.getTime();
    this.dropExpired(issuedAt);

    const body = Buffer.alloc(BODY_BYTES);
    randomBytes(ID_BYTES).copy(body, 0);
    body.writeBigUInt64BE(BigInt(expiresAt), ID_BYTES);
    this.tag(body.subarray(0, SIGNED_BYTES)).copy(body, SIGNED_BYTES);
    const id = body.subarray(0, ID_BYTES).toString('base64url');
    this.entries.set(id, {
      userId: terms.userId,
      sessionId: terms.sessionId,
      tokenId: randomUUID(),
      issuedAt,
      expiresAt,
    });
    return { token: PREFIX + body.toString('base64url'), expiresIn: terms.expiresIn };
  }

  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) throw invalid('malformed');
    const text = token.slice(PREFIX.length);
    const body = Buffer.from(text, 'base64url');
    if (body.length !== BODY_BYTES || body.toString('base64url') !== text)
      throw invalid('malformed');
    if (!timingSafeEqual(this.tag(body.subarray(0, SIGNED_BYTES)), body.subarray(SIGNED_BYTES))) {
      throw invalid('signature');
    }
    const now = this.clock.now().getTime();
    if (now > Number(body.readBigUInt64BE(ID_BYTES))) throw expired();
    const entry = this.entries.get(body.subarray(0, ID_BYTES).toString('base64url'));
    // Missing only when dropped as expired and the clock has since been moved back.
    if (entry === undefined || now < entry.issuedAt - ISSUE_CLOCK_SKEW_MS) throw invalid('claims');
    return {
      userId: entry.userId,
      sessionId: entry.sessionId,
      tokenId: entry.tokenId,
      issuedAt: new Date(entry.issuedAt),
      expiresAt: new Date(entry.expiresAt),
    };
  }

  private tag(signed: Buffer): Buffer {
    return createHmac('sha256', this.key).update(signed).digest().subarray(0, TAG_BYTES);
  }

  /**
   * Entries are kept in issue order, which is expiry order while the clock only moves forward and
   * no token is cut short by the end of its session, so trimming the oldest end is enough. A clock
   * moved back or a shortened token can leave expired entries behind a live one; a full sweep
   * whenever the store doubles catches those.
   */
  private dropExpired(now: number): void {
    for (const [id, entry] of this.entries) {
      if (now <= entry.expiresAt) break;
      this.entries.delete(id);
    }
    if (this.entries.size >= this.sweepAt) {
      for (const [id, entry] of this.entries) if (now > entry.expiresAt) this.entries.delete(id);
      this.sweepAt = Math.max(MIN_SWEEP_SIZE, this.entries.size * 2);
    }
  }
}
