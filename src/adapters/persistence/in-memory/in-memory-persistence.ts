import type { ClearablePersistence } from '../persistence.js';
import { InMemoryDatabase } from './in-memory-database.js';
import { InMemoryUnitOfWork } from './in-memory-unit-of-work.js';
import { InMemoryUserReadModel } from './in-memory-user-read-model.js';
import { InMemoryUserRepository } from './in-memory-user-repository.js';

/** A fresh, empty in-memory store: every port over one in-memory database. */
export function createInMemoryPersistence(): ClearablePersistence {
  const db = new InMemoryDatabase();
  let closed = false;
  return {
    users: new InMemoryUserRepository(db),
    userReadModel: new InMemoryUserReadModel(db),
    unitOfWork: new InMemoryUnitOfWork(db),
    async ping() {
      if (closed) throw new Error('The in-memory store is closed');
    },
    async close() {
      closed = true;
    },
    clear: () => db.clear(),
  };
}
