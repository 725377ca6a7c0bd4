import type { Actor } from '../../../domain/user/role.js';

/** A user's live sessions: the user's own, or anyone's for an admin. */
export class ListSessionsQuery {
  constructor(
    readonly actor: Actor,
    readonly userId: number,
  ) {}
}
