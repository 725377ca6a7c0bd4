/** Small builders for test data: only what a test cares about is spelled out. */
import type { Role } from '../../src/domain/user/role.js';
import { User, type NewUser, type UserProps } from '../../src/domain/user/user.js';

let sequence = 0;

/** A fixed instant plus `seconds`: test times never depend on the clock. */
export const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

/** A new user, valid and unique unless told otherwise. */
export function aUser(overrides: Partial<NewUser> = {}): NewUser {
  sequence += 1;
  const created = overrides.createdAt ?? at(sequence);
  return {
    email: `user${sequence}@example.com`,
    username: `user${sequence}`,
    fullName: `User Number${sequence}`,
    passwordHash: `$argon2id$hash-of-user${sequence}`,
    role: 'user',
    isActive: true,
    createdAt: created,
    updatedAt: created,
    version: 1,
    passwordChangedAt: null,
    emailVerified: false,
    ...overrides,
  };
}

export const anAdmin = (overrides: Partial<NewUser> = {}): NewUser =>
  aUser({ role: 'admin', ...overrides });

export const withRole = (role: Role, overrides: Partial<NewUser> = {}): NewUser =>
  aUser({ role, ...overrides });

/** The stored user with some fields changed and the version bumped, as the domain would. */
export const changed = (user: User, changes: Partial<Omit<UserProps, 'id'>>): User =>
  User.restore({ ...user, updatedAt: at(10_000), version: user.version + 1, ...changes });
