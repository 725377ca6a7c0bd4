import { createHash } from 'node:crypto';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { SqlEntityManager } from '@mikro-orm/knex';
import {
  heldWrites,
  transactionEntityManager,
  type HeldWrites,
  type SqlOrm,
} from './mikro-orm-context.js';
import { PGliteThread } from './pglite-thread.js';

/**
 * A statement of the read side, written once with `?` placeholders. On PostgreSQL it runs as a
 * named prepared statement (`text` with `$1, $2...`), so each pooled connection parses and plans
 * it once; elsewhere it runs as written through MikroORM (`knexText`).
 */
export interface SqlStatement {
  readonly name: string;
  readonly text: string;
  readonly knexText: string;
}

/** Statements must not hold a literal `?`: each one is a placeholder. */
export function sqlStatement(sql: string): SqlStatement {
  const knexText = sql.replace(/\s+/g, ' ').trim();
  let n = 0;
  const text = knexText.replace(/\?/g, () => `$${++n}`);
  return {
    name: `um_${createHash('sha1').update(knexText).digest('hex').slice(0, 24)}`,
    text,
    knexText,
  };
}

const statements = new Map<string, SqlStatement>();

/**
 * The statement for a text built at run time (from filters and sorts), made once per distinct
 * text, so its prepared name is computed once too: a list's filters make a few dozen at most.
 */
export function cachedStatement(sql: string): SqlStatement {
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = sqlStatement(sql);
    statements.set(sql, statement);
  }
  return statement;
}

/** What the read side needs of a client of the pool MikroORM's knex keeps (a `pg` client). */
interface PooledClient {
  query(config: {
    name: string;
    text: string;
    values: readonly unknown[];
  }): Promise<{ rows: unknown[]; rowCount?: number | null }>;
}

interface Pool {
  acquireConnection(): Promise<PooledClient>;
  releaseConnection(client: PooledClient): Promise<unknown>;
}

/** The PGlite thread a PGlite-backed ORM runs on (see `mikroOrmOptions`), or null. */
function pgliteOf(orm: SqlOrm): PGliteThread | null {
  const options = orm.config.get('driverOptions') as
    | { connection?: { pglite?: () => unknown } }
    | undefined;
  const instance = options?.connection?.pglite?.();
  return instance instanceof PGliteThread ? instance : null;
}

/**
 * The hot reads (the account check of every request, a user, a page of users) as named prepared
 * statements, which skip the query builder's formatting and are planned once per connection
 * (decision 0013; costs in BENCHMARKS.md).
 *
 * - Inside a unit of work the statement runs in the unit's transaction, so a command reads its
 *   own writes and its locks: on PostgreSQL prepared by name on the unit's connection (the writes a
 *   unit makes through here, its audit events and mails among them, are planned once per
 *   connection), on PGlite through MikroORM.
 * - On PostgreSQL outside a unit of work: a client of MikroORM's own pool ('read' is the replica
 *   when one is configured), the statement prepared by name. Timings still go to MikroORM's
 *   logger, so slow statements are logged as `slow_query` like every other.
 * - On PGlite (one session, on its own thread) outside a unit of work: as a prepared statement
 *   through PGlite's wire protocol (`runPrepared`), in one message to its thread, which runs it
 *   when no transaction is open in the session. It does not wait for MikroORM's one connection,
 *   so several such statements are on their way to the thread at once.
 *
 * Statements select named columns, never `*`, so a migration that adds a column does not
 * invalidate the plans prepared before it.
 */
export class LeanSql {
  private readonly prepared: boolean;
  private readonly pglite: PGliteThread | null;

  constructor(private readonly orm: SqlOrm) {
    this.prepared = orm.config.getDriver() instanceof PostgreSqlDriver;
    this.pglite = this.prepared ? null : pgliteOf(orm);
  }

  async all<R>(
    statement: SqlStatement,
    values: readonly unknown[],
    connection: 'read' | 'write',
  ): Promise<R[]> {
    return (await this.query<R>(statement, values, connection, 'all')).rows;
  }

  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  async run(
    statement: SqlStatement,
    values: readonly unknown[],
    connection: 'read' | 'write',
  ): Promise<number> {
    return (await this.query(statement, values, connection, 'run')).rowCount;
  }

  /**
   * A write whose rows nothing in the unit of work reads back but through here (a mail, a mail
   * token, an audit event): inside a unit it is held and sent with the unit's other held writes in
   * one statement, before the unit's next statement through here, its next savepoint, or its commit
   * (one round trip for all of them instead of one each); outside a unit it runs at once.
   */
  async defer(write: HeldWrite): Promise<void> {
    const held =
      transactionEntityManager(this.orm) === undefined ? undefined : heldWrites.getStore();
    if (held instanceof HeldWriteList) await held.add(write);
    else await this.run(combined([write]), write.values, 'write');
  }

