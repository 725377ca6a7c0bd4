import { token } from './injection.js';

/**
 * Runs work atomically: every repository call made inside `run` (in the same async flow) commits
 * together or not at all. Nested calls join the outer unit.
 */
export interface UnitOfWork {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export const UNIT_OF_WORK = token<UnitOfWork>('UnitOfWork');
