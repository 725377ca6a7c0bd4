import { inject, injectable } from 'tsyringe';
import { requireSelfOr } from '../../../domain/user/user-policy.js';
import type { CommandHandler } from '../../bus.js';
import { userNotFound } from '../../not-found.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { toUserView, type UserView } from '../../ports/views.js';
import { assertVersion } from '../../preconditions.js';
import { ReplaceUserCommand } from './replace-user.command.js';

@injectable()
export class ReplaceUserHandler implements CommandHandler<ReplaceUserCommand, UserView> {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, userId, profile, expectedVersions }: ReplaceUserCommand): Promise<UserView> {
    requireSelfOr(actor, userId, 'admin');
    const user = await this.users.findById(userId);
    if (user === null) throw userNotFound(userId);
    assertVersion(user.version, expectedVersions);
    return toUserView(await this.users.update(user.changeProfile(profile, this.clock.now())));
  }
}
