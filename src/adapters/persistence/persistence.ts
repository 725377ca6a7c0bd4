import type { AuditLog } from '../../application/ports/audit-log.js';
import type { OrderReadModel } from '../../application/ports/order-read-model.js';
import type { OrderRepository } from '../../application/ports/order-repository.js';
import type { AuthReadModel } from '../../application/ports/auth-read-model.js';
import type { Clock } from '../../application/ports/clock.js';
import type { EmailTokenRepository } from '../../application/ports/email-tokens.js';
import type { Outbox, OutboxQueue } from '../../application/ports/outbox.js';
import type { IdempotencyStore } from '../../application/ports/idempotency-store.js';
import type { SessionReadModel } from '../../application/ports/session-read-model.js';
import type { SessionRepository } from '../../application/ports/session-repository.js';
import type { UnitOfWork } from '../../application/ports/unit-of-work.js';
import type { UserReadModel } from '../../application/ports/user-read-model.js';
import type { UserRepository } from '../../application/ports/user-repository.js';

/**
 * Everything a storage offers the core, opened together so that the ports share one store and
 * one notion of a unit of work. The composition root picks the storage; the core sees only ports.
 */
export interface Persistence {
  readonly users: UserRepository;
  readonly userReadModel: UserReadModel;
  readonly orders: OrderRepository;
  readonly orderReadModel: OrderReadModel;
  readonly sessions: SessionRepository;
  readonly sessionReadModel: SessionReadModel;
  readonly authReadModel: AuthReadModel;
  readonly unitOfWork: UnitOfWork;
  readonly emailTokens: EmailTokenRepository;
  /** Mails written with the changes that cause them, and the dispatcher's side of them. */
  readonly outbox: Outbox & OutboxQueue;
  /** Its writes join the unit of work, so an event commits with its change. */
  readonly auditLog: AuditLog;
  /** Idempotency keys kept in this store, timed by `clock` (the service's). */
  idempotencyStore(clock: Clock): IdempotencyStore;
  /** The connection pool's use now (for the metrics); absent or null for a store without a pool. */
  poolUse?(): { readonly inUse: number; readonly waiting: number } | null;
  /**
   * Gives back memory that opening the store used and serving does not need (the embedded store's
   * thread collects its heap); a no-op for a store with nothing to give back.
   */
  settle?(): Promise<void>;
  /** Resolves when the store answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A storage that can also be emptied in place: every row of every table goes and id sequences
 * start over. For tests and local resets; the service never wires it.
 */
export interface ClearablePersistence extends Persistence {
  clear(): Promise<void>;
}
