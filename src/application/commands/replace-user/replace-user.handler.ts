import { inject, injectable } from 'tsyringe';
import { requireSelfOr } from '../../../domain/user/user-policy.js';
import type { CommandHandler } from '../../bus.js';
import { userNotFound } from '../../not-found.js';
import { EmailChangeMails } from '../../mail/email-change.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { toUserView, type UserView } from '../../ports/views.js';
import { assertVersion } from '../../preconditions.js';
import type { ReplaceUserCommand } from './replace-user.command.js';

@injectable()
export class ReplaceUserHandler implements CommandHandler<ReplaceUserCommand, UserView> {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(EmailChangeMails) private readonly emailChange: EmailChangeMails,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({
    actor,
    userId,
    profile,
    expectedVersions,
  }: ReplaceUserCommand): Promise<UserView> {
    requireSelfOr(actor, userId, 'admin');
    const user = await this.users.findById(userId);
    if (user === null) throw userNotFound(userId);
    assertVersion(user.version, expectedVersions);
    const now = this.clock.now();
    const saved = await this.users.update(user.changeProfile(profile, now));
    await this.emailChange.afterChange(user, saved, now);
    return toUserView(saved);
  }
}
