import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

/** The trigram indexes, one per searched column: `ILIKE '%term%'` on each is a bitmap index scan. */
const INDEXES = [
  { name: 'users_email_trgm_idx', column: 'email' },
  { name: 'users_username_trgm_idx', column: 'username' },
  { name: 'users_full_name_trgm_idx', column: 'full_name' },
] as const;

/**
 * Trigram (`pg_trgm`) GIN indexes on the three columns a user search reads, so that a substring
 * search looks at the rows holding the term's trigrams instead of at every row.
 *
 * On a PostgreSQL server the indexes are built with `CREATE INDEX CONCURRENTLY`, which lets writes
 * to `users` go on while a large table is indexed. It cannot run inside a transaction, so this
 * migration opts out of one (`isTransactional`), and the migrations run one transaction each
 * (`allOrNothing: false`). A concurrent build that fails leaves an invalid index behind: a rerun
 * drops it first. The instances that wait for the migration lock do so outside any transaction
 * (see `migrate` in mikro-orm-persistence.ts), since a concurrent build waits for every
 * transaction older than itself.
 *
 * PGlite has one connection and no other writer while it migrates, and cannot build an index
 * concurrently: there the indexes are built in the migration's transaction.
 */
export class Migration20261206000000_user_search_indexes extends Migration {
  private get server(): boolean {
    return this.driver instanceof PostgreSqlDriver;
  }

  override isTransactional(): boolean {
    return !this.server;
  }

  override async up(): Promise<void> {
    this.addSql('create extension if not exists pg_trgm');
    if (!this.server) {
      for (const { name, column } of INDEXES)
        this.addSql(`create index "${name}" on "users" using gin ("${column}" gin_trgm_ops)`);
      return;
    }
    const invalid = (await this.execute(
      `select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
        where not i.indisvalid and c.relname in (${INDEXES.map((i) => `'${i.name}'`).join(', ')})`,
    )) as Array<{ name: string }>;
    for (const { name } of invalid) this.addSql(`drop index concurrently if exists "${name}"`);
    for (const { name, column } of INDEXES) {
      this.addSql(
        `create index concurrently if not exists "${name}" on "users" using gin ("${column}" gin_trgm_ops)`,
      );
    }
  }

  override async down(): Promise<void> {
    // The extension stays: something else in the database may use it.
    const concurrently = this.server ? 'concurrently ' : '';
    for (const { name } of INDEXES) this.addSql(`drop index ${concurrently}if exists "${name}"`);
  }
}
