import type { Role } from '../../../domain/user/role.js';
import { defineTable } from './in-memory-database.js';

/**
 * The tables of the in-memory store, mirroring the SQL schema. Rows are plain frozen records;
 * times are kept as epoch milliseconds so that no mutable Date is ever shared with a caller.
 */
export interface UserRecord {
  readonly id: number;
  /** Stored lower-cased by the domain. */
  readonly email: string;
  readonly username: string;
  readonly fullName: string | null;
  readonly passwordHash: string;
  readonly role: Role;
  readonly isActive: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly version: number;
  readonly passwordChangedAt: number | null;
  readonly emailVerified: boolean;
}

export const USERS = defineTable<UserRecord>({
  name: 'users',
  unique: {
    users_email_lower_key: (user) => user.email.toLowerCase(),
    users_username_lower_key: (user) => user.username.toLowerCase(),
  },
});
