import type { UnitOfWork } from '../../../application/ports/unit-of-work.js';
import type { InMemoryDatabase } from './in-memory-database.js';

/** A unit of work is one transaction of the in-memory database; a nested `run` joins the outer one. */
export class InMemoryUnitOfWork implements UnitOfWork {
  constructor(private readonly db: InMemoryDatabase) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }
}
