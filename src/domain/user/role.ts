export const ROLES = ['user', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, as the core sees it after the account has been re-read. */
export interface Actor {
  readonly id: number;
  readonly role: Role;
}
