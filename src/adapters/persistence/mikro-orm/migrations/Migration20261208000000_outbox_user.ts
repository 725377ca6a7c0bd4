import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

const FOREIGN_KEY = 'mail_outbox_user_id_fkey';

const INDEXES = [
  // Erasure (the foreign key's cascade) and the export: the rows of one user.
  { name: 'mail_outbox_user_id_idx', definition: `("user_id")` },
  // Rows queued before user_id existed, found by address; it empties as they are sent and pruned.
  { name: 'mail_outbox_legacy_recipient_idx', definition: `("recipient") where "user_id" is null` },
  // Pruning walks the oldest settled rows; the other indexes cover pending rows only.
  {
    name: 'mail_outbox_settled_idx',
    definition: `("created_at", "id") where "status" <> 'pending'`,
  },
] as const;

/**
 * `mail_outbox.user_id`: the account a mail is about, whatever address it goes to, so that erasing
 * the account deletes the notice to an address it had before (a foreign key, `on delete cascade`)
 * and the export lists it. Null in the rows queued before, which erasure and export find by the
 * account's current address. Plus the index pruning lacked.
 *
 * On a PostgreSQL server this runs outside a transaction, as `Migration20261206000000_user_search_indexes`
 * does: the indexes are built concurrently (an invalid one left by a failed build is dropped
 * first), and the foreign key is added `not valid` (a short lock on both tables, no scan) and then
 * validated (a scan that lets writes go on). Each step can be rerun. The indexes come before the
 * key, so a user deleted meanwhile never cascades through an unindexed column. PGlite does it all
 * in the migration's transaction.
 */
export class Migration20261208000000_outbox_user extends Migration {
  private get server(): boolean {
    return this.driver instanceof PostgreSqlDriver;
  }

  override isTransactional(): boolean {
    return !this.server;
  }

  override async up(): Promise<void> {
    if (!this.server) {
      this.addSql(
        `alter table "mail_outbox" add column "user_id" integer null constraint "${FOREIGN_KEY}" references "users" ("id") on update no action on delete cascade`,
      );
      for (const { name, definition } of INDEXES)
        this.addSql(`create index "${name}" on "mail_outbox" ${definition}`);
      return;
    }
    const invalid = (await this.execute(
      `select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
        where not i.indisvalid and c.relname in (${INDEXES.map((i) => `'${i.name}'`).join(', ')})`,
    )) as Array<{ name: string }>;
    const keyed = (await this.execute(
      `select 1 from pg_constraint where conname = '${FOREIGN_KEY}' and conrelid = 'mail_outbox'::regclass`,
    )) as unknown[];
    this.addSql(`alter table "mail_outbox" add column if not exists "user_id" integer null`);
    for (const { name } of invalid) this.addSql(`drop index concurrently if exists "${name}"`);
    for (const { name, definition } of INDEXES)
      this.addSql(
        `create index concurrently if not exists "${name}" on "mail_outbox" ${definition}`,
      );
    if (keyed.length === 0) {
      this.addSql(
        `alter table "mail_outbox" add constraint "${FOREIGN_KEY}" foreign key ("user_id") references "users" ("id") on update no action on delete cascade not valid`,
      );
    }
    this.addSql(`alter table "mail_outbox" validate constraint "${FOREIGN_KEY}"`);
  }

  override async down(): Promise<void> {
    const concurrently = this.server ? 'concurrently ' : '';
    for (const { name } of INDEXES) this.addSql(`drop index ${concurrently}if exists "${name}"`);
    // The foreign key goes with the column.
    this.addSql(`alter table "mail_outbox" drop column if exists "user_id"`);
  }
}
