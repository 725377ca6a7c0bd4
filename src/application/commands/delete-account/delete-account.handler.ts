import { otherActiveAdmins } from '../last-admin.js';
import { inject, injectable } from 'tsyringe';
import type { CommandHandler } from '../../bus.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { ConfirmedByPassword } from '../confirm-password.js';
import type { DeleteAccountCommand } from './delete-account.command.js';

/**
 * `DELETE /users/me`: once the password is confirmed, the account goes with its orders and its
 * sessions (`UserRepository.remove`), unless it is the last active admin (the aggregate's rule:
 * 409). Its access tokens are then a deleted user's: 401.
 */
@injectable()
export class DeleteAccountHandler implements CommandHandler<DeleteAccountCommand, void> {
  /** The password is checked before the unit of work begins. */
  static readonly transactional = false;

  constructor(
    @inject(ConfirmedByPassword) private readonly confirmed: ConfirmedByPassword,
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
  ) {}

  execute(command: DeleteAccountCommand): Promise<void> {
    return this.confirmed.run(command, async (user) => {
      user.assertRemovable(await otherActiveAdmins(this.users, user, null));
      await this.users.remove(user.id);
    });
  }
}
