import { inject, injectable } from 'tsyringe';
import { forbidden, unauthorized } from '../../../domain/shared/errors.js';
import type { Actor } from '../../../domain/user/role.js';
import type { QueryHandler } from '../../bus.js';
import { TOKEN_VERIFIER, type TokenVerifier } from '../../ports/tokens.js';
import { USER_READ_MODEL, type UserReadModel } from '../../ports/user-read-model.js';
import { AuthenticateQuery } from './authenticate.query.js';

/**
 * A deleted account's token is 401 and a deactivated account's is 403; a demoted user acts with
 * the new role from the next request on, because the role comes from the account, not the token.
 */
@injectable()
export class AuthenticateHandler implements QueryHandler<AuthenticateQuery, Actor> {
  constructor(
    @inject(TOKEN_VERIFIER) private readonly tokens: TokenVerifier,
    @inject(USER_READ_MODEL) private readonly users: UserReadModel,
  ) {}

  async execute({ token }: AuthenticateQuery): Promise<Actor> {
    const claims = await this.tokens.verifyAccessToken(token);
    const user = await this.users.getById(claims.userId);
    if (user === null) throw unauthorized('User no longer exists');
    if (!user.isActive) throw forbidden('User account is inactive');
    return { id: user.id, role: user.role };
  }
}
