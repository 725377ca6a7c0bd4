import type { Actor, Role } from '../../../domain/user/role.js';

export class RegisterUserCommand {
  constructor(
    readonly input: {
      readonly email: string;
      readonly username: string;
      readonly password: string;
      readonly fullName: string | null;
      readonly role?: Role;
      readonly isActive?: boolean;
    },
    /** Null for a sign-up by someone not signed in. */
    readonly actor: Actor | null,
  ) {}
}
