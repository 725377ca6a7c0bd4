import type { MigrationObject } from '@mikro-orm/core';
import { Migration20260101000000_create_users } from './Migration20260101000000_create_users.js';

/**
 * Every migration, oldest first, under the name recorded in `mikro_orm_migrations`. The list is
 * explicit (no file globbing) so the migrations that run are the ones compiled with the code.
 * A new migration is a new file here and a new line below; a name, once applied anywhere, never
 * changes.
 */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20260101000000_create_users', class: Migration20260101000000_create_users },
];
