import { DomainError } from '../../domain/shared/errors.js';
import { EMAIL_TAKEN, USERNAME_TAKEN } from '../../application/ports/user-repository.js';

/**
 * The unique constraints of the users table, by the names both storages give them (the in-memory
 * tables and the SQL migrations), and the conflict each one means to a caller.
 */
export const USER_UNIQUE_CONSTRAINTS = {
  users_email_lower_key: EMAIL_TAKEN,
  users_username_lower_key: USERNAME_TAKEN,
} as const;

export type UserUniqueConstraint = keyof typeof USER_UNIQUE_CONSTRAINTS;

/** The conflict for a violated constraint, or null when the name is not one of the users table's. */
export function userConflict(constraint: string | undefined): DomainError | null {
  if (constraint === undefined || !Object.hasOwn(USER_UNIQUE_CONSTRAINTS, constraint)) return null;
  return new DomainError('conflict', USER_UNIQUE_CONSTRAINTS[constraint as UserUniqueConstraint]);
}
