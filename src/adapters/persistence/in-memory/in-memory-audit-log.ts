import type {
  AuditEvent,
  AuditFilter,
  AuditListCriteria,
  AuditLog,
  AuditPage,
  AuditSliceCriteria,
  NewAuditEvent,
} from '../../../application/ports/audit-log.js';
import type { Slice } from '../../../application/ports/views.js';
import { erasePersonalValues } from '../../../domain/shared/domain-event.js';
import { defineTable, type InMemoryDatabase } from './in-memory-database.js';

/** A row of the in-memory `audit_events`, mirroring the SQL table: ids are numbers, times epoch milliseconds. */
type AuditRow = Omit<AuditEvent, 'id' | 'occurredAt'> & {
  readonly id: number;
  readonly occurredAt: number;
};

const AUDIT_EVENTS = defineTable<AuditRow>({ name: 'audit_events', unique: {} });

const toEvent = (row: AuditRow): AuditEvent => ({
  id: String(row.id),
  occurredAt: new Date(row.occurredAt),
  action: row.action,
  actorId: row.actorId,
  subjectType: row.subjectType,
  subjectId: row.subjectId,
  requestId: row.requestId,
  ip: row.ip,
  changes: row.changes,
});

const matches =
  (filter: AuditFilter) =>
  (row: AuditRow): boolean =>
    (filter.actorId === undefined || row.actorId === filter.actorId) &&
    (filter.subjectType === undefined || row.subjectType === filter.subjectType) &&
    (filter.subjectId === undefined || row.subjectId === filter.subjectId) &&
    (filter.action === undefined || row.action === filter.action) &&
    (filter.since === undefined || row.occurredAt >= filter.since.getTime()) &&
    (filter.until === undefined || row.occurredAt < filter.until.getTime());

/** Newest first: by time, then by id, both descending. */
const newestFirst = (a: AuditRow, b: AuditRow): number =>
  b.occurredAt - a.occurredAt || b.id - a.id;

/** The audit log in the in-memory database: its writes join the caller's unit of work. */
export class InMemoryAuditLog implements AuditLog {
  constructor(private readonly db: InMemoryDatabase) {}

  async append(events: readonly NewAuditEvent[]): Promise<void> {
    await this.db.write((writer) => {
      for (const event of events) {
        writer.insert(AUDIT_EVENTS, {
          occurredAt: event.occurredAt.getTime(),
          action: event.action,
          actorId: event.actorId,
          subjectType: event.subjectType,
          subjectId: event.subjectId,
          requestId: event.requestId,
          ip: event.ip,
          changes: event.changes === null ? null : structuredClone(event.changes),
        });
      }
    });
  }

  async eraseUser(userId: number): Promise<number> {
    const subjectId = String(userId);
    return this.db.write((writer) => {
      const about = [...writer.rows(AUDIT_EVENTS).values()].filter(
        (row) =>
          row.actorId === userId || (row.subjectType === 'user' && row.subjectId === subjectId),
      );
      for (const row of about)
        writer.update(AUDIT_EVENTS, {
          ...row,
          ip: null,
          changes: erasePersonalValues(row.changes),
        });
      return about.length;
    });
  }

  async pruneBatch(before: Date, limit: number): Promise<number> {
    return this.db.write((writer) => {
      const doomed = [...writer.rows(AUDIT_EVENTS).values()]
        .filter((row) => row.occurredAt < before.getTime())
        .sort((a, b) => -newestFirst(a, b))
        .slice(0, limit);
      for (const row of doomed) writer.delete(AUDIT_EVENTS, row.id);
      return doomed.length;
    });
  }

  async list({ filter, page, pageSize }: AuditListCriteria): Promise<AuditPage> {
    const rows = this.matching(filter);
    const start = (page - 1) * pageSize;
    return {
      items: rows.slice(start, start + pageSize).map(toEvent),
      total: rows.length,
      totalExact: true,
    };
  }

  async listAfter({ filter, limit, after }: AuditSliceCriteria): Promise<Slice<AuditEvent>> {
    let rows = this.matching(filter);
    if (after !== undefined) {
      const key = Date.parse(after.key);
      rows = rows.filter(
        (row) => row.occurredAt < key || (row.occurredAt === key && row.id < after.id),
      );
    }
    return { items: rows.slice(0, limit).map(toEvent), hasMore: rows.length > limit };
  }

  private matching(filter: AuditFilter): AuditRow[] {
    return [...this.db.rows(AUDIT_EVENTS).values()].filter(matches(filter)).sort(newestFirst);
  }
}
