import { createHash, randomBytes } from 'node:crypto';
import type { NewRefreshToken, RefreshTokens } from '../../application/ports/refresh-tokens.js';

const TOKEN_BYTES = 32;
/** 32 bytes in base64url without padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Refresh tokens from node:crypto: 32 random bytes (256 bits) in base64url, stored as their
 * SHA-256 in base64url. A fast hash is right here, unlike for passwords: nobody can guess a
 * 256-bit random value, so there is nothing for a slow hash to slow down, and the lookup by hash
 * stays one indexed equality.
 */
export class CryptoRefreshTokens implements RefreshTokens {
  generate(): NewRefreshToken {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    return { token, hash: sha256(token) };
  }

  hashOf(token: string): string | null {
    return typeof token === 'string' && TOKEN_PATTERN.test(token) ? sha256(token) : null;
  }
}

const sha256 = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('base64url');
