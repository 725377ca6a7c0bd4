/** Small tools shared by the contract suites. */
import { expect } from 'chai';
import { DomainError, type ErrorKind } from '../../src/domain/shared/errors.js';

/** The error a promise rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected a rejection, but the promise resolved');
}

/** Asserts a DomainError of that kind (and message, when given). */
export function expectDomainError(error: unknown, kind: ErrorKind, message?: string): void {
  expect(error, String(error)).to.be.instanceOf(DomainError);
  const domain = error as DomainError;
  expect(domain.kind).to.equal(kind);
  if (message !== undefined) expect(domain.message).to.equal(message);
}

/** Thrown by tests to make a unit of work roll back. */
export class Rollback extends Error {
  constructor() {
    super('rolled back by the test');
    this.name = 'Rollback';
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export interface Latch {
  readonly promise: Promise<void>;
  open(): void;
}

export function latch(): Latch {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * A meeting point for `parties` concurrent flows: each `arrive()` resolves when all have arrived,
 * or after `patienceMs` when the others cannot come (a store that runs units one at a time).
 */
export function rendezvous(parties: number, patienceMs: number): { arrive(): Promise<void> } {
  let arrived = 0;
  const all = latch();
  return {
    arrive() {
      arrived += 1;
      if (arrived >= parties) all.open();
      return Promise.race([all.promise, sleep(patienceMs)]);
    },
  };
}

/** Settles every promise and splits the outcomes. */
export async function outcomes<T>(
  promises: readonly Promise<T>[],
): Promise<{ values: T[]; errors: unknown[] }> {
  const settled = await Promise.allSettled(promises);
  return {
    values: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
    errors: settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : [])),
  };
}
