import { Migration } from '@mikro-orm/migrations';

/**
 * `audit_events`: one row per recorded event, appended in the transaction of its change. Events
 * name users by id without a foreign key, since they outlive them. The list is newest first by
 * (occurred_at, id); each filter has an index that ends in those two columns, so a filtered first
 * page reads a few index entries whatever the size of the table, and pruning walks the oldest.
 */
export class Migration20261205000000_audit_events extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "audit_events" (
        "id" bigint generated always as identity,
        "occurred_at" timestamptz(3) not null,
        "action" varchar(64) not null,
        "actor_id" integer null,
        "subject_type" varchar(32) not null,
        "subject_id" varchar(64) null,
        "request_id" text null,
        "ip" text null,
        "changes" jsonb null,
        constraint "audit_events_pkey" primary key ("id")
      )`);
    this.addSql(
      `create index "audit_events_occurred_at_id_idx" on "audit_events" ("occurred_at", "id")`,
    );
    this.addSql(
      `create index "audit_events_actor_idx" on "audit_events" ("actor_id", "occurred_at", "id")`,
    );
    this.addSql(
      `create index "audit_events_subject_idx" on "audit_events" ("subject_type", "subject_id", "occurred_at", "id")`,
    );
    this.addSql(
      `create index "audit_events_action_idx" on "audit_events" ("action", "occurred_at", "id")`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_events"`);
  }
}
