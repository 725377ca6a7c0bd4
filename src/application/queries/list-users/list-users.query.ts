import type { Actor } from '../../../domain/user/role.js';
import type { UserListCriteria, UserSliceCriteria } from '../../ports/user-read-model.js';

/** One use case, two ways to page: numbered pages with a total, or keyset slices. */
export type UserListing =
  | ({ readonly mode: 'page' } & UserListCriteria)
  | ({ readonly mode: 'slice' } & UserSliceCriteria);

export class ListUsersQuery {
  constructor(
    readonly actor: Actor,
    readonly criteria: UserListing,
  ) {}
}
