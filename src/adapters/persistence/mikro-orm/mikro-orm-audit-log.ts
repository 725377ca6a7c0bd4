import {
  AUDIT_EXACT_COUNT_LIMIT,
  type AuditEvent,
  type AuditFilter,
  type AuditListCriteria,
  type AuditLog,
  type AuditPage,
  type AuditSliceCriteria,
  type NewAuditEvent,
} from '../../../application/ports/audit-log.js';
import type { Slice } from '../../../application/ports/views.js';
import {
  PERSONAL_FIELDS,
  type AuditAction,
  type Changes,
  type SubjectType,
} from '../../../domain/shared/domain-event.js';
import { cachedStatement, LeanSql } from './lean-sql.js';
import type { SqlOrm } from './mikro-orm-context.js';

const COLUMNS = `e.id::text as id, round(extract(epoch from e.occurred_at) * 1000)::float8 as occurred_at, e.action, e.actor_id,
  e.subject_type, e.subject_id, e.request_id, e.ip, e.changes`;

interface Row {
  readonly id: string;
  readonly occurred_at: unknown;
  readonly action: AuditAction;
  readonly actor_id: number | null;
  readonly subject_type: SubjectType;
  readonly subject_id: string | null;
  readonly request_id: string | null;
  readonly ip: string | null;
  readonly changes: Changes | string | null;
}

const INSERT_ROW = '(?::timestamptz, ?, ?, ?, ?, ?, ?, ?::jsonb)';
const INSERT_CHUNK = 16;
const ERASE = `update audit_events set ip = null, changes = (
    select jsonb_object_agg(key, case when key in (${PERSONAL_FIELDS.map((f) => `'${f}'`).join(', ')}) then '{}'::jsonb else value end)
      from jsonb_each(changes))
  where actor_id = ? or (subject_type = 'user' and subject_id = ?)`;
// SKIP LOCKED: pruners of several instances take disjoint batches instead of waiting on each other.
const PRUNE = `delete from audit_events where id in (
  select id from audit_events where occurred_at < ? order by occurred_at, id limit ? for update skip locked)`;

/** The WHERE clause of a filter over `audit_events e`, and its values in order. */
function filterClause(filter: AuditFilter): { parts: string[]; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    parts.push(sql);
    values.push(value);
  };
  if (filter.actorId !== undefined) add('e.actor_id = ?', filter.actorId);
  if (filter.subjectType !== undefined) add('e.subject_type = ?', filter.subjectType);
  if (filter.subjectId !== undefined) add('e.subject_id = ?', filter.subjectId);
  if (filter.action !== undefined) add('e.action = ?', filter.action);
  if (filter.since !== undefined)
    add('e.occurred_at >= ?::timestamptz', filter.since.toISOString());
  if (filter.until !== undefined) add('e.occurred_at < ?::timestamptz', filter.until.toISOString());
  return { parts, values };
}

const where = (parts: readonly string[]): string =>
  parts.length === 0 ? '' : `where ${parts.join(' and ')}`;

/**
 * The audit log in PostgreSQL (or PGlite). Appends and erasures run in the caller's transaction
 * when there is one, as plain statements (no savepoint: an event that cannot be written must
 * fail its unit); reads go through `LeanSql` on the read connection.
 */
export class MikroOrmAuditLog implements AuditLog {
  private readonly sql: LeanSql;

  constructor(private readonly orm: SqlOrm) {
    this.sql = new LeanSql(orm);
  }

  async append(events: readonly NewAuditEvent[]): Promise<void> {
    // At most INSERT_CHUNK rows a statement: a handful of statement texts, each prepared once. In a
    // unit of work they are held and go with its other held writes (`LeanSql.defer`).
    for (let at = 0; at < events.length; at += INSERT_CHUNK) {
      const chunk = events.slice(at, at + INSERT_CHUNK);
      await this.sql.defer({
        statements: [
          cachedStatement(
            `insert into audit_events (occurred_at, action, actor_id, subject_type, subject_id, request_id, ip, changes)
             values ${chunk.map(() => INSERT_ROW).join(', ')}`,
          ),
        ],
        table: 'audit_events',
        values: chunk.flatMap((e) => [
          e.occurredAt.toISOString(),
          e.action,
          e.actorId,
          e.subjectType,
          e.subjectId,
          e.requestId,
          e.ip,
          e.changes === null ? null : JSON.stringify(e.changes),
        ]),
      });
    }
  }

