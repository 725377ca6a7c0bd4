import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

const INDEX = 'users_search_trgm_idx';

/**
 * The searched text: email, username and full name joined by U+001F, which no search term can
 * hold (text entering the API refuses control characters), so a match never straddles two fields.
 * The read model's search condition (`SEARCH_TEXT`) must be this very expression for the planner
 * to use the index.
 */
const EXPRESSION = `("email" || chr(31) || "username" || chr(31) || coalesce("full_name", ''))`;

/**
 * The planner estimates a search's matches (the `total` past the exact count) from statistics on
 * the index's expression, which only ANALYZE gathers: autovacuum would not analyze the table until
 * a tenth of it changed, and until then every estimate is a fixed guess (1,600 of a million for a
 * term matching 111,111). ANALYZE reads a sample and blocks no writes.
 */
const ANALYZE = 'analyze "users"';

/** The per-column indexes of Migration20261206000000_user_search_indexes, replaced by the one above. */
const COLUMN_INDEXES = [
  { name: 'users_email_trgm_idx', column: 'email' },
  { name: 'users_username_trgm_idx', column: 'username' },
  { name: 'users_full_name_trgm_idx', column: 'full_name' },
] as const;

/**
 * One trigram index over the three searched fields joined, instead of one per field: a search is
 * one index scan rather than a `BitmapOr` of three, and the posting lists of trigrams common to
 * the three fields are read once instead of three times (decision record: one search index).
 *
 * Like the migration it replaces, on a PostgreSQL server it runs outside a transaction and builds
 * the index `CONCURRENTLY`, first dropping one left invalid by a failed build; the three old
 * indexes are dropped (concurrently too) only after the new one is built, so searches are served
 * by an index throughout. On PGlite everything runs in the migration's transaction.
 */
export class Migration20261209000000_user_search_expression extends Migration {
  private get server(): boolean {
    return this.driver instanceof PostgreSqlDriver;
  }

  override isTransactional(): boolean {
    return !this.server;
  }

  override async up(): Promise<void> {
    if (this.server) {
      await this.dropInvalid([INDEX]);
      this.addSql(
        `create index concurrently if not exists "${INDEX}" on "users" using gin (${EXPRESSION} gin_trgm_ops)`,
      );
    } else {
      this.addSql(
        `create index if not exists "${INDEX}" on "users" using gin (${EXPRESSION} gin_trgm_ops)`,
      );
    }
    const concurrently = this.server ? 'concurrently ' : '';
    for (const { name } of COLUMN_INDEXES)
      this.addSql(`drop index ${concurrently}if exists "${name}"`);
    this.addSql(ANALYZE);
  }

  override async down(): Promise<void> {
    const concurrently = this.server ? 'concurrently ' : '';
    if (this.server) await this.dropInvalid(COLUMN_INDEXES.map((i) => i.name));
    for (const { name, column } of COLUMN_INDEXES) {
      this.addSql(
        `create index ${concurrently}if not exists "${name}" on "users" using gin ("${column}" gin_trgm_ops)`,
      );
    }
    this.addSql(`drop index ${concurrently}if exists "${INDEX}"`);
  }

  /** Drops those of `names` that a failed concurrent build left invalid, so a rerun builds them again. */
  private async dropInvalid(names: readonly string[]): Promise<void> {
    const invalid = (await this.execute(
      `select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
        where not i.indisvalid and c.relname in (${names.map((n) => `'${n}'`).join(', ')})`,
    )) as Array<{ name: string }>;
    for (const { name } of invalid) this.addSql(`drop index concurrently if exists "${name}"`);
  }
}
