import type { Actor } from '../../../domain/user/role.js';

export class GetUserQuery {
  constructor(
    readonly actor: Actor,
    readonly userId: number,
  ) {}
}
