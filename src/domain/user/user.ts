import {
  maskEmail,
  type Changes,
  type DomainEvent,
  type FieldChange,
} from '../shared/domain-event.js';
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
  /** Whether the owner of `email` proved it by a mailed token; a new email starts unverified. */
  readonly emailVerified: boolean;
}

/** A user not yet stored: the repository gives it its id. */
export type NewUser = Omit<UserProps, 'id'>;

/** A change of role or activity; what is left out stays as it is. */
export interface AccessChange {
  readonly role?: Role;
  readonly isActive?: boolean;
}

export interface ProfileChanges {
  readonly email?: string;
  readonly username?: string;
  readonly fullName?: string | null;
}

/** Never in an event, not even by name: secrets, and what changes with every write anyway. */
const UNRECORDED: ReadonlySet<string> = new Set([
  'id',
  'passwordHash',
  'passwordChangedAt',
  'createdAt',
  'updatedAt',
  'version',
]);
/** Recorded with both values; `email` is recorded masked; any other field by its name only. */
const WITH_VALUES: ReadonlySet<string> = new Set([
  'username',
  'fullName',
  'role',
  'isActive',
  'emailVerified',
]);

const apiName = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function fieldChange(field: string, from: unknown, to: unknown): FieldChange {
  if (field === 'email') return { from: maskEmail(String(from)), to: maskEmail(String(to)) };
  return WITH_VALUES.has(field) ? { from, to } : {};
}

/** The fields that differ between two states of a user, as an event records them. */
export function userChanges(before: UserProps, after: UserProps): Changes {
  const changes: Record<string, FieldChange> = {};
  for (const field of Object.keys(after) as (keyof UserProps)[]) {
    if (UNRECORDED.has(field) || before[field] === after[field]) continue;
    changes[apiName(field)] = fieldChange(field, before[field], after[field]);
  }
  return changes;
}

const userEvent = (
  id: number,
  action: DomainEvent['action'],
  changes: Changes | null = null,
): DomainEvent => ({
  action,
  subjectType: 'user',
  subjectId: String(id),
  changes,
});

/** A stored sign-up; its own user is the actor when nobody signed in made it. */
export const userRegistered = (user: UserProps): DomainEvent => ({
  ...userEvent(user.id, 'user.registered', {
    role: { from: null, to: user.role },
    is_active: { from: null, to: user.isActive },
  }),
  actorId: user.id,
});

