import { EntitySchema } from '@mikro-orm/core';
import type { Role } from '../../../../domain/user/role.js';

/**
 * A row of `user_counts`: how many users have this role and activity. Triggers on `users` keep it
 * (`Migration20260105000000_user_counts`); the read model only reads it, with explicit SQL.
 */
export class UserCountRecord {
  role!: Role;
  isActive!: boolean;
  n!: string;
}

/** Mirrors the migration, so that MikroORM's schema diff against a migrated database stays empty. */
export const UserCountSchema = new EntitySchema<UserCountRecord>({
  class: UserCountRecord,
  tableName: 'user_counts',
  properties: {
    role: { type: 'text', primary: true },
    isActive: { type: 'boolean', primary: true },
    n: { type: 'bigint' },
  },
});
