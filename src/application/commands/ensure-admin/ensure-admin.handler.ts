import { inject, injectable } from 'tsyringe';
import { validationFailed } from '../../../domain/shared/errors.js';
import { passwordProblem } from '../../../domain/user/user-rules.js';
import { User } from '../../../domain/user/user.js';
import type { CommandHandler } from '../../bus.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../../ports/password-hasher.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import type { EnsureAdminCommand, EnsureAdminResult } from './ensure-admin.command.js';

@injectable()
export class EnsureAdminHandler implements CommandHandler<EnsureAdminCommand, EnsureAdminResult> {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: EnsureAdminCommand): Promise<EnsureAdminResult> {
    if (command.onlyIfNone && (await this.users.countActiveAdminsExcept(null)) > 0)
      return { created: false };
    const weak = passwordProblem(command.password);
    if (weak !== null) throw validationFailed([{ field: 'password', message: weak }]);
    const draft = User.register(
      {
        email: command.email,
        username: command.username,
        fullName: null,
        passwordHash: await this.hasher.hash(command.password),
        role: 'admin',
      },
      this.clock.now(),
    );
    // The operator named this address: it counts as verified, so the first admin can sign in
    // even where EMAIL_VERIFICATION_REQUIRED is set.
    const admin = await this.users.add({ ...draft, emailVerified: true });
    return { created: true, id: admin.id };
  }
}
