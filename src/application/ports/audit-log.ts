import type { AuditAction, Changes, SubjectType } from '../../domain/shared/domain-event.js';
import { token } from './injection.js';
import type { Page, PageRequest, Slice } from './views.js';

/** One recorded event, as stored and as listed. */
export interface AuditEvent {
  /** A decimal integer, increasing with each event written. */
  readonly id: string;
  readonly occurredAt: Date;
  readonly action: AuditAction;
  /** Who acted; null for a sign-in failure or a command run with no user (start-up, the CLI). */
  readonly actorId: number | null;
  readonly subjectType: SubjectType;
  readonly subjectId: string | null;
  readonly requestId: string | null;
  /** Null once the actor or the subject has been erased. */
  readonly ip: string | null;
  readonly changes: Changes | null;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

export interface AuditFilter {
  readonly actorId?: number;
  readonly subjectType?: SubjectType;
  readonly subjectId?: string;
  readonly action?: AuditAction;
  /** Inclusive. */
  readonly since?: Date;
  /** Exclusive. */
  readonly until?: Date;
}

/** Where a keyset list of events stands: the last event seen. Events are listed newest first. */
export interface AuditPosition {
  /** occurred_at as an ISO string. */
  readonly key: string;
  readonly id: number;
}

export interface AuditListCriteria extends PageRequest {
  readonly filter: AuditFilter;
}

export interface AuditSliceCriteria {
  readonly filter: AuditFilter;
  readonly limit: number;
  readonly after?: AuditPosition;
}

/** A page's total: exact up to a bound, then an estimate. */
export interface AuditPage extends Page<AuditEvent> {
  readonly totalExact: boolean;
}

/** How many matching events a page counts exactly before it estimates. */
export const AUDIT_EXACT_COUNT_LIMIT = 10_000;

export const auditPosition = (event: AuditEvent): AuditPosition => ({
  key: event.occurredAt.toISOString(),
  id: Number(event.id),
});

/**
 * The audit log: events are appended, never changed, except that erasure removes personal values
 * and pruning removes the oldest. `append` and `eraseUser` join the caller's unit of work, so an
 * event commits with its change or not at all; outside one each call is its own transaction.
 */
export interface AuditLog {
  append(events: readonly NewAuditEvent[]): Promise<void>;
  /**
   * Keeps the events about the user (as subject or as actor) and their ids, but removes their
   * personal values: the address, and the values of email, username and full name in changes.
   * Returns how many events it changed.
   */
  eraseUser(userId: number): Promise<number>;
  /**
   * Deletes up to `limit` events that occurred before `before`, oldest first, in one short
   * transaction; events another pruner holds are skipped. Returns how many went.
   */
  pruneBatch(before: Date, limit: number): Promise<number>;
  /** Newest first: numbered pages with a total (API v1). */
  list(criteria: AuditListCriteria): Promise<AuditPage>;
  /** Newest first: keyset slices after a position (API v2). */
  listAfter(criteria: AuditSliceCriteria): Promise<Slice<AuditEvent>>;
}

export const AUDIT_LOG = token<AuditLog>('AuditLog');
