import type { Actor } from '../../../domain/user/role.js';

/** The caller changes their own password. */
export class ChangePasswordCommand {
  constructor(
    readonly actor: Actor,
    readonly currentPassword: string,
    readonly newPassword: string,
    /** The caller's address, for the login throttle. */
    readonly ip: string,
  ) {}
}
