import { EntitySchema } from '@mikro-orm/core';
import type { Changes } from '../../../../domain/shared/domain-event.js';

/** A row of `audit_events`. It never leaves the adapter, which writes and reads it with explicit statements. */
export class AuditEventRecord {
  /** bigint: read as a string. */
  id!: string;
  occurredAt!: Date;
  action!: string;
  /** No foreign key: events outlive the users they name. */
  actorId!: number | null;
  subjectType!: string;
  subjectId!: string | null;
  requestId!: string | null;
  ip!: string | null;
  changes!: Changes | null;
}

/**
 * The mapping mirrors `Migration20261205000000_audit_events` to the index, so MikroORM's schema
 * diff against a migrated database stays empty.
 */
export const AuditEventSchema = new EntitySchema<AuditEventRecord>({
  class: AuditEventRecord,
  tableName: 'audit_events',
  indexes: [
    { name: 'audit_events_occurred_at_id_idx', properties: ['occurredAt', 'id'] },
    { name: 'audit_events_actor_idx', properties: ['actorId', 'occurredAt', 'id'] },
    {
      name: 'audit_events_subject_idx',
      properties: ['subjectType', 'subjectId', 'occurredAt', 'id'],
    },
    { name: 'audit_events_action_idx', properties: ['action', 'occurredAt', 'id'] },
  ],
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true, generated: 'identity' },
    occurredAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    action: { type: 'string', length: 64 },
    actorId: { type: 'integer', nullable: true },
    subjectType: { type: 'string', length: 32 },
    subjectId: { type: 'string', length: 64, nullable: true },
    requestId: { type: 'text', nullable: true },
    ip: { type: 'text', nullable: true },
    changes: { type: 'json', columnType: 'jsonb', nullable: true },
  },
});
