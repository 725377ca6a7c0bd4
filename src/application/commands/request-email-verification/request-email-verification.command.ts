import type { Actor } from '../../../domain/user/role.js';

/** The caller asks for a new verification mail to the account's address. */
export class RequestEmailVerificationCommand {
  constructor(
    readonly actor: Actor,
    /** The caller's address, for the limit on mail requests. */
    readonly ip: string,
  ) {}
}
