import { EntitySchema } from '@mikro-orm/core';

export const IDEMPOTENCY_KEY_STATES = ['in_flight', 'completed'] as const;

/**
 * A row of `idempotency_keys`: a key a caller sent with a create request, the request it was
 * first used for (its fingerprint), and, once the request has completed, the response to replay.
 * It never leaves the adapter, which reads and writes it with explicit statements.
 */
export class IdempotencyKeyRecord {
  /** Whose key it is: `user:<id>` or `address:<ip>`. */
  scope!: string;
  key!: string;
  fingerprint!: string;
  /** The claim of the request working under the key (a UUID), so a late one cannot overwrite a newer. */
  claim!: string;
  state!: (typeof IDEMPOTENCY_KEY_STATES)[number];
  /** Set once completed. */
  status!: number | null;
  headers!: Record<string, string> | null;
  /** `json`, not `jsonb`: the text is kept as written, so a replay has the keys in the first order. */
  body!: unknown;
  createdAt!: Date;
  /** The end of the claim's lease while in flight, of the kept response once completed. */
  expiresAt!: Date;
}

/**
 * The mapping mirrors `Migration20260104000000_idempotency_keys` to the constraint, so MikroORM's
 * schema diff against a migrated database stays empty.
 */
export const IdempotencyKeySchema = new EntitySchema<IdempotencyKeyRecord>({
  class: IdempotencyKeyRecord,
  tableName: 'idempotency_keys',
  indexes: [{ name: 'idempotency_keys_expires_at_idx', properties: ['expiresAt'] }],
  checks: [
    {
      name: 'idempotency_keys_status_check',
      expression: `(state = 'completed') = (status IS NOT NULL)`,
    },
  ],
  properties: {
    scope: { type: 'string', length: 100, primary: true },
    key: { type: 'string', length: 255, primary: true },
    fingerprint: { type: 'string', length: 64 },
    claim: { type: 'uuid' },
    state: { type: 'text', enum: true, items: () => [...IDEMPOTENCY_KEY_STATES] },
    status: { type: 'smallint', nullable: true },
    headers: { type: 'json', columnType: 'jsonb', nullable: true },
    body: { type: 'json', columnType: 'json', nullable: true },
    createdAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    expiresAt: { type: 'datetime', columnType: 'timestamptz(3)' },
  },
});
