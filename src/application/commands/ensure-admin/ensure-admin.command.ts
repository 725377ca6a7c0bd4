/** Creates the first admin when no active admin exists (start-up and the `create-admin` command). */
export class EnsureAdminCommand {
  constructor(
    readonly email: string,
    readonly username: string,
    readonly password: string,
    /** When false, an existing admin is no reason to skip: the admin is created anyway. */
    readonly onlyIfNone: boolean = true,
  ) {}
}

export type EnsureAdminResult =
  | { readonly created: true; readonly id: number }
  | { readonly created: false };
