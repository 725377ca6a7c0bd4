import { inject, injectable } from 'tsyringe';
import type { CommandHandler } from '../../bus.js';
import { LOGIN_THROTTLE, type LoginThrottle } from '../../ports/login-throttle.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../../ports/password-hasher.js';
import { UNIT_OF_WORK, type UnitOfWork } from '../../ports/unit-of-work.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { withConfirmedPassword } from '../confirm-password.js';
import { DeleteAccountCommand } from './delete-account.command.js';

/**
 * `DELETE /users/me`: once the password is confirmed, the account goes with its orders and its
 * sessions (`UserRepository.remove`), unless it is the last active admin (the aggregate's rule:
 * 409). Its access tokens are then a deleted user's: 401.
 */
@injectable()
export class DeleteAccountHandler implements CommandHandler<DeleteAccountCommand, void> {
  /** The password hash is checked before the unit of work begins. */
  static readonly transactional = false;

  constructor(
    @inject(USER_REPOSITORY) readonly users: UserRepository,
    @inject(PASSWORD_HASHER) readonly hasher: PasswordHasher,
    @inject(LOGIN_THROTTLE) readonly throttle: LoginThrottle,
    @inject(UNIT_OF_WORK) readonly uow: UnitOfWork,
  ) {}

  execute(command: DeleteAccountCommand): Promise<void> {
    return withConfirmedPassword(this, command, async (user) => {
      if (user.isActiveAdmin) user.assertRemovable(await this.users.countActiveAdminsExcept(user.id));
      await this.users.remove(user.id);
    });
  }
}
