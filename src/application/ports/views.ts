import type { Role } from '../../domain/user/role.js';

/** What queries return: plain data, never entities. */
export interface UserView {
  readonly id: number;
  readonly email: string;
  readonly username: string;
  readonly fullName: string | null;
  readonly role: Role;
  readonly isActive: boolean;
  readonly emailVerified: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  /** False when `total` is an estimate (a search with more matches than are counted); absent or true when exact. */
  readonly totalExact?: boolean;
}

/** A keyset slice: the items and whether more follow them. */
export interface Slice<T> {
  readonly items: readonly T[];
  readonly hasMore: boolean;
}

export interface PageRequest {
  readonly page: number;
  readonly pageSize: number;
}

export type SortDirection = 'asc' | 'desc';

export const toUserView = (u: UserView): UserView => ({
  id: u.id,
  email: u.email,
  username: u.username,
  fullName: u.fullName,
  role: u.role,
  isActive: u.isActive,
  emailVerified: u.emailVerified,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
  version: u.version,
});
