import type { Role } from '../../domain/user/role.js';
import { token } from './injection.js';
import type { Page, PageRequest, Slice, SortDirection, UserView } from './views.js';

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

/** Where a keyset list stands: the sort key and the id of the last item already seen. */
export interface UserPosition {
  /** created_at as an ISO string, or the lower-cased username or email. */
  readonly key: string;
  readonly id: number;
}

export interface UserSliceCriteria {
  readonly filter: UserFilter;
  readonly sort: UserListCriteria['sort'];
  readonly limit: number;
  /** Continue after this position; absent for the first slice. */
  readonly after?: UserPosition;
}

/** The position of a user in a list sorted by `field`, to continue after it. */
export function userPosition(user: UserView, field: UserSortField): UserPosition {
  const key =
    field === 'created_at'
      ? user.createdAt.toISOString()
      : field === 'username'
        ? user.username.toLowerCase()
        : user.email.toLowerCase();
  return { key, id: user.id };
}

/** The query side's view of users: lean reads that return views. */
export interface UserReadModel {
  getById(id: number): Promise<UserView | null>;
  /** Offset pages with a total (API v1). */
  list(criteria: UserListCriteria): Promise<Page<UserView>>;
  /**
   * Keyset slices (API v2): up to `limit` users strictly after `after` in the sort order, and
   * whether more follow. Stable while rows are inserted or deleted, and as fast deep as first.
   */
  listAfter(criteria: UserSliceCriteria): Promise<Slice<UserView>>;
}

export const USER_READ_MODEL = token<UserReadModel>('UserReadModel');
