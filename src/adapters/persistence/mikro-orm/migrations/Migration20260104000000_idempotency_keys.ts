import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency keys of create requests (`POST` with `Idempotency-Key`) and the responses to replay.
 *
 * The primary key `(scope, key)` is what makes a claim atomic: of two requests inserting the same
 * key, one inserts and the other conflicts (`insert ... on conflict`). A row is `in_flight` while
 * its first request runs (no status, headers or body) and `completed` with the response after;
 * `idempotency_keys_status_check` keeps the two states apart. `expires_at` ends the claim's
 * lease, then the kept response's 24 hours: a row past it counts as absent, is taken over by the
 * next request with its key, and is purged in batches through `idempotency_keys_expires_at_idx`.
 *
 * `body` is `json` rather than `jsonb`: it is only ever written and read back whole, never
 * queried, and `json` keeps the text as written, so a replay lists the fields in the order the
 * first response did.
 */
export class Migration20260104000000_idempotency_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "idempotency_keys" (
        "scope" varchar(100) not null,
        "key" varchar(255) not null,
        "fingerprint" varchar(64) not null,
        "claim" uuid not null,
        "state" text not null,
        "status" smallint null,
        "headers" jsonb null,
        "body" json null,
        "created_at" timestamptz(3) not null,
        "expires_at" timestamptz(3) not null,
        constraint "idempotency_keys_pkey" primary key ("scope", "key"),
        constraint "idempotency_keys_state_check" check ("state" in ('in_flight', 'completed')),
        constraint "idempotency_keys_status_check" check ((state = 'completed') = (status IS NOT NULL))
      )`);
    this.addSql(
      `create index "idempotency_keys_expires_at_idx" on "idempotency_keys" ("expires_at")`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_keys"`);
  }
}
