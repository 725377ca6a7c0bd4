import { token } from './injection.js';

export interface AccessTokenClaims {
  readonly userId: number;
  /** The session (sign-in) the token belongs to: the token dies with it. */
  readonly sessionId: string;
  readonly tokenId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export interface IssuedToken {
  readonly token: string;
  /** Seconds. */
  readonly expiresIn: number;
}

export interface AccessTokenSubject {
  readonly userId: number;
  /** A UUID. */
  readonly sessionId: string;
  /** The token expires no later than this (its session's end), even if its lifetime would reach past it. */
  readonly notAfter?: Date;
}

export interface TokenIssuer {
  issueAccessToken(subject: AccessTokenSubject): Promise<IssuedToken>;
}

export interface TokenVerifier {
  /**
   * Throws an `unauthorized` DomainError for a malformed, tampered, foreign or expired token, or
   * for one issued more than `ISSUE_CLOCK_SKEW_MS` after the verifier's clock.
   */
  verifyAccessToken(token: string): Promise<AccessTokenClaims>;
}

/**
 * How far ahead of a verifier's clock a token's issue time may be. Instances issue and verify
 * each other's tokens, and their clocks differ a little even when synchronised: without the
 * allowance, a token used at once on an instance whose clock runs behind the issuer's would be
 * refused as issued in the future. Expiry gets no allowance: a token expires at its `exp` on the
 * verifier's clock.
 */
export const ISSUE_CLOCK_SKEW_MS = 10_000;

export const TOKEN_ISSUER = token<TokenIssuer>('TokenIssuer');
export const TOKEN_VERIFIER = token<TokenVerifier>('TokenVerifier');

/** PASERK `k4.secret.` + 64 bytes, base64url without padding: the key access tokens are signed with. */
export const K4_SECRET_PATTERN = /^k4\.secret\.[A-Za-z0-9_-]{86}$/;
/** PASERK `k4.public.` + 32 bytes, base64url without padding: the form keys are published in. */
export const K4_PUBLIC_PATTERN = /^k4\.public\.[A-Za-z0-9_-]{43}$/;
/** Key ids travel in the token footer, in `TOKEN_VERIFY_KEYS` and in the published key set. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** The shape of a session id: a UUID, lower-case hex. */
export const SESSION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A key that verifies access tokens, as other services fetch it. */
export interface PublishedKey {
  /** The key id in the footer of the tokens it verifies. */
  readonly kid: string;
  /** PASERK `k4.public...`. */
  readonly paserk: string;
  /** `active`: new tokens are signed with it; `retired`: its tokens still verify until they expire. */
  readonly status: 'active' | 'retired';
}

/** The public half of the token keys, for verifiers outside the service. */
export interface PublicKeySet {
  /** The active key first. Empty when tokens are not public-key signed (the in-memory adapter). */
  publishedKeys(): readonly PublishedKey[];
}

export const PUBLIC_KEY_SET = token<PublicKeySet>('PublicKeySet');
