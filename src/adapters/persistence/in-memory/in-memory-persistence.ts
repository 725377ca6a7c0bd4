import type { ClearablePersistence } from '../persistence.js';
import { InMemoryAuditLog } from './in-memory-audit-log.js';
import { InMemoryDatabase } from './in-memory-database.js';
import { InMemoryOrderReadModel } from './in-memory-order-read-model.js';
import { InMemoryOrderRepository } from './in-memory-order-repository.js';
import { InMemoryAuthReadModel } from './in-memory-auth-read-model.js';
import { InMemoryIdempotencyStore } from './in-memory-idempotency-store.js';
import { InMemorySessionRepository } from './in-memory-session-repository.js';
import { InMemorySessionReadModel } from './in-memory-session-read-model.js';
import { InMemoryUnitOfWork } from './in-memory-unit-of-work.js';
import { InMemoryUserReadModel } from './in-memory-user-read-model.js';
import { InMemoryUserRepository } from './in-memory-user-repository.js';
import { InMemoryEmailTokenRepository, InMemoryOutbox } from './in-memory-mail.js';

/** A fresh, empty in-memory store: every port over one in-memory database. */
export function createInMemoryPersistence(
  options: { readonly exactCountLimit?: number } = {},
): ClearablePersistence {
  const db = new InMemoryDatabase();
  let closed = false;
  return {
    users: new InMemoryUserRepository(db),
    userReadModel: new InMemoryUserReadModel(db, options.exactCountLimit),
    orders: new InMemoryOrderRepository(db),
    orderReadModel: new InMemoryOrderReadModel(db),
    sessions: new InMemorySessionRepository(db),
    sessionReadModel: new InMemorySessionReadModel(db),
    authReadModel: new InMemoryAuthReadModel(db),
    unitOfWork: new InMemoryUnitOfWork(db),
    emailTokens: new InMemoryEmailTokenRepository(db),
    outbox: new InMemoryOutbox(db),
    auditLog: new InMemoryAuditLog(db),
    idempotencyStore: (clock) => new InMemoryIdempotencyStore(db, clock),
    async ping() {
      if (closed) throw new Error('The in-memory store is closed');
    },
    async close() {
      closed = true;
    },
    clear: () => db.clear(),
  };
}
