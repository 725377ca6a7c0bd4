import type { Actor, Role } from '../../../domain/user/role.js';
import type { ExpectedVersions } from '../../preconditions.js';

/** PATCH: only the fields present change. */
export class UpdateUserCommand {
  constructor(
    readonly actor: Actor,
    readonly userId: number,
    readonly changes: {
      readonly email?: string;
      readonly username?: string;
      readonly fullName?: string | null;
      readonly role?: Role;
      readonly isActive?: boolean;
    },
    readonly expectedVersions?: ExpectedVersions,
  ) {}
}
