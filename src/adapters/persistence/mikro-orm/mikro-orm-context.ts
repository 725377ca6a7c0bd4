import {
  TransactionContext,
  UniqueConstraintViolationException,
  type MikroORM,
} from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
import { AsyncLocalStorage } from 'node:async_hooks';

export type SqlOrm = MikroORM<AbstractSqlDriver>;

/**
 * The EntityManager of the unit of work the caller runs in, if any. `em.transactional` keeps it in
 * MikroORM's TransactionContext (AsyncLocalStorage) for the whole async flow of the unit.
 */
export const transactionEntityManager = (orm: SqlOrm): SqlEntityManager | undefined =>
  TransactionContext.getEntityManager(orm.em.name) as SqlEntityManager | undefined;

/**
 * An EntityManager for one repository call: the unit's when inside one, else a fresh fork (the
 * global one is never used: `allowGlobalContext` is off).
 */
export const entityManagerFor = (orm: SqlOrm): { em: SqlEntityManager; inTransaction: boolean } => {
  const tx = transactionEntityManager(orm);
  return tx === undefined
    ? { em: orm.em.fork(), inTransaction: false }
    : { em: tx, inTransaction: true };
};

/**
 * The writes a unit of work holds back until it ends (see `LeanSql.defer`): rows that nothing in
 * the unit reads back through MikroORM, sent together as one statement before the commit.
 */
export interface HeldWrites {
  /** Sends the writes held so far, in the unit's transaction. */
  flush(): Promise<void>;
}

/** The held writes of the unit of work in progress, set by the unit for its whole async flow. */
export const heldWrites = new AsyncLocalStorage<HeldWrites>();

/**
 * Runs one write, all of it or none of it. Outside a unit of work it is a short transaction of
 * its own (a user's removal will be two statements). Inside one it runs in a savepoint: a statement
 * that fails (a unique violation, typically) is rolled back alone and the unit stays usable, as
 * a failed write leaves the in-memory store's unit usable. PostgreSQL would otherwise refuse
 * every later statement of the transaction.
 */
export async function write<T>(
  orm: SqlOrm,
  statements: (em: SqlEntityManager) => Promise<T>,
): Promise<T> {
  const tx = transactionEntityManager(orm);
  if (tx !== undefined) {
    // Held writes go first, outside the savepoint: rolling it back must not take them along, and
    // its statements see them (a user's removal deletes the mails queued about it).
    await heldWrites.getStore()?.flush();
    return tx.transactional((savepoint) => statements(savepoint));
  }
  return orm.em.fork().transactional((em) => statements(em));
}

/** The name of the unique constraint a write violated, or undefined for any other error. */
export const violatedUniqueConstraint = (error: unknown): string | undefined =>
  error instanceof UniqueConstraintViolationException
    ? ((error as { constraint?: unknown }).constraint as string | undefined)
    : undefined;
