import type { RateLimiter } from './rate-limiter.js';
import { token } from './injection.js';

export type EmailTokenPurpose = 'verify_email' | 'password_reset';

/** A token as stored: its selector and the hash of its verifier, never the verifier. */
export interface StoredEmailToken {
  readonly selector: string;
  readonly verifierHash: string;
  readonly purpose: EmailTokenPurpose;
  readonly userId: number;
  /** The address it was sent to: it proves nothing about any other. */
  readonly email: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly spentAt: Date | null;
}

/** The single-use tokens sent by mail. */
export interface EmailTokenRepository {
  /** Stores a new token and spends the user's unspent tokens of the same purpose, in one write. */
  issue(token: Omit<StoredEmailToken, 'spentAt'>, now: Date): Promise<void>;
  find(selector: string): Promise<StoredEmailToken | null>;
  /** Spends the token if it is still unspent (compare-and-set): true when this call spent it. */
  spend(selector: string, now: Date): Promise<boolean>;
  /** The user's tokens still usable at `now` (unspent, unexpired), oldest first: what an export shows of them (never the hash). */
  liveOf(userId: number, now: Date): Promise<LiveEmailToken[]>;
}

export interface LiveEmailToken {
  readonly purpose: EmailTokenPurpose;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export const EMAIL_TOKEN_REPOSITORY = token<EmailTokenRepository>('EmailTokenRepository');

export interface NewEmailToken {
  /** What the mail carries. Never stored. */
  readonly token: string;
  readonly selector: string;
  readonly verifierHash: string;
}

/** Makes and checks the random tokens (the crypto lives in an adapter). */
export interface EmailTokenCodec {
  generate(): NewEmailToken;
  /** The selector and the hash of the verifier of a token as presented; null when it cannot be one of ours. */
  parse(token: string): { readonly selector: string; readonly verifierHash: string } | null;
  /** Compares two verifier hashes in constant time. */
  same(a: string, b: string): boolean;
}

export const EMAIL_TOKEN_CODEC = token<EmailTokenCodec>('EmailTokenCodec');

/** The mail settings the core needs. */
export interface MailPolicy {
  readonly emailTokenTtlS: number;
  readonly passwordResetTtlS: number;
  /** An unverified account cannot sign in. */
  readonly verificationRequired: boolean;
  /** A password-reset request answers no sooner than this, whether or not the address has an account. */
  readonly resetRequestFloorMs: number;
}

export const MAIL_POLICY = token<MailPolicy>('MailPolicy');

/** Limits requests for mails per address and per target email (a `RateLimiter` of its own). */
export const MAIL_REQUEST_LIMITER = token<RateLimiter>('MailRequestLimiter');
