import type { Actor } from '../../../domain/user/role.js';

/** An admin ends every session of a user (a lost laptop, a compromised account). */
export class EndUserSessionsCommand {
  constructor(
    readonly actor: Actor,
    readonly userId: number,
  ) {}
}
