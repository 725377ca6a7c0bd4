import type { Actor } from '../../../domain/user/role.js';
import type { UserListCriteria } from '../../ports/user-read-model.js';

export class ListUsersQuery {
  constructor(
    readonly actor: Actor,
    readonly criteria: UserListCriteria,
  ) {}
}
