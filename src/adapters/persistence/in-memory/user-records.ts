import type { NewUser, UserProps } from '../../../domain/user/user.js';
import type { UserView } from '../../../application/ports/views.js';
import type { UserRecord } from './tables.js';

/** The columns of a user, without the id the table gives it. */
export const toUserRecord = (user: NewUser): Omit<UserRecord, 'id'> => ({
  email: user.email,
  username: user.username,
  fullName: user.fullName,
  passwordHash: user.passwordHash,
  role: user.role,
  isActive: user.isActive,
  createdAt: user.createdAt.getTime(),
  updatedAt: user.updatedAt.getTime(),
  version: user.version,
  passwordChangedAt: user.passwordChangedAt === null ? null : user.passwordChangedAt.getTime(),
  emailVerified: user.emailVerified,
});

export const toUserProps = (row: UserRecord): UserProps => ({
  id: row.id,
  email: row.email,
  username: row.username,
  fullName: row.fullName,
  passwordHash: row.passwordHash,
  role: row.role,
  isActive: row.isActive,
  createdAt: new Date(row.createdAt),
  updatedAt: new Date(row.updatedAt),
  version: row.version,
  passwordChangedAt: row.passwordChangedAt === null ? null : new Date(row.passwordChangedAt),
  emailVerified: row.emailVerified,
});

export const toUserView = (row: UserRecord): UserView => ({
  id: row.id,
  email: row.email,
  username: row.username,
  fullName: row.fullName,
  role: row.role,
  isActive: row.isActive,
  emailVerified: row.emailVerified,
  createdAt: new Date(row.createdAt),
  updatedAt: new Date(row.updatedAt),
  version: row.version,
});
