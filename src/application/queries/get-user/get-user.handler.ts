import { inject, injectable } from 'tsyringe';
import { requireSelfOr } from '../../../domain/user/user-policy.js';
import type { QueryHandler } from '../../bus.js';
import { ownView } from '../../caller.js';
import { userNotFound } from '../../not-found.js';
import { USER_READ_MODEL, type UserReadModel } from '../../ports/user-read-model.js';
import type { UserView } from '../../ports/views.js';
import type { GetUserQuery } from './get-user.query.js';

/**
 * The user itself, moderators and admins; anyone else's id is 403 whether or not it exists. The
 * caller's own account comes from the account check of the request (`Caller.self`), read in the
 * same statement: no second round trip.
 */
@injectable()
export class GetUserHandler implements QueryHandler<GetUserQuery, UserView> {
  constructor(@inject(USER_READ_MODEL) private readonly users: UserReadModel) {}

  async execute({ actor, userId }: GetUserQuery): Promise<UserView> {
    requireSelfOr(actor, userId, 'moderator', 'admin');
    const user = ownView(actor, userId) ?? (await this.users.getById(userId));
    if (user === null) throw userNotFound(userId);
    return user;
  }
}
