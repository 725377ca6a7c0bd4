import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../../application/ports/password-hasher.js';

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** A deliberately cheap scrypt cost, so tests run fast: far below what stored passwords need. */
const COST: ScryptOptions = { N: 1024, r: 8, p: 1 };
const PREFIX = 'mem';

const b64 = (bytes: number) => Math.ceil((bytes * 4) / 3);
const HASH_PATTERN = new RegExp(
  `^${PREFIX}\\$([A-Za-z0-9_-]{${b64(SALT_BYTES)}})\\$([A-Za-z0-9_-]{${b64(HASH_BYTES)}})$`,
);

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, HASH_BYTES, COST, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });
}

/** The bytes of a base64url part, or null when the text is not their canonical encoding. */
function decodeExact(text: string, bytes: number): Buffer | null {
  const decoded = Buffer.from(text, 'base64url');
  return decoded.length === bytes && decoded.toString('base64url') === text ? decoded : null;
}

/**
 * Password hashes for tests and local tools only: the cost is deliberately weak (scrypt with
 * N=1024), so a stolen store of these hashes would fall quickly. Never wire it where real
 * passwords are kept; the service uses `Argon2PasswordHasher`.
 *
 * It is otherwise honest, so tests that use it see what production sees: every hash has its own
 * random salt and is one-way, the format is `mem$<salt>$<hash>` (both base64url), comparison is
 * constant-time, a null hash (no such account) costs one derivation against a dummy and returns
 * false, and a malformed or foreign hash (an argon2id one, say) matches no password instead of
 * throwing.
 */
export class InMemoryPasswordHasher implements PasswordHasher {
  /** Nobody knows a password for random bytes: the target of checks that must fail. */
  private readonly dummySalt = randomBytes(SALT_BYTES);
  private readonly dummyHash = randomBytes(HASH_BYTES);

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const hash = await derive(password, salt);
    return `${PREFIX}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
  }

  async verify(stored: string | null, password: string): Promise<boolean> {
    const parsed = stored === null ? null : parse(stored);
    if (parsed === null) {
      // No account, or a hash this adapter did not make: spend the same work and refuse.
      timingSafeEqual(await derive(password, this.dummySalt), this.dummyHash);
      return false;
    }
    return timingSafeEqual(await derive(password, parsed.salt), parsed.hash);
  }
}

function parse(stored: string): { salt: Buffer; hash: Buffer } | null {
  const match = typeof stored === 'string' ? HASH_PATTERN.exec(stored) : null;
  if (match === null) return null;
  const salt = decodeExact(match[1]!, SALT_BYTES);
  const hash = decodeExact(match[2]!, HASH_BYTES);
  return salt === null || hash === null ? null : { salt, hash };
}
