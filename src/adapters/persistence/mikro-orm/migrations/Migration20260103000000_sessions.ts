import { Migration } from '@mikro-orm/migrations';

/**
 * Sessions and their refresh tokens, and the time of a user's last password change.
 *
 * A session belongs to a user and goes with it; its refresh tokens go with the session (both
 * `on delete cascade`). Refresh tokens are kept as SHA-256 hashes only, the hash being the primary
 * key (the lookup of every refresh and logout). A session has at most one unspent token
 * (`refresh_tokens_session_id_current_key`, a partial unique index), so two rotations of one token
 * cannot both leave a current token behind. `sessions_user_id_idx` serves revoking a user's
 * sessions and the cascade from `users`; `refresh_tokens_session_id_idx` the cascade from
 * `sessions`.
 *
 * `users.password_changed_at` is null until the first change; access tokens issued and sessions
 * begun before it no longer count.
 */
export class Migration20260103000000_sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "password_changed_at" timestamptz(3) null`);
    this.addSql(`
      create table "sessions" (
        "id" uuid not null,
        "user_id" integer not null,
        "created_at" timestamptz(3) not null,
        "expires_at" timestamptz(3) not null,
        "revoked_at" timestamptz(3) null,
        constraint "sessions_pkey" primary key ("id"),
        constraint "sessions_user_id_fkey" foreign key ("user_id") references "users" ("id") on update no action on delete cascade
      )`);
    this.addSql(`create index "sessions_user_id_idx" on "sessions" ("user_id")`);
    this.addSql(`
      create table "refresh_tokens" (
        "hash" text not null,
        "session_id" uuid not null,
        "issued_at" timestamptz(3) not null,
        "spent_at" timestamptz(3) null,
        constraint "refresh_tokens_pkey" primary key ("hash"),
        constraint "refresh_tokens_session_id_fkey" foreign key ("session_id") references "sessions" ("id") on update no action on delete cascade
      )`);
    this.addSql(`create index "refresh_tokens_session_id_idx" on "refresh_tokens" ("session_id")`);
    this.addSql(
      `create unique index "refresh_tokens_session_id_current_key" on "refresh_tokens" ("session_id") where "spent_at" is null`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "refresh_tokens"`);
    this.addSql(`drop table if exists "sessions"`);
    this.addSql(`alter table "users" drop column if exists "password_changed_at"`);
  }
}
