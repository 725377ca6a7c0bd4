import { EntitySchema } from '@mikro-orm/core';
import type { Role } from '../../../../domain/user/role.js';

/**
 * A row of `user_counts`: how many users with this role and activity one slot counts (a total is
 * the sum over the slots). Triggers on `users` keep it (`Migration20260105000000_user_counts`,
 * `Migration20261207000000_user_counts_slots`); the read model only reads it, with explicit SQL.
 */
export class UserCountRecord {
  role!: Role;
  isActive!: boolean;
  slot!: number;
  n!: string;
}

/** Mirrors the migration, so that MikroORM's schema diff against a migrated database stays empty. */
export const UserCountSchema = new EntitySchema<UserCountRecord>({
  class: UserCountRecord,
  tableName: 'user_counts',
  properties: {
    role: { type: 'text', primary: true },
    isActive: { type: 'boolean', primary: true },
    slot: { type: 'smallint', primary: true, default: 0 },
    n: { type: 'bigint' },
  },
});
