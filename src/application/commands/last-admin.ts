import type { UserRepository } from '../ports/user-repository.js';
import type { AccessChange, User } from '../../domain/user/user.js';

/**
 * The active admins besides `user`, for the domain's last-admin rule. Counted (and so locked until
 * the unit ends) only when `change` (null: removal) takes an active admin away.
 */
export function otherActiveAdmins(
  users: UserRepository,
  user: User,
  change: AccessChange | null,
): Promise<number> {
  return user.losesActiveAdmin(change)
    ? users.countActiveAdminsExcept(user.id)
    : Promise.resolve(0);
}
