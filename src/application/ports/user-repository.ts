import type { NewUser, User } from '../../domain/user/user.js';
import { token } from './injection.js';

/**
 * The write side's store of users. Inside a unit of work, `findById` locks the row and
 * `countActiveAdminsExcept` locks the active admins until the unit ends, so read-modify-write
 * sequences and the last-admin rule hold under concurrency.
 *
 * `add` and `update` throw a `conflict` DomainError naming the field when the email or the
 * username (compared regardless of case) belongs to another user; the store itself enforces it.
 */
export interface UserRepository {
  findById(id: number): Promise<User | null>;
  /** By email or username, regardless of case. */
  findByLogin(login: string): Promise<User | null>;
  add(user: NewUser): Promise<User>;
  update(user: User): Promise<User>;
  /** Removes the user and everything the user owns. */
  remove(id: number): Promise<void>;
  countActiveAdminsExcept(id: number | null): Promise<number>;
}

export const USER_REPOSITORY = token<UserRepository>('UserRepository');

export const EMAIL_TAKEN = 'Email already registered';
export const USERNAME_TAKEN = 'Username already taken';
