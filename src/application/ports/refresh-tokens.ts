import { token } from './injection.js';

export interface NewRefreshToken {
  /** What the client holds. Never stored. */
  readonly token: string;
  /** What the store keeps. */
  readonly hash: string;
}

/**
 * Opaque refresh tokens: high-entropy random strings, kept by the service only as hashes, so a
 * copy of the database lets nobody refresh.
 */
export interface RefreshTokens {
  generate(): NewRefreshToken;
  /** The hash of a token as the client presents it; null when it cannot be one of ours (wrong shape). */
  hashOf(token: string): string | null;
}

export const REFRESH_TOKENS = token<RefreshTokens>('RefreshTokens');