  async eraseUser(userId: number): Promise<number> {
    return this.run(ERASE, [userId, String(userId)]);
  }

  async pruneBatch(before: Date, limit: number): Promise<number> {
    return this.run(PRUNE, [before.toISOString(), limit]);
  }

  async list({ filter, page, pageSize }: AuditListCriteria): Promise<AuditPage> {
    const { parts, values } = filterClause(filter);
    const rows = await this.sql.all<Row>(
      cachedStatement(
        `select ${COLUMNS} from audit_events e ${where(parts)} order by e.occurred_at desc, e.id desc limit ? offset ?`,
      ),
      [...values, pageSize, (page - 1) * pageSize],
      'read',
    );
    // Counting every match of a large log costs more than the page itself: exact up to a bound, then the
    // planner's estimate.
    const counted = await this.sql.one<{ n: number | string }>(
      cachedStatement(
        `select count(*)::int as n from (select 1 from audit_events e ${where(parts)} limit ?) c`,
      ),
      [...values, AUDIT_EXACT_COUNT_LIMIT + 1],
      'read',
    );
    const exact = Number(counted?.n ?? 0);
    if (exact <= AUDIT_EXACT_COUNT_LIMIT)
      return { items: rows.map((row) => this.toEvent(row)), total: exact, totalExact: true };
    return {
      items: rows.map((row) => this.toEvent(row)),
      total: Math.max(exact, await this.estimate(parts, values)),
      totalExact: false,
    };
  }

  async listAfter({ filter, limit, after }: AuditSliceCriteria): Promise<Slice<AuditEvent>> {
    const { parts, values } = filterClause(filter);
    if (after !== undefined) {
      // A row comparison on (occurred_at, id) walks the same index as the ORDER BY.
      parts.push('(e.occurred_at, e.id) < (?::timestamptz, ?)');
      values.push(after.key, after.id);
    }
    const rows = await this.sql.all<Row>(
      cachedStatement(
        `select ${COLUMNS} from audit_events e ${where(parts)} order by e.occurred_at desc, e.id desc limit ?`,
      ),
      [...values, limit + 1],
      'read',
    );
    return {
      items: rows.slice(0, limit).map((row) => this.toEvent(row)),
      hasMore: rows.length > limit,
    };
  }

  /** The planner's row estimate for the filter. */
  private async estimate(parts: readonly string[], values: readonly unknown[]): Promise<number> {
    const rows = await this.orm.em
      .getConnection('read')
      .execute<{ 'QUERY PLAN': unknown }[]>(
        `explain (format json) select 1 from audit_events e ${where(parts)}`,
        [...values],
        'all',
      );
    const plan = rows[0]?.['QUERY PLAN'];
    const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as [
      { Plan: { 'Plan Rows': number } },
    ];
    return Math.round(parsed[0].Plan['Plan Rows']);
  }

  /** Runs a write in the caller's transaction, or on its own; returns the rows it touched. */
  private run(sql: string, values: readonly unknown[]): Promise<number> {
    return this.sql.run(cachedStatement(sql), values, 'write');
  }

  private toEvent(row: Row): AuditEvent {
    return {
      id: row.id,
      occurredAt: this.sql.time(row.occurred_at),
      action: row.action,
      actorId: row.actor_id,
      subjectType: row.subject_type,
      subjectId: row.subject_id,
      requestId: row.request_id,
      ip: row.ip,
      changes: typeof row.changes === 'string' ? (JSON.parse(row.changes) as Changes) : row.changes,
    };
  }
}
