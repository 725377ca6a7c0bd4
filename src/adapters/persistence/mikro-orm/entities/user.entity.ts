import { EntitySchema } from '@mikro-orm/core';
import { ROLES, type Role } from '../../../../domain/user/role.js';
import { AuditEventSchema } from './audit-event.entity.js';
import { IdempotencyKeySchema } from './idempotency-key.entity.js';
import { OrderItemSchema, OrderSchema } from './order.entity.js';
import { RefreshTokenSchema, SessionSchema } from './session.entity.js';
import { UserCountSchema } from './user-count.entity.js';
import { EmailTokenSchema, MailOutboxSchema } from './mail.entity.js';

/**
 * A row of the `users` table as MikroORM sees it. It never leaves the adapter: the repository
 * maps it to the domain's `User`, the read model to a `UserView`.
 */
export class UserRecord {
  id!: number;
  /** Stored lower-cased by the domain. */
  email!: string;
  username!: string;
  fullName!: string | null;
  passwordHash!: string;
  role!: Role;
  isActive!: boolean;
  createdAt!: Date;
  updatedAt!: Date;
  /** The domain's version (the ETag source), written as given: not MikroORM's optimistic lock. */
  version!: number;
  passwordChangedAt!: Date | null;
  emailVerified!: boolean;
}

/**
 * The mapping of `users`. The migrations make the table; this mirrors them to the index, so that
 * MikroORM's schema diff against a migrated database is empty (a test checks it) and a generated
 * migration holds only what is new. Column names follow MikroORM's underscore naming.
 */
export const UserSchema = new EntitySchema<UserRecord>({
  class: UserRecord,
  tableName: 'users',
  uniques: [
    {
      name: 'users_email_lower_key',
      expression: 'create unique index "users_email_lower_key" on "users" (lower("email"))',
    },
    {
      name: 'users_username_lower_key',
      expression: 'create unique index "users_username_lower_key" on "users" (lower("username"))',
    },
  ],
  indexes: [
    { name: 'users_created_at_id_idx', properties: ['createdAt', 'id'] },
    {
      name: 'users_username_sort_idx',
      expression:
        'create index "users_username_sort_idx" on "users" ((lower("username") collate "C"), "id")',
    },
    {
      name: 'users_email_sort_idx',
      expression:
        'create index "users_email_sort_idx" on "users" ((lower("email") collate "C"), "id")',
    },
    // The trigram index for substring search (Migration20261209000000_user_search_expression).
    {
      name: 'users_search_trgm_idx',
      expression:
        'create index "users_search_trgm_idx" on "users" using gin (("email" || chr(31) || "username" || chr(31) || coalesce("full_name", \'\')) gin_trgm_ops)',
    },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true, generated: 'identity' },
    email: { type: 'string', length: 254 },
    username: { type: 'string', length: 50 },
    fullName: { type: 'string', length: 100, nullable: true },
    passwordHash: { type: 'text' },
    role: { type: 'text', enum: true, items: () => [...ROLES] },
    isActive: { type: 'boolean' },
    createdAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    updatedAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    version: { type: 'integer' },
    passwordChangedAt: { type: 'datetime', columnType: 'timestamptz(3)', nullable: true },
    emailVerified: { type: 'boolean', default: false },
  },
});

/** The entities MikroORM is told about. */
export const ENTITIES = [
  UserSchema,
  UserCountSchema,
  OrderSchema,
  OrderItemSchema,
  SessionSchema,
  RefreshTokenSchema,
  IdempotencyKeySchema,
  EmailTokenSchema,
  MailOutboxSchema,
  AuditEventSchema,
];
