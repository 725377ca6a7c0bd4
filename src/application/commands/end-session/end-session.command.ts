import type { Actor } from '../../../domain/user/role.js';

/** The caller ends one of their own sessions (a device they no longer use, say). */
export class EndSessionCommand {
  constructor(
    readonly actor: Actor,
    readonly sessionId: string,
  ) {}
}
