import { inject, injectable } from 'tsyringe';
import { validationFailed } from '../../../domain/shared/errors.js';
import { insufficientRole, requireRole } from '../../../domain/user/user-policy.js';
import { passwordProblem } from '../../../domain/user/user-rules.js';
import { User } from '../../../domain/user/user.js';
import type { CommandHandler } from '../../bus.js';
import { EmailTokens, verificationMail } from '../../mail/email-tokens.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { OUTBOX, type Outbox } from '../../ports/outbox.js';
import { UNIT_OF_WORK, type UnitOfWork } from '../../ports/unit-of-work.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../../ports/password-hasher.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { toUserView, type UserView } from '../../ports/views.js';
import type { RegisterUserCommand } from './register-user.command.js';

@injectable()
export class RegisterUserHandler implements CommandHandler<RegisterUserCommand, UserView> {
  /**
   * The password is hashed before anything is written, and the writes (the user, its verification
   * token and mail) are one short unit of work of their own: no transaction (and no pooled
   * connection) is held while argon2 runs or waits for its turn.
   */
  static readonly transactional = false;

  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(EmailTokens) private readonly tokens: EmailTokens,
    @inject(OUTBOX) private readonly outbox: Outbox,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ input, actor }: RegisterUserCommand): Promise<UserView> {
    if (input.role !== undefined || input.isActive !== undefined) {
      if (actor === null) throw insufficientRole('admin');
      requireRole(actor, 'admin');
    }
    const weak = passwordProblem(input.password);
    if (weak !== null) throw validationFailed([{ field: 'password', message: weak }]);
    const passwordHash = await this.hasher.hash(input.password);
    const now = this.clock.now();
    const draft = User.register(
      {
        email: input.email,
        username: input.username,
        fullName: input.fullName,
        passwordHash,
        role: input.role ?? 'user',
        isActive: input.isActive ?? true,
      },
      now,
    );
    return this.uow.run(async () => {
      const user = await this.users.add(draft);
      const token = await this.tokens.issue('verify_email', user, now);
      await this.outbox.enqueue(verificationMail(user, token), now);
      return toUserView(user);
    });
  }
}
