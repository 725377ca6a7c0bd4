import type { Role } from '../../domain/user/role.js';
import { token } from './token.js';
import type { Page, PageRequest, SortDirection, UserView } from './views.js';

export const USER_SORT_FIELDS = ['created_at', 'username', 'email'] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];

export interface UserFilter {
  readonly role?: Role;
  readonly isActive?: boolean;
  /** Case-insensitive substring of email, username or full name. */
  readonly search?: string;
}

export interface UserListCriteria extends PageRequest {
  readonly filter: UserFilter;
  /** Ties are broken by id in the same direction, so pages never overlap. */
  readonly sort: { readonly field: UserSortField; readonly direction: SortDirection };
}

/** The query side's view of users: lean reads that return views. */
export interface UserReadModel {
  getById(id: number): Promise<UserView | null>;
  list(criteria: UserListCriteria): Promise<Page<UserView>>;
}

export const USER_READ_MODEL = token<UserReadModel>('UserReadModel');
