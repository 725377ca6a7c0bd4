import { Migration } from '@mikro-orm/migrations';

/**
 * The users table. Email and username are unique regardless of case through unique indexes on
 * `lower(...)`, so the database itself refuses `Ada@x.io` beside `ada@x.io`. The sort indexes
 * serve the list endpoint's orders (`created_at`, `username`, `email`, each with `id` breaking
 * ties); the two text ones compare with the "C" collation, as the read model's ORDER BY does.
 */
export class Migration20260101000000_create_users extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "users" (
        "id" integer generated always as identity,
        "email" varchar(254) not null,
        "username" varchar(50) not null,
        "full_name" varchar(100) null,
        "password_hash" text not null,
        "role" text not null,
        "is_active" boolean not null,
        "created_at" timestamptz(3) not null,
        "updated_at" timestamptz(3) not null,
        "version" integer not null,
        constraint "users_pkey" primary key ("id"),
        constraint "users_role_check" check ("role" in ('user', 'moderator', 'admin'))
      )`);
    this.addSql(`create unique index "users_email_lower_key" on "users" (lower("email"))`);
    this.addSql(`create unique index "users_username_lower_key" on "users" (lower("username"))`);
    this.addSql(`create index "users_created_at_id_idx" on "users" ("created_at", "id")`);
    this.addSql(
      `create index "users_username_sort_idx" on "users" ((lower("username") collate "C"), "id")`,
    );
    this.addSql(
      `create index "users_email_sort_idx" on "users" ((lower("email") collate "C"), "id")`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "users"`);
  }
}
