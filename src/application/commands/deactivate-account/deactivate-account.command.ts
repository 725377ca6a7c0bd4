import type { Actor } from '../../../domain/user/role.js';
import type { PasswordConfirmation } from '../confirm-password.js';

/** The caller deactivates their own account, confirming with their password. */
export class DeactivateAccountCommand implements PasswordConfirmation {
  constructor(
    readonly actor: Actor,
    readonly password: string,
    readonly ip: string,
  ) {}
}
