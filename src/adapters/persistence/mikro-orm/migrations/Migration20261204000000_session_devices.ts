import { Migration } from '@mikro-orm/migrations';

/**
 * Where each session was last used: the time of its sign-in or last refresh, and the user agent
 * and address of that request, so that a user can tell their sessions apart. Sessions begun before this migration were last used, as far as anyone knows, when they
 * began; their user agent and address are unknown.
 */
export class Migration20261204000000_session_devices extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "sessions" add column "last_used_at" timestamptz(3) null`);
    this.addSql(`alter table "sessions" add column "user_agent" varchar(256) null`);
    this.addSql(`alter table "sessions" add column "ip" varchar(64) null`);
    this.addSql(`update "sessions" set "last_used_at" = "created_at"`);
    this.addSql(`alter table "sessions" alter column "last_used_at" set not null`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "sessions" drop column if exists "ip"`);
    this.addSql(`alter table "sessions" drop column if exists "user_agent"`);
    this.addSql(`alter table "sessions" drop column if exists "last_used_at"`);
  }
}
