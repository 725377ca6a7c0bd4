import { DomainError, validationFailed, type FieldIssue } from '../shared/errors.js';
import type { Role } from './role.js';
import { emailProblem, fullNameProblem, normalizeEmail, usernameProblem } from './user-rules.js';

export interface UserProps {
  readonly id: number;
  readonly email: string;
  readonly username: string;
  readonly fullName: string | null;
  readonly passwordHash: string;
  readonly role: Role;
  readonly isActive: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Bumped on every change; the source of the ETag. */
  readonly version: number;
  /** When the password last changed (null: never since sign-up). Tokens and sessions older than it are dead. */
  readonly passwordChangedAt: Date | null;
}

/** A user not yet stored: the repository gives it its id. */
export type NewUser = Omit<UserProps, 'id'>;

export interface ProfileChanges {
  readonly email?: string;
  readonly username?: string;
  readonly fullName?: string | null;
}

function check(issues: FieldIssue[], field: string, problem: string | null): void {
  if (problem !== null) issues.push({ field, message: problem });
}

function checkProfile(changes: ProfileChanges): void {
  const issues: FieldIssue[] = [];
  if (changes.email !== undefined) check(issues, 'email', emailProblem(changes.email));
  if (changes.username !== undefined) check(issues, 'username', usernameProblem(changes.username));
  if (changes.fullName !== undefined) check(issues, 'full_name', fullNameProblem(changes.fullName));
  if (issues.length > 0) throw validationFailed(issues);
}

/**
 * The user aggregate. Its methods return a changed copy: the repository decides when the change
 * is stored, and nothing half-changed is ever visible.
 */
export class User implements UserProps {
  readonly id!: number;
  readonly email!: string;
  readonly username!: string;
  readonly fullName!: string | null;
  readonly passwordHash!: string;
  readonly role!: Role;
  readonly isActive!: boolean;
  readonly createdAt!: Date;
  readonly updatedAt!: Date;
  readonly version!: number;
  readonly passwordChangedAt!: Date | null;
  // A private field: spreading a user (`{ ...user }`) copies its props, never this. Undefined for a
  // user as restored, whose changes (if any) nobody tracked.
  #changed: ReadonlySet<keyof UserProps> | undefined = undefined;

  private constructor(props: UserProps) {
    Object.assign(this, props);
  }

  /**
   * The fields this aggregate's methods changed since the user was restored: all that storing the
   * change must write. Undefined when unknown (a user built by `restore`): store every field.
   */
  get changedFields(): ReadonlySet<keyof UserProps> | undefined {
    return this.#changed;
  }

  private changed(changes: Partial<UserProps>): User {
    const next = new User({ ...this, ...changes });
    next.#changed = new Set([...(this.#changed ?? []), ...(Object.keys(changes) as (keyof UserProps)[])]);
    return next;
  }

  /** Rebuilds a stored user; adapters use it, so it trusts its input. */
  static restore(props: UserProps): User {
    return new User(props);
  }

  static register(
    input: { email: string; username: string; fullName: string | null; passwordHash: string; role: Role; isActive?: boolean },
    now: Date,
  ): NewUser {
    checkProfile(input);
    return {
      email: normalizeEmail(input.email),
      username: input.username,
      fullName: input.fullName,
      passwordHash: input.passwordHash,
      role: input.role,
      isActive: input.isActive ?? true,
      createdAt: now,
      updatedAt: now,
      version: 1,
      passwordChangedAt: null,
    };
  }

  get isActiveAdmin(): boolean {
    return this.role === 'admin' && this.isActive;
  }

  /** A change that changes nothing returns the same user: its version and ETag stay. */
  private with(changes: Partial<UserProps>, now: Date): User {
    const differing = (Object.keys(changes) as (keyof UserProps)[]).filter((key) => changes[key] !== this[key]);
    if (differing.length === 0) return this;
    return this.changed({ ...Object.fromEntries(differing.map((key) => [key, changes[key]])), updatedAt: now, version: this.version + 1 });
  }

  changeProfile(changes: ProfileChanges, now: Date): User {
    checkProfile(changes);
    const next: Partial<UserProps> = {};
    if (changes.email !== undefined) Object.assign(next, { email: normalizeEmail(changes.email) });
    if (changes.username !== undefined) Object.assign(next, { username: changes.username });
    if (changes.fullName !== undefined) Object.assign(next, { fullName: changes.fullName });
    return this.with(next, now);
  }

  /**
   * Changes role and activity. `activeAdminsLeft` is the number of active admins there would be
   * besides this one; the last active admin can neither be demoted nor deactivated.
   */
  changeAccess(changes: { role?: Role; isActive?: boolean }, otherActiveAdmins: number, now: Date): User {
    const role = changes.role ?? this.role;
    const isActive = changes.isActive ?? this.isActive;
    if (this.isActiveAdmin && !(role === 'admin' && isActive) && otherActiveAdmins === 0) {
      throw new DomainError('conflict', 'Cannot demote or deactivate the last active admin');
    }
    return this.with({ role, isActive }, now);
  }

  /**
   * A new password: `passwordChangedAt` becomes `now`, so every session begun and every access
   * token issued before it stops counting. Always a change, even to an equal hash.
   */
  changePassword(passwordHash: string, now: Date): User {
    return this.changed({ passwordHash, passwordChangedAt: now, updatedAt: now, version: this.version + 1 });
  }

  /** Throws when removing this user would leave no active admin. */
  assertRemovable(otherActiveAdmins: number): void {
    if (this.isActiveAdmin && otherActiveAdmins === 0) {
      throw new DomainError('conflict', 'Cannot delete the last active admin');
    }
  }
}
