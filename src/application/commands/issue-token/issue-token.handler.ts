import { inject, injectable } from 'tsyringe';
import { forbidden, unauthorized } from '../../../domain/shared/errors.js';
import type { CommandHandler } from '../../bus.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../../ports/password-hasher.js';
import { TOKEN_ISSUER, type TokenIssuer } from '../../ports/tokens.js';
import { USER_REPOSITORY, type UserRepository } from '../../ports/user-repository.js';
import { IssueTokenCommand, type TokenGrant } from './issue-token.command.js';

export const BAD_CREDENTIALS = 'Incorrect username or password';

@injectable()
export class IssueTokenHandler implements CommandHandler<IssueTokenCommand, TokenGrant> {
  /** Checking a password hash takes a while: no transaction is held open for it. */
  static readonly transactional = false;

  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(TOKEN_ISSUER) private readonly tokens: TokenIssuer,
  ) {}

  async execute({ login, password }: IssueTokenCommand): Promise<TokenGrant> {
    const user = await this.users.findByLogin(login);
    // An unknown user costs one hash check too, so the answer time does not tell who exists.
    const matches = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (user === null || !matches) throw unauthorized(BAD_CREDENTIALS);
    if (!user.isActive) throw forbidden('User account is inactive');
    const access = await this.tokens.issueAccessToken(user.id);
    return { accessToken: access.token, tokenType: 'bearer', expiresIn: access.expiresIn };
  }
}