  private async query<R>(
    statement: SqlStatement,
    values: readonly unknown[],
    connection: 'read' | 'write',
    mode: 'all' | 'run',
  ): Promise<{ rows: R[]; rowCount: number }> {
    const tx = transactionEntityManager(this.orm);
    if (tx !== undefined) await heldWrites.getStore()?.flush();
    const pglite = this.pglite;
    if (tx === undefined && pglite !== null)
      return this.logged(statement, connection, () =>
        pglite.prepared<R>(statement.name, statement.text, values, connection === 'write'),
      );
    const pool = this.poolFor(tx, connection);
    if (pool === null) {
      const em = tx ?? this.orm.em.getConnection(connection);
      if (mode === 'run') {
        const result = await em.execute<{ affectedRows: number }>(
          statement.knexText,
          [...values],
          'run',
        );
        return { rows: [], rowCount: result.affectedRows };
      }
      const rows = await em.execute<R[]>(statement.knexText, [...values], 'all');
      return { rows, rowCount: rows.length };
    }
    return this.logged(statement, connection, async () => {
      const client = await pool.acquireConnection();
      try {
        const result = await client.query({ name: statement.name, text: statement.text, values });
        return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
      } finally {
        void pool.releaseConnection(client);
      }
    });
  }

  /** Runs a statement sent past MikroORM, with its timing logged as MikroORM logs its own. */
  private async logged<T>(
    statement: SqlStatement,
    connection: 'read' | 'write',
    run: () => Promise<T>,
  ): Promise<T> {
    const started = Date.now();
    let failed = false;
    try {
      return await run();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      this.orm.config.getLogger().logQuery({
        query: statement.text,
        took: Date.now() - started,
        level: failed ? 'error' : 'info',
        connection: { type: connection },
      });
    }
  }

  /** Where the statement runs prepared, or null when it goes through MikroORM as written. */
  private poolFor(tx: SqlEntityManager | undefined, connection: 'read' | 'write'): Pool | null {
    // In a unit of work on PostgreSQL: the unit's own connection (knex hands a transaction's
    // client out as is), so the statement is prepared there and runs in the unit's transaction.
    if (tx !== undefined)
      return this.prepared
        ? ((tx.getTransactionContext() as { client: Pool } | undefined)?.client ?? null)
        : null;
    if (!this.prepared) return null;
    return this.orm.em.getConnection(connection).getKnex().client as Pool;
  }

  async one<R>(
    statement: SqlStatement,
    values: readonly unknown[],
    connection: 'read' | 'write',
  ): Promise<R | null> {
    return (await this.all<R>(statement, values, connection))[0] ?? null;
  }

  /** A time as a statement returns it: a Date from PGlite, text from PostgreSQL, or epoch milliseconds. */
  time(value: unknown): Date {
    if (value instanceof Date) return new Date(value.getTime());
    if (typeof value === 'number') return new Date(value);
    const parsed = this.orm.config.getPlatform().parseDate(value as string);
    if (!(parsed instanceof Date) || Number.isNaN(parsed.getTime()))
      throw new Error(`Unreadable time from the database: ${String(value)}`);
    return parsed;
  }
}

/**
 * A write a unit of work may hold back (see `LeanSql.defer`): one or more statements, each one
 * INSERT, UPDATE or DELETE without a WITH clause or RETURNING, run as one (they see the same
 * snapshot), with their values in order; `table` is the table they write.
 */
export interface HeldWrite {
  readonly statements: readonly SqlStatement[];
  readonly values: readonly unknown[];
  readonly table: string;
}

/** The held writes as one statement: a single statement as it is, several as WITH queries. */
function combined(writes: readonly HeldWrite[]): SqlStatement {
  const statements = writes.flatMap((w) => w.statements);
  if (statements.length === 1) return statements[0]!;
  const ctes = statements.map((statement, i) => `w${i} as (${statement.knexText})`).join(', ');
  return cachedStatement(`with ${ctes} select 1`);
}

/**
 * The held writes of one unit of work, flushed as one statement: each write a data-modifying
 * WITH query of it, all run once and to completion (PostgreSQL runs them whether or not they are
 * read). They share one snapshot, cannot see each other's rows, and run in no set order, so a
 * write to a table that a held write already writes first flushes what is held: two tokens of
 * one purpose still leave one live, and rows of one table keep the order of their ids.
 */
export class HeldWriteList implements HeldWrites {
  private writes: HeldWrite[] = [];

  constructor(private readonly sql: LeanSql) {}

  async add(write: HeldWrite): Promise<void> {
    if (this.writes.some((w) => w.table === write.table)) await this.flush();
    this.writes.push(write);
  }

  async flush(): Promise<void> {
    const writes = this.writes;
    if (writes.length === 0) return;
    this.writes = [];
    await this.sql.run(
      combined(writes),
      writes.flatMap((w) => w.values),
      'write',
    );
  }
}
