import type { Actor } from '../../../domain/user/role.js';
import type { ExpectedVersions } from '../../preconditions.js';

export class DeleteUserCommand {
  constructor(
    readonly actor: Actor,
    readonly userId: number,
    readonly expectedVersions?: ExpectedVersions,
  ) {}
}
