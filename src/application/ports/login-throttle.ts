import { token } from './token.js';

/**
 * Counts sign-in attempts per key (an account and an address) to stop password guessing. Every
 * attempt counts as a failure until `succeed` says the password was right, so guesses sent at the
 * same moment cannot slip past the count: after the allowed number of failures in a row, the key
 * is locked for a while, whatever the password.
 */
export interface LoginThrottle {
  /** Records an attempt. 0 when it may go on; otherwise the whole seconds until the lock ends. */
  attempt(key: string): Promise<number>;
  /** The password was right: the key's failures are forgotten. */
  succeed(key: string): Promise<void>;
  /**
   * Forgets the failures of an account from every address (after a password reset): `logins` are
   * the account's names as `loginThrottleKey` takes them (its username and email).
   */
  clearAccount(logins: readonly string[]): Promise<void>;
}

export const LOGIN_THROTTLE = token<LoginThrottle>('LoginThrottle');

/** The key for one account (by the login as typed, regardless of case) from one address. */
export const loginThrottleKey = (login: string, ip: string): string => `${login.toLowerCase()} ${ip}`;

/** The account part of a key made by `loginThrottleKey`. */
export const accountOfThrottleKey = (key: string): string => key.slice(0, Math.max(0, key.lastIndexOf(' ')));
