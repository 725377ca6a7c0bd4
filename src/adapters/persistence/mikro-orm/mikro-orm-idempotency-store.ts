import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../application/ports/clock.js';
import {
  outcomeForKept,
  type IdempotencyBegin,
  type IdempotencyRequest,
  type IdempotencyStore,
  type IdempotencyTicket,
  type StoredResponse,
} from '../../../application/ports/idempotency-store.js';
import type { SqlOrm } from './mikro-orm-context.js';

/** Expired rows are deleted at most this often, after a `begin` that claimed a key. */
const PURGE_EVERY_MS = 60_000;
/** And at most this many at a time, so a purge is one short statement. */
const PURGE_BATCH = 1_000;

interface KeptRow {
  readonly fingerprint: string;
  readonly state: string;
  readonly status: number | string | null;
  readonly headers: unknown;
  readonly body: unknown;
  readonly live: boolean;
}

/**
 * Idempotency keys in PostgreSQL (or PGlite), one explicit statement per step, each committed on
 * its own: the claim must be visible to other requests while the work it guards runs, and must
 * outlive that work's transaction whether it commits or not.
 *
 * `begin` is an `insert ... on conflict (scope, key) do update ... where expires_at <= now`: it
 * inserts a free key, takes over one whose time is up, and leaves a live one alone, atomically,
 * so of concurrent requests with one key exactly one gets the claim. Whoever did not get it reads
 * the row to tell a replay from a request in flight or a mismatch. `complete` and `release` apply
 * only while the row still carries the caller's claim and is in flight.
 */
export class MikroOrmIdempotencyStore implements IdempotencyStore {
  private lastPurge = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly orm: SqlOrm,
    private readonly clock: Clock,
  ) {}

  async begin(request: IdempotencyRequest): Promise<IdempotencyBegin> {
    // A row released between the insert and the read is gone: try again (a few times at most).
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const now = this.clock.now();
      const claim = randomUUID();
      const claimed = await this.execute(
        `insert into "idempotency_keys" as k ("scope", "key", "fingerprint", "claim", "state", "created_at", "expires_at")
         values (?, ?, ?, ?, 'in_flight', ?::timestamptz, ?::timestamptz)
         on conflict ("scope", "key") do update
           set "fingerprint" = excluded."fingerprint", "claim" = excluded."claim", "state" = 'in_flight', "status" = null,
               "headers" = null, "body" = null, "created_at" = excluded."created_at", "expires_at" = excluded."expires_at"
           where k."expires_at" <= excluded."created_at"
         returning "claim"`,
        [
          request.scope,
          request.key,
          request.fingerprint,
          claim,
          now.toISOString(),
          new Date(now.getTime() + request.leaseS * 1000).toISOString(),
        ],
      );
      if (claimed.length === 1) {
        await this.purgeIfDue(now);
        return {
          outcome: 'new',
          ticket: {
            scope: request.scope,
            key: request.key,
            fingerprint: request.fingerprint,
            claim,
          },
        };
      }
      const [row] = (await this.execute(
        `select "fingerprint", "state", "status", "headers", "body", "expires_at" > ?::timestamptz as "live"
           from "idempotency_keys" where "scope" = ? and "key" = ?`,
        [now.toISOString(), request.scope, request.key],
      )) as unknown as KeptRow[];
      if (row === undefined || !row.live) continue;
      return outcomeForKept(
        { fingerprint: row.fingerprint, response: responseOf(row) },
        request.fingerprint,
      );
    }
    throw new Error('The idempotency key kept changing while it was being claimed');
  }

  async complete(
    ticket: IdempotencyTicket,
    response: StoredResponse,
    ttlS: number,
  ): Promise<boolean> {
    const expiresAt = new Date(this.clock.now().getTime() + ttlS * 1000);
    const updated = await this.execute(
      `update "idempotency_keys" set "state" = 'completed', "status" = ?, "headers" = ?::jsonb, "body" = ?::json, "expires_at" = ?::timestamptz
        where "scope" = ? and "key" = ? and "claim" = ? and "state" = 'in_flight'
        returning 1 as "done"`,
      [
        response.status,
        JSON.stringify(response.headers),
        JSON.stringify(response.body ?? null),
        expiresAt.toISOString(),
        ticket.scope,
        ticket.key,
        ticket.claim,
      ],
    );
    return updated.length === 1;
  }

  async release(ticket: IdempotencyTicket): Promise<boolean> {
    const deleted = await this.execute(
      `delete from "idempotency_keys" where "scope" = ? and "key" = ? and "claim" = ? and "state" = 'in_flight' returning 1 as "done"`,
      [ticket.scope, ticket.key, ticket.claim],
    );
    return deleted.length === 1;
  }

  /** Deletes a batch of expired rows, at most once a minute by the clock. */
  private async purgeIfDue(now: Date): Promise<void> {
    const at = now.getTime();
    if (at - this.lastPurge < PURGE_EVERY_MS && at >= this.lastPurge) return;
    this.lastPurge = at;
    await this.execute(
      `delete from "idempotency_keys" where ("scope", "key") in (
         select "scope", "key" from "idempotency_keys" where "expires_at" <= ?::timestamptz limit ${PURGE_BATCH})`,
      [now.toISOString()],
    );
  }

  /** One statement in a transaction of its own, never the caller's unit of work. */
  private execute(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    return this.orm.em.getConnection('write').execute(sql, params, 'all') as Promise<
      Record<string, unknown>[]
    >;
  }
}

function responseOf(row: KeptRow): StoredResponse | null {
  if (row.state !== 'completed' || row.status === null) return null;
  return {
    status: Number(row.status),
    // Both drivers (pg, PGlite) hand `json` and `jsonb` over parsed.
    headers: (row.headers ?? {}) as Record<string, string>,
    body: row.body ?? null,
  };
}
