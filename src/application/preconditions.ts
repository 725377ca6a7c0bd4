import { DomainError } from '../domain/shared/errors.js';

/**
 * An `If-Match` precondition: the versions the caller says it last saw. Undefined means the caller
 * set no precondition. It is checked on the row locked by the unit of work, so nothing can change
 * between the check and the write.
 */
export type ExpectedVersions = readonly number[] | undefined;

export function assertVersion(current: number, expected: ExpectedVersions): void {
  if (expected !== undefined && !expected.includes(current)) {
    throw new DomainError(
      'precondition_failed',
      'The resource has changed since it was read (If-Match does not match)',
    );
  }
}
