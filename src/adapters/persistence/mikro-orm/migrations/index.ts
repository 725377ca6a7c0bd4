import type { MigrationObject } from '@mikro-orm/core';
import { Migration20260101000000_create_users } from './Migration20260101000000_create_users.js';
import { Migration20260102000000_create_orders } from './Migration20260102000000_create_orders.js';
import { Migration20260103000000_sessions } from './Migration20260103000000_sessions.js';
import { Migration20260104000000_idempotency_keys } from './Migration20260104000000_idempotency_keys.js';
import { Migration20260105000000_user_counts } from './Migration20260105000000_user_counts.js';
import { Migration20261203000000_mail } from './Migration20261203000000_mail.js';
import { Migration20261204000000_session_devices } from './Migration20261204000000_session_devices.js';
import { Migration20261205000000_audit_events } from './Migration20261205000000_audit_events.js';
import { Migration20261206000000_user_search_indexes } from './Migration20261206000000_user_search_indexes.js';
import { Migration20261207000000_user_counts_slots } from './Migration20261207000000_user_counts_slots.js';
import { Migration20261208000000_outbox_user } from './Migration20261208000000_outbox_user.js';
import { Migration20261209000000_user_search_expression } from './Migration20261209000000_user_search_expression.js';

/**
 * Every migration, oldest first, under the name recorded in `mikro_orm_migrations`. The list is
 * explicit (no file globbing) so the migrations that run are the ones compiled with the code.
 * A new migration is a new file here and a new line below; a name, once applied anywhere, never
 * changes.
 */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20260101000000_create_users', class: Migration20260101000000_create_users },
  { name: 'Migration20260102000000_create_orders', class: Migration20260102000000_create_orders },
  { name: 'Migration20260103000000_sessions', class: Migration20260103000000_sessions },
  {
    name: 'Migration20260104000000_idempotency_keys',
    class: Migration20260104000000_idempotency_keys,
  },
  { name: 'Migration20260105000000_user_counts', class: Migration20260105000000_user_counts },
  { name: 'Migration20261203000000_mail', class: Migration20261203000000_mail },
  {
    name: 'Migration20261204000000_session_devices',
    class: Migration20261204000000_session_devices,
  },
  { name: 'Migration20261205000000_audit_events', class: Migration20261205000000_audit_events },
  {
    name: 'Migration20261206000000_user_search_indexes',
    class: Migration20261206000000_user_search_indexes,
  },
  {
    name: 'Migration20261207000000_user_counts_slots',
    class: Migration20261207000000_user_counts_slots,
  },
  { name: 'Migration20261208000000_outbox_user', class: Migration20261208000000_outbox_user },
  {
    name: 'Migration20261209000000_user_search_expression',
    class: Migration20261209000000_user_search_expression,
  },
];
