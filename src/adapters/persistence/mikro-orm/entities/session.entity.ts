import { EntitySchema } from '@mikro-orm/core';

/** A row of `sessions`: one sign-in. It never leaves the adapter. */
export class SessionRecord {
  /** A UUID. */
  id!: string;
  userId!: number;
  createdAt!: Date;
  /** Absolute end of the session. */
  expiresAt!: Date;
  revokedAt!: Date | null;
  /** The sign-in or the last refresh, and the user agent and address it came from. */
  lastUsedAt!: Date;
  userAgent!: string | null;
  ip!: string | null;
}

/**
 * A row of `refresh_tokens`: one refresh token of a session, known by its SHA-256 (base64url).
 * The session's current token is its one row with no `spent_at`; the spent ones stay, so that
 * presenting one again is recognised as reuse.
 */
export class RefreshTokenRecord {
  hash!: string;
  sessionId!: string;
  issuedAt!: Date;
  spentAt!: Date | null;
}

/**
 * The mappings mirror the migrations (`Migration20260103000000_sessions`,
 * `Migration20261204000000_session_devices`) to the constraint, so MikroORM's schema diff against
 * a migrated database stays empty. Relations name their targets by entity name, so this file and
 * `user.entity.ts` (which lists every entity) do not import each other.
 */
export const SessionSchema = new EntitySchema<SessionRecord>({
  class: SessionRecord,
  tableName: 'sessions',
  indexes: [{ name: 'sessions_user_id_idx', properties: ['userId'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    userId: {
      kind: 'm:1',
      entity: 'UserRecord',
      fieldName: 'user_id',
      foreignKeyName: 'sessions_user_id_fkey',
      deleteRule: 'cascade',
      updateRule: 'no action',
      cascade: [],
    },
    createdAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    expiresAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    revokedAt: { type: 'datetime', columnType: 'timestamptz(3)', nullable: true },
    lastUsedAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    userAgent: { type: 'string', columnType: 'varchar(256)', length: 256, nullable: true },
    ip: { type: 'string', columnType: 'varchar(64)', length: 64, nullable: true },
  },
});

export const RefreshTokenSchema = new EntitySchema<RefreshTokenRecord>({
  class: RefreshTokenRecord,
  tableName: 'refresh_tokens',
  indexes: [{ name: 'refresh_tokens_session_id_idx', properties: ['sessionId'] }],
  uniques: [
    {
      name: 'refresh_tokens_session_id_current_key',
      expression:
        'create unique index "refresh_tokens_session_id_current_key" on "refresh_tokens" ("session_id") where "spent_at" is null',
    },
  ],
  properties: {
    hash: { type: 'text', primary: true },
    sessionId: {
      kind: 'm:1',
      entity: 'SessionRecord',
      fieldName: 'session_id',
      foreignKeyName: 'refresh_tokens_session_id_fkey',
      deleteRule: 'cascade',
      updateRule: 'no action',
      cascade: [],
    },
    issuedAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    spentAt: { type: 'datetime', columnType: 'timestamptz(3)', nullable: true },
  },
});
