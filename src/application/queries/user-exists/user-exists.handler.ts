import { inject, injectable } from 'tsyringe';
import type { QueryHandler } from '../../bus.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import type { UserExistsQuery } from './user-exists.query.js';

/**
 * Read on the write side rather than the read model: the read model may be a replica that has not
 * seen a user created a moment ago, and "gone" must never be said of a user that exists.
 */
@injectable()
export class UserExistsHandler implements QueryHandler<UserExistsQuery, boolean> {
  constructor(@inject(USER_REPOSITORY) private readonly users: UserRepository) {}

  async execute({ userId }: UserExistsQuery): Promise<boolean> {
    return (await this.users.findById(userId)) !== null;
  }
}
