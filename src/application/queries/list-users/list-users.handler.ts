import { inject, injectable } from 'tsyringe';
import { requireRole } from '../../../domain/user/user-policy.js';
import type { QueryHandler } from '../../bus.js';
import { USER_READ_MODEL, type UserReadModel } from '../../ports/user-read-model.js';
import type { Page, UserView } from '../../ports/views.js';
import { ListUsersQuery } from './list-users.query.js';

@injectable()
export class ListUsersHandler implements QueryHandler<ListUsersQuery, Page<UserView>> {
  constructor(@inject(USER_READ_MODEL) private readonly users: UserReadModel) {}

  execute({ actor, criteria }: ListUsersQuery): Promise<Page<UserView>> {
    requireRole(actor, 'admin', 'moderator');
    return this.users.list(criteria);
  }
}
