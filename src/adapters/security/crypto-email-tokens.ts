import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EmailTokenCodec, NewEmailToken } from '../../application/ports/email-tokens.js';

const SELECTOR_BYTES = 16;
const VERIFIER_BYTES = 32;
/** 48 bytes in base64url without padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{64}$/;

/**
 * Mail tokens from node:crypto: a 16-byte selector (the row's key) and a 32-byte verifier, sent
 * together as one base64url string. The store keeps the selector and the SHA-256 of the verifier;
 * the verifier is checked against it with `timingSafeEqual`, so neither the lookup nor the
 * comparison tells how much of a guessed token was right.
 */
export class CryptoEmailTokens implements EmailTokenCodec {
  generate(): NewEmailToken {
    const bytes = randomBytes(SELECTOR_BYTES + VERIFIER_BYTES);
    return { token: bytes.toString('base64url'), ...split(bytes) };
  }

  parse(token: string): { selector: string; verifierHash: string } | null {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return null;
    return split(Buffer.from(token, 'base64url'));
  }

  same(a: string, b: string): boolean {
    const left = Buffer.from(a, 'base64url');
    const right = Buffer.from(b, 'base64url');
    return left.length === right.length && timingSafeEqual(left, right);
  }
}

function split(bytes: Buffer): { selector: string; verifierHash: string } {
  return {
    selector: bytes.subarray(0, SELECTOR_BYTES).toString('base64url'),
    verifierHash: createHash('sha256').update(bytes.subarray(SELECTOR_BYTES)).digest('base64url'),
  };
}
