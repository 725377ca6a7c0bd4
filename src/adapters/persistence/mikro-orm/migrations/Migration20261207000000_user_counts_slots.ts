import { Migration } from '@mikro-orm/migrations';

/**
 * Spreads each counter of `user_counts` over slots chosen by the writing connection
 * (`pg_backend_pid() % 16`), so that concurrent sign-ups update different rows instead of queueing
 * for one row lock held until each commit is on disk (decision 0066). A total is still a sum of a
 * few rows: at most 16 per (role, is_active). One connection always writes the same slot, so the
 * triggers keep taking their rows in (role, is_active) order and cannot deadlock.
 *
 * Rebuilding the counters by hand (after writing to `users` with triggers disabled):
 * `begin; lock table users in share row exclusive mode; delete from user_counts;
 *  insert into user_counts (role, is_active, slot, n) select role, is_active, 0, count(*) from users group by 1, 2; commit;`
 */
export class Migration20261207000000_user_counts_slots extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "user_counts" add column "slot" smallint not null default 0`);
    this.addSql(`alter table "user_counts" drop constraint "user_counts_pkey"`);
    this.addSql(
      `alter table "user_counts" add constraint "user_counts_pkey" primary key ("role", "is_active", "slot")`,
    );
    for (const sql of countingFunctions('pg_backend_pid() % 16')) this.addSql(sql);
  }

  override async down(): Promise<void> {
    for (const sql of countingFunctions(null)) this.addSql(sql);
    this.addSql(`
      create temporary table "user_counts_folded" on commit drop as
        select role, is_active, sum(n)::bigint as n from user_counts group by role, is_active`);
    this.addSql(`delete from "user_counts"`);
    this.addSql(`alter table "user_counts" drop constraint "user_counts_pkey"`);
    this.addSql(`alter table "user_counts" drop column "slot"`);
    this.addSql(
      `alter table "user_counts" add constraint "user_counts_pkey" primary key ("role", "is_active")`,
    );
    this.addSql(
      `insert into "user_counts" (role, is_active, n) select role, is_active, n from "user_counts_folded"`,
    );
  }
}

/** The trigger functions of Migration20260105000000_user_counts, writing to `slot` when given. */
function countingFunctions(slot: string | null): string[] {
  const columns = slot === null ? 'role, is_active, n' : 'role, is_active, slot, n';
  const key = slot === null ? 'role, is_active' : 'role, is_active, slot';
  const at = slot === null ? '' : `${slot}, `;
  return [
    `create or replace function user_counts_add() returns trigger language plpgsql as $body$
    begin
      insert into user_counts (${columns})
        select role, is_active, ${at}count(*) from counted_new group by role, is_active order by role, is_active
        on conflict (${key}) do update set n = user_counts.n + excluded.n;
      return null;
    end $body$`,
    `create or replace function user_counts_remove() returns trigger language plpgsql as $body$
    begin
      insert into user_counts (${columns})
        select role, is_active, ${at}-count(*) from counted_old group by role, is_active order by role, is_active
        on conflict (${key}) do update set n = user_counts.n + excluded.n;
      return null;
    end $body$`,
    `create or replace function user_counts_move() returns trigger language plpgsql as $body$
    begin
      insert into user_counts (${columns})
        select role, is_active, ${at}sum(change)
          from (select role, is_active, 1 as change from counted_new
                union all
                select role, is_active, -1 from counted_old) as changes
         group by role, is_active
        having sum(change) <> 0
         order by role, is_active
        on conflict (${key}) do update set n = user_counts.n + excluded.n;
      return null;
    end $body$`,
  ];
}
