import { Migration } from '@mikro-orm/migrations';

/**
 * `user_counts`: how many users there are per (role, is_active), kept exact by statement-level
 * triggers on `users`, so that the `total` of a page of users without a search is a sum over at
 * most six rows instead of a count over every user (a million rows took PostgreSQL tens of
 * milliseconds of CPU per page).
 *
 * - Each trigger runs once per statement over its transition table, so a bulk insert updates each
 *   counter once. Each writes its counters with one `insert ... on conflict do update` in
 *   (role, is_active) order, so two statements lock counter rows in the same order and cannot
 *   deadlock on them.
 * - An update moves a user between counters only when its role or activity changed: the net
 *   change per counter is computed and counters whose change is zero are not written (a profile
 *   edit touches no counter).
 * - The counters are rows of the writing transaction: a rollback undoes them, and a reader sees
 *   the counts of its own snapshot, like a `count(*)` would.
 * - The triggers are created before the counters are filled, in the migration's transaction:
 *   `create trigger` locks out writers to `users` until it commits, so no write is missed or
 *   counted twice.
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
    this.addSql(`create trigger users_count_truncate after truncate on "users" for each statement execute function user_counts_clear()`);
    this.addSql(`insert into user_counts (role, is_active, n) select role, is_active, count(*) from "users" group by role, is_active`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists users_count_insert on "users"');
    this.addSql('drop trigger if exists users_count_delete on "users"');
    this.addSql('drop trigger if exists users_count_update on "users"');
    this.addSql('drop trigger if exists users_count_truncate on "users"');
    this.addSql('drop function if exists user_counts_add(), user_counts_remove(), user_counts_move(), user_counts_clear()');
    this.addSql('drop table if exists "user_counts"');
  }
}
