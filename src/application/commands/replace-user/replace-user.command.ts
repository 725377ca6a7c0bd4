import type { Actor } from '../../../domain/user/role.js';
import type { ExpectedVersions } from '../../preconditions.js';

/** PUT: replaces the whole profile; `fullName` null clears it. */
export class ReplaceUserCommand {
  constructor(
    readonly actor: Actor,
    readonly userId: number,
    readonly profile: {
      readonly email: string;
      readonly username: string;
      readonly fullName: string | null;
    },
    readonly expectedVersions?: ExpectedVersions,
  ) {}
}
