import { otherActiveAdmins } from '../last-admin.js';
import { inject, injectable } from 'tsyringe';
import { authorizeUserPatch, mayAttemptUserPatch } from '../../../domain/user/user-policy.js';
import type { CommandHandler } from '../../bus.js';
import { userNotFound } from '../../not-found.js';
import { EmailChangeMails } from '../../mail/email-change.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../../ports/security-events.js';
import { DOMAIN_EVENTS, type DomainEvents } from '../../audit/domain-events.js';
import { endSessionsOf } from '../end-user-sessions/end-sessions.js';
import { SESSION_REPOSITORY, type SessionRepository } from '../../ports/session-repository.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { toUserView, type UserView } from '../../ports/views.js';
import { assertVersion } from '../../preconditions.js';
import type { UpdateUserCommand } from './update-user.command.js';

/**
 * PATCH of a user. Deactivating an account (whoever does it) revokes every session of it in the
 * same unit of work, so that a later reactivation brings none of them back: the user signs in
 * again.
 */
@injectable()
export class UpdateUserHandler implements CommandHandler<UpdateUserCommand, UserView> {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(EmailChangeMails) private readonly emailChange: EmailChangeMails,
    @inject(SESSION_REPOSITORY) readonly sessions: SessionRepository,
    @inject(DOMAIN_EVENTS) readonly events: DomainEvents,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
  ) {}

  async execute({
    actor,
    userId,
    changes,
    expectedVersions,
  }: UpdateUserCommand): Promise<UserView> {
    mayAttemptUserPatch(actor, userId);
    const user = await this.users.findById(userId);
    if (user === null) throw userNotFound(userId);
    const { role, isActive, ...profile } = changes;
    authorizeUserPatch(actor, user, {
      profile: Object.keys(profile).length > 0,
      role: role !== undefined,
      isActive: isActive !== undefined,
    });
    assertVersion(user.version, expectedVersions);
    const now = this.clock.now();
    let next = user.changeProfile(profile, now);
    if (role !== undefined || isActive !== undefined) {
      const access = {
        ...(role === undefined ? {} : { role }),
        ...(isActive === undefined ? {} : { isActive }),
      };
      next = next.changeAccess(access, await otherActiveAdmins(this.users, user, access), now);
    }
    const saved = await this.users.update(next);
    await this.emailChange.afterChange(user, saved, now);
    if (user.isActive && !saved.isActive) {
      const ended = await endSessionsOf(this, user.id, now);
      this.security.record({
        type: 'session_revoked',
        userId: user.id,
        sessionId: null,
        sessions: ended,
        reason: 'deactivated',
        by: actor.id,
      });
    }
    return toUserView(saved);
  }
}