export const userDeleted = (id: number): DomainEvent => userEvent(id, 'user.deleted');

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
  readonly emailVerified!: boolean;
  /**
   * What happened to this user since it was restored, oldest first. Not a property of the user
   * (not enumerable): saving the user through the core's repository collects them.
   */
  declare readonly events: readonly DomainEvent[];
  // A private field: spreading a user (`{ ...user }`) copies its props, never this. Undefined for a
  // user as restored, whose changes (if any) nobody tracked.
  #changed: ReadonlySet<keyof UserProps> | undefined = undefined;

  private constructor(
    props: UserProps,
    events: readonly DomainEvent[] = [],
    changed?: ReadonlySet<keyof UserProps>,
  ) {
    Object.assign(this, props);
    Object.defineProperty(this, 'events', { value: Object.freeze([...events]), enumerable: false });
    this.#changed = changed;
  }

  /**
   * The fields this aggregate's methods changed since the user was restored: all that storing the
   * change must write. Undefined when unknown (a user built by `restore`): store every field.
   */
  get changedFields(): ReadonlySet<keyof UserProps> | undefined {
    return this.#changed;
  }

  private changed(changes: Partial<UserProps>): User {
    const changed = new Set([
      ...(this.#changed ?? []),
      ...(Object.keys(changes) as (keyof UserProps)[]),
    ]);
    return new User({ ...this, ...changes }, this.events, changed);
  }

  /** Rebuilds a stored user; adapters use it, so it trusts its input. */
  static restore(props: UserProps): User {
    return new User(props);
  }

  /** The same user with no events pending: what a save returns once it has collected them. */
  withoutEvents(): User {
    return this.events.length === 0 ? this : new User(this, [], this.#changed);
  }

  /** The same user with one more event; a second `user.updated` merges into the pending one. */
  private recording(event: DomainEvent): User {
    const last = this.events.at(-1);
    if (event.action === 'user.updated' && last?.action === 'user.updated') {
      const changes: Record<string, FieldChange> = { ...last.changes };
      for (const [field, change] of Object.entries(event.changes ?? {})) {
        // A field changed twice by one command: from its first value to its last.
        changes[field] =
          field in changes
            ? { ...change, ...('from' in change ? { from: changes[field]!.from } : {}) }
            : change;
      }
      const merged = { ...last, changes };
      return new User(this, [...this.events.slice(0, -1), merged], this.#changed);
    }
    return new User(this, [...this.events, event], this.#changed);
  }

  static register(
    input: {
      email: string;
      username: string;
      fullName: string | null;
      passwordHash: string;
      role: Role;
      isActive?: boolean;
    },
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
      emailVerified: false,
    };
  }

  get isActiveAdmin(): boolean {
    return this.role === 'admin' && this.isActive;
  }

  /**
   * A change that changes nothing returns the same user: its version and ETag stay, and nothing
   * is recorded. Otherwise the event `action` records the changed fields.
   */
  private with(
    changes: Partial<UserProps>,
    now: Date,
    action: DomainEvent['action'] = 'user.updated',
  ): User {
    const differing = (Object.keys(changes) as (keyof UserProps)[]).filter(
      (key) => changes[key] !== this[key],
    );
    if (differing.length === 0) return this;
    const next = this.changed({
      ...Object.fromEntries(differing.map((key) => [key, changes[key]])),
      updatedAt: now,
      version: this.version + 1,
    });
    return next.recording(userEvent(this.id, action, userChanges(this, next)));
  }

  changeProfile(changes: ProfileChanges, now: Date): User {
    checkProfile(changes);
    const next: Partial<UserProps> = {};
    // A new address is unverified until its owner proves it; the same address keeps its state.
    if (changes.email !== undefined && normalizeEmail(changes.email) !== this.email) {
      Object.assign(next, { email: normalizeEmail(changes.email), emailVerified: false });
    }
    if (changes.username !== undefined) Object.assign(next, { username: changes.username });
    if (changes.fullName !== undefined) Object.assign(next, { fullName: changes.fullName });
    return this.with(next, now);
  }

  /**
   * Whether `change` (null: the user is removed) takes an active admin away: only then does the
   * last-admin rule need the number of other active admins.
   */
  losesActiveAdmin(change: AccessChange | null): boolean {
    if (!this.isActiveAdmin) return false;
    if (change === null) return true;
    return !((change.role ?? this.role) === 'admin' && (change.isActive ?? this.isActive));
  }

  /**
   * Changes role and activity. `otherActiveAdmins` is the number of active admins besides this
   * one; the last active admin can neither be demoted nor deactivated.
   */
  changeAccess(changes: AccessChange, otherActiveAdmins: number, now: Date): User {
    this.keepAnActiveAdmin(changes, otherActiveAdmins);
    return this.with(
      { role: changes.role ?? this.role, isActive: changes.isActive ?? this.isActive },
      now,
    );
  }

  /**
   * A new password: `passwordChangedAt` becomes `now`, so every session begun and every access
   * token issued before it stops counting. Always a change, even to an equal hash.
   */
  changePassword(
    passwordHash: string,
    now: Date,
    action: 'user.password_changed' | 'user.password_reset' = 'user.password_changed',
  ): User {
    const next = this.changed({
      passwordHash,
      passwordChangedAt: now,
      updatedAt: now,
      version: this.version + 1,
    });
    return next.recording(userEvent(this.id, action));
  }

  /** The address was proved by a token mailed to it; verifying twice changes nothing. */
  verifyEmail(now: Date): User {
    return this.with({ emailVerified: true }, now, 'user.email_verified');
  }

  /** Throws when removing this user would leave no active admin. */
  assertRemovable(otherActiveAdmins: number): void {
    this.keepAnActiveAdmin(null, otherActiveAdmins);
  }

  /** The last-admin rule: the service always keeps one active admin, who can sign in and fix the rest. */
  private keepAnActiveAdmin(change: AccessChange | null, otherActiveAdmins: number): void {
    if (!this.losesActiveAdmin(change) || otherActiveAdmins > 0) return;
    throw new DomainError(
      'conflict',
      change === null
        ? 'Cannot delete the last active admin'
        : 'Cannot demote or deactivate the last active admin',
    );
  }
}
