import { DeadlockException } from '@mikro-orm/core';
import type { UnitOfWork } from '../../../application/ports/unit-of-work.js';
import { HeldWriteList, LeanSql } from './lean-sql.js';
import { heldWrites, transactionEntityManager, type SqlOrm } from './mikro-orm-context.js';

/**
 * PostgreSQL's codes for a transaction it aborted to let others go on: deadlock_detected and
 * serialization_failure. MikroORM turns both into a DeadlockException where it converts errors;
 * a query builder's execute() passes the driver's error through as it is, so the code is checked too.
 */
const RETRYABLE_CODES = new Set(['40P01', '40001']);

const mustRetry = (error: unknown): boolean =>
  error instanceof DeadlockException ||
  (error instanceof Error && RETRYABLE_CODES.has(String((error as { code?: unknown }).code)));

/**
 * A unit of work is one database transaction on a fork of the EntityManager. Inside it, MikroORM's
 * TransactionContext resolves the unit's EntityManager for the repositories and the read model; a
 * nested `run` joins the outer transaction.
 *
 * When PostgreSQL aborts the transaction to break a deadlock (two units each holding a row the
 * other waits for, as two admins demoting each other can), the whole unit runs again, up to
 * `attempts` times in all: the rerun sees the winner's commit and decides again, as it would have
 * had it waited. Work given to a unit should therefore change nothing outside the database.
 *
 * The writes the unit held back (`LeanSql.defer`: its mails, mail tokens and audit events) are sent
 * as one statement when the work is done, before the commit.
 */
export class MikroOrmUnitOfWork implements UnitOfWork {
  private readonly sql: LeanSql;

  constructor(
    private readonly orm: SqlOrm,
    private readonly attempts = 3,
  ) {
    this.sql = new LeanSql(orm);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (transactionEntityManager(this.orm) !== undefined) return work();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.orm.em.fork().transactional(() => {
          // A fresh list for every attempt: a unit retried after a deadlock holds its writes anew.
          const held = new HeldWriteList(this.sql);
          return heldWrites.run(held, async () => {
            const result = await work();
            await held.flush();
            return result;
          });
        });
      } catch (error) {
        if (!mustRetry(error) || attempt >= this.attempts) throw error;
      }
    }
  }
}
