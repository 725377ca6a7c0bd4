import { Algorithm, hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { PasswordHasher } from '../../application/ports/password-hasher.js';

export interface Argon2Options {
  /** KiB of memory per hash. */
  readonly memoryCost: number;
  /** Passes over the memory. */
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, first argon2id option: m=19 MiB, t=2, p=1. */
export const OWASP_ARGON2ID: Argon2Options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * At most `limit` calls at once; the others wait their turn, first come first served.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RangeError(`A concurrency limit must be a positive integer, got ${limit}`);
  }

  /** Calls waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, or is given back.
      const next = this.waiting.shift();
      if (next === undefined) this.running -= 1;
      else next();
    }
  }
}

/**
 * Argon2id password hashes in the PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
 * The parameters travel inside each hash, so hashes made with older parameters keep verifying
 * after the parameters change.
 *
 * The work runs on libuv's thread pool, off the event loop; each hash in flight holds
 * `memoryCost` KiB. At most one hash or verification per core runs at once (`concurrency`), the
 * rest queue: the pool has four threads, and four memory-hard hashes on two cores take as long
 * in total as two at a time while starving the event loop, holding twice the memory, and leaving
 * no thread for the pool's other work (PASETO signatures, the file system).
 */
export class Argon2PasswordHasher implements PasswordHasher {
  private readonly options: Argon2Options;
  private readonly slots: ConcurrencyLimit;
  private dummy: Promise<string> | undefined;

  constructor(
    options: Argon2Options = OWASP_ARGON2ID,
    concurrency: number = availableParallelism(),
  ) {
    this.options = { ...options };
    this.slots = new ConcurrencyLimit(concurrency);
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => hash(password, { ...this.options, algorithm: Algorithm.Argon2id }));
  }

  async verify(stored: string | null, password: string): Promise<boolean> {
    if (stored === null) {
      // No account: spend one verification against a hash nobody knows the password of, so an
      // unknown login costs the same time as a wrong password.
      await this.check(await this.dummyHash(), password);
      return false;
    }
    return this.check(stored, password);
  }

  /**
   * Makes the dummy hash now rather than on the first unknown login, so that first answer is
   * not slower than the others. Optional; the composition root may call it at start.
   */
  async warmUp(): Promise<void> {
    await this.dummyHash();
  }

  private dummyHash(): Promise<string> {
    if (this.dummy === undefined) {
      const made = this.hash(randomBytes(32).toString('base64url'));
      // A failure is not cached: the next call tries again.
      made.catch(() => {
        if (this.dummy === made) this.dummy = undefined;
      });
      this.dummy = made;
    }
    return this.dummy;
  }

  private async check(stored: string, password: string): Promise<boolean> {
    try {
      return await this.slots.run(() => verify(stored, password));
    } catch {
      // A malformed or foreign stored hash matches no password.
      return false;
    }
  }
}
