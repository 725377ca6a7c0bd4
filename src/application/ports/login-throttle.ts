import { token } from './injection.js';

/**
 * Counts sign-in attempts per key (an account and an address) to stop password guessing. Every
 * attempt counts as a failure until `succeed` says the password was right, so guesses sent at the
 * same moment cannot slip past the count: after the allowed number of failures in a row, the key
 * is locked for a while, whatever the password.
 */
export interface LoginThrottle {
  /** Records an attempt: whether it may go on, or how long the key stays locked. */
  attempt(key: string): Promise<LoginAttempt>;
  /** The password was right: the key's failures are forgotten. */
  succeed(key: string): Promise<void>;
  /** Forgets the failures of an account from every address (after a password reset). */
  clearAccount(accountId: number): Promise<void>;
}

/** The throttle's answer to one attempt. */
export interface LoginAttempt {
  /** 0 when the attempt may go on; otherwise the whole seconds until the lock ends. */
  readonly retryAfterS: number;
  /**
   * True for the one refusal that began the lock (the first attempt past the allowed failures),
   * false for every other answer: a lock is told once, however many attempts it refuses.
   */
  readonly lockBegan: boolean;
}

export const LOGIN_THROTTLE = token<LoginThrottle>('LoginThrottle');

/**
 * The key of the attempts from one address at one account: the account's id when the login names
 * one, whichever login named it (username or email), so an account gets one count and not one per
 * spelling; the login as typed (regardless of case) when it names none, so probing unknown logins
 * is locked the same way.
 */
export const loginThrottleKey = (
  account: { readonly id: number } | null,
  login: string,
  ip: string,
): string =>
  account === null ? `login:${login.toLowerCase()} ${ip}` : `account:${account.id} ${ip}`;

/** The account part of a key made by `loginThrottleKey` (`account:<id>` or `login:<login>`). */
export const accountOfThrottleKey = (key: string): string =>
  key.slice(0, Math.max(0, key.lastIndexOf(' ')));
