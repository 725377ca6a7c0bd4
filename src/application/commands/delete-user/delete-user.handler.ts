import { otherActiveAdmins } from '../last-admin.js';
import { inject, injectable } from 'tsyringe';
import { requireRole } from '../../../domain/user/user-policy.js';
import type { CommandHandler } from '../../bus.js';
import { userNotFound } from '../../not-found.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { assertVersion } from '../../preconditions.js';
import type { DeleteUserCommand } from './delete-user.command.js';

/** Removes the user and, in the same unit of work, everything the user owns. */
@injectable()
export class DeleteUserHandler implements CommandHandler<DeleteUserCommand, void> {
  constructor(@inject(USER_REPOSITORY) private readonly users: UserRepository) {}

  async execute({ actor, userId, expectedVersions }: DeleteUserCommand): Promise<void> {
    requireRole(actor, 'admin');
    const user = await this.users.findById(userId);
    if (user === null) throw userNotFound(userId);
    assertVersion(user.version, expectedVersions);
    user.assertRemovable(await otherActiveAdmins(this.users, user, null));
    await this.users.remove(userId);
  }
}
