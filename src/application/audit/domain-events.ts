import { AsyncLocalStorage } from 'node:async_hooks';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { AuditLog, NewAuditEvent } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { token } from '../ports/injection.js';
import { currentContext } from './command-context.js';

/** The events recorded so far by the unit of work in progress. */
interface Pending {
  readonly events: DomainEvent[];
}

/**
 * Collects the domain events of a unit of work and writes them to the audit log inside it, just
 * before it commits: the events and the change commit together or not at all (`auditing`).
 * Each event is stamped with the time and the command's context (actor, request id, address).
 */
export class DomainEvents {
  private readonly pending = new AsyncLocalStorage<Pending>();

  constructor(
    private readonly log: AuditLog,
    private readonly clock: Clock,
  ) {}

  /**
   * Adds events to the unit of work in progress. Outside one they would be lost, so that is a
   * mistake of the caller: it throws.
   */
  record(...events: readonly DomainEvent[]): void {
    this.requireUnit();
    this.pending.getStore()!.events.push(...events);
  }

  /** Throws unless a unit of work is in progress: called before a write whose events will follow. */
  requireUnit(): void {
    if (this.pending.getStore() === undefined)
      throw new Error('A change that records events must run in a unit of work');
  }

  /** Writes events at once, in a transaction of their own: for what changes no row (a failed sign-in). */
  async writeAlone(...events: readonly DomainEvent[]): Promise<void> {
    await this.log.append(this.stamp(events));
  }

  /** The unit of work that writes its recorded events before it commits. */
  auditing(inner: UnitOfWork): UnitOfWork {
    return {
      run: <T>(work: () => Promise<T>): Promise<T> => {
        // A nested unit joins the outer one, whose events these become.
        if (this.pending.getStore() !== undefined) return inner.run(work);
        // A fresh list for every attempt: a unit retried after a deadlock records anew.
        return inner.run(() =>
          this.pending.run({ events: [] }, async () => {
            const result = await work();
            const events = this.pending.getStore()!.events;
            if (events.length > 0) await this.log.append(this.stamp(events));
            return result;
          }),
        );
      },
    };
  }

  private stamp(events: readonly DomainEvent[]): NewAuditEvent[] {
    const context = currentContext();
    const occurredAt = this.clock.now();
    return events.map((event) => ({
      occurredAt,
      action: event.action,
      actorId: context.actorId ?? event.actorId ?? null,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      requestId: context.requestId,
      ip: context.ip,
      changes: event.changes ?? null,
    }));
  }
}

export const DOMAIN_EVENTS = token<DomainEvents>('DomainEvents');
