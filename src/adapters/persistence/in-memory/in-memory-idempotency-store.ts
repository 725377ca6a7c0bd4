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
import { defineTable, type InMemoryDatabase, type TableWriter } from './in-memory-database.js';

/** A row of the in-memory `idempotency_keys`, as the SQL table has it; times in epoch milliseconds. */
export interface IdempotencyKeyRow {
  readonly id: number;
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly claim: string;
  /** Null while in flight. */
  readonly response: StoredResponse | null;
  readonly expiresAt: number;
}

export const IDEMPOTENCY_KEYS = defineTable<IdempotencyKeyRow>({
  name: 'idempotency_keys',
  unique: { idempotency_keys_pkey: (row) => `${row.scope}\u0000${row.key}` },
});

/** Expired rows are deleted at most this often, on the way of a `begin`. */
const PURGE_EVERY_MS = 60_000;

/**
 * Idempotency keys in the in-memory database, with the SQL store's behaviour: each call is one
 * atomic write, a key whose time is up counts as absent and is taken over, and expired rows are
 * purged now and then. Responses are copied in and out, so no caller shares a stored object.
 */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private lastPurge = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: InMemoryDatabase,
    private readonly clock: Clock,
  ) {}

  begin(request: IdempotencyRequest): Promise<IdempotencyBegin> {
    const now = this.clock.now().getTime();
    return this.db.write((tx) => {
      this.purgeIfDue(tx, now);
      const kept = find(tx, request.scope, request.key);
      if (kept !== undefined && kept.expiresAt > now) {
        const outcome = outcomeForKept(kept, request.fingerprint);
        return outcome.outcome === 'replay'
          ? { outcome: 'replay', response: structuredClone(outcome.response) }
          : outcome;
      }
      const claim = randomUUID();
      const row = {
        scope: request.scope,
        key: request.key,
        fingerprint: request.fingerprint,
        claim,
        response: null,
        expiresAt: now + request.leaseS * 1000,
      };
      if (kept === undefined) tx.insert(IDEMPOTENCY_KEYS, row);
      else tx.update(IDEMPOTENCY_KEYS, { ...row, id: kept.id });
      return {
        outcome: 'new',
        ticket: { scope: request.scope, key: request.key, fingerprint: request.fingerprint, claim },
      };
    });
  }

  complete(ticket: IdempotencyTicket, response: StoredResponse, ttlS: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    const kept = structuredClone(response);
    return this.db.write((tx) => {
      const row = held(tx, ticket);
      if (row === undefined) return false;
      return tx.update(IDEMPOTENCY_KEYS, { ...row, response: kept, expiresAt: now + ttlS * 1000 });
    });
  }

  release(ticket: IdempotencyTicket): Promise<boolean> {
    return this.db.write((tx) => {
      const row = held(tx, ticket);
      return row === undefined ? false : tx.delete(IDEMPOTENCY_KEYS, row.id);
    });
  }

  private purgeIfDue(tx: TableWriter, now: number): void {
    if (now - this.lastPurge < PURGE_EVERY_MS && now >= this.lastPurge) return;
    this.lastPurge = now;
    tx.deleteWhere(IDEMPOTENCY_KEYS, (row) => row.expiresAt <= now);
  }
}

function find(tx: TableWriter, scope: string, key: string): IdempotencyKeyRow | undefined {
  for (const row of tx.rows(IDEMPOTENCY_KEYS).values())
    if (row.scope === scope && row.key === key) return row;
  return undefined;
}

/** The row of the key while this claim still holds it in flight. */
function held(tx: TableWriter, ticket: IdempotencyTicket): IdempotencyKeyRow | undefined {
  const row = find(tx, ticket.scope, ticket.key);
  return row !== undefined && row.claim === ticket.claim && row.response === null ? row : undefined;
}
