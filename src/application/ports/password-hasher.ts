import { token } from './injection.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * True when the password matches the hash. With a null hash (no such account) it spends the
   * same time as a real check and returns false, so unknown users cannot be told apart by timing.
   */
  verify(hash: string | null, password: string): Promise<boolean>;
}

export const PASSWORD_HASHER = token<PasswordHasher>('PasswordHasher');
