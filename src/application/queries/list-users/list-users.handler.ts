import { inject, injectable } from 'tsyringe';
import { requireRole } from '../../../domain/user/user-policy.js';
import type { QueryHandler } from '../../bus.js';
import { USER_READ_MODEL, type UserReadModel } from '../../ports/user-read-model.js';
import type { Page, Slice, UserView } from '../../ports/views.js';
import type { ListUsersQuery } from './list-users.query.js';

export type UserList =
  | ({ readonly mode: 'page' } & Page<UserView>)
  | ({ readonly mode: 'slice' } & Slice<UserView>);

@injectable()
export class ListUsersHandler implements QueryHandler<ListUsersQuery, UserList> {
  constructor(@inject(USER_READ_MODEL) private readonly users: UserReadModel) {}

  async execute({ actor, criteria }: ListUsersQuery): Promise<UserList> {
    requireRole(actor, 'admin', 'moderator');
    if (criteria.mode === 'page') return { mode: 'page', ...(await this.users.list(criteria)) };
    return { mode: 'slice', ...(await this.users.listAfter(criteria)) };
  }
}
