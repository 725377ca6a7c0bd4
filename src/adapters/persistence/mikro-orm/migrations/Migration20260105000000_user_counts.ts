import { Migration } from '@mikro-orm/migrations';

/**
 * `user_counts`: users per (role, is_active), kept exact by statement-level triggers on `users` in
 * the writing transaction, so a page's `total` is a sum over a few rows (decision 0014). Counters
 * are written in (role, is_active) order so triggers cannot deadlock, and only when they change.
 * The triggers are created before the counters are filled, in this migration's transaction, so no
 * write is missed or counted twice.
 *
 * Rebuilding the counters by hand (after writing to `users` with triggers disabled):
 * `begin; lock table users in share row exclusive mode; delete from user_counts;
 *  insert into user_counts select role, is_active, count(*) from users group by 1, 2; commit;`
 */
export class Migration20260105000000_user_counts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "user_counts" (
        "role" text not null,
        "is_active" boolean not null,
        "n" bigint not null,
        constraint "user_counts_pkey" primary key ("role", "is_active")
      )`);
    this.addSql(`
      create function user_counts_add() returns trigger language plpgsql as $body$
      begin
        insert into user_counts (role, is_active, n)
          select role, is_active, count(*) from counted_new group by role, is_active order by role, is_active
          on conflict (role, is_active) do update set n = user_counts.n + excluded.n;
        return null;
      end $body$`);
    this.addSql(`
      create function user_counts_remove() returns trigger language plpgsql as $body$
      begin
        insert into user_counts (role, is_active, n)
          select role, is_active, -count(*) from counted_old group by role, is_active order by role, is_active
          on conflict (role, is_active) do update set n = user_counts.n + excluded.n;
        return null;
      end $body$`);
    this.addSql(`
      create function user_counts_move() returns trigger language plpgsql as $body$
      begin
        insert into user_counts (role, is_active, n)
          select role, is_active, sum(change)
            from (select role, is_active, 1 as change from counted_new
                  union all
                  select role, is_active, -1 from counted_old) as changes
           group by role, is_active
          having sum(change) <> 0
           order by role, is_active
          on conflict (role, is_active) do update set n = user_counts.n + excluded.n;
        return null;
      end $body$`);
    this.addSql(`
      create function user_counts_clear() returns trigger language plpgsql as $body$
      begin
        delete from user_counts;
        return null;
      end $body$`);
    this.addSql(`create trigger users_count_insert after insert on "users" referencing new table as counted_new
      for each statement execute function user_counts_add()`);
    this.addSql(`create trigger users_count_delete after delete on "users" referencing old table as counted_old
      for each statement execute function user_counts_remove()`);
    this.addSql(`create trigger users_count_update after update on "users" referencing old table as counted_old new table as counted_new
      for each statement execute function user_counts_move()`);
    this.addSql(
      `create trigger users_count_truncate after truncate on "users" for each statement execute function user_counts_clear()`,
    );
    this.addSql(
      `insert into user_counts (role, is_active, n) select role, is_active, count(*) from "users" group by role, is_active`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists users_count_insert on "users"');
    this.addSql('drop trigger if exists users_count_delete on "users"');
    this.addSql('drop trigger if exists users_count_update on "users"');
    this.addSql('drop trigger if exists users_count_truncate on "users"');
    this.addSql(
      'drop function if exists user_counts_add(), user_counts_remove(), user_counts_move(), user_counts_clear()',
    );
    this.addSql('drop table if exists "user_counts"');
  }
}
