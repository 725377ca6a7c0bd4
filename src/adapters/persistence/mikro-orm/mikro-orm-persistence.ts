import { MikroORM, type LoggerOptions, type Options } from '@mikro-orm/core';
import type { Logger } from '../../../application/ports/logger.js';
import { SlowQueryLogger } from './slow-query-logger.js';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PGliteDriver } from 'mikro-orm-pglite';
import type { ClearablePersistence } from '../persistence.js';
import { ENTITIES } from './entities/user.entity.js';
import { MIGRATIONS } from './migrations/index.js';
import { guardAvailability } from './availability.js';
import { PGliteThread } from './pglite-thread.js';
import type { SqlOrm } from './mikro-orm-context.js';
import { MikroOrmUnitOfWork } from './mikro-orm-unit-of-work.js';
import { MikroOrmOrderReadModel } from './mikro-orm-order-read-model.js';
import { MikroOrmOrderRepository } from './mikro-orm-order-repository.js';
import { MikroOrmAuditLog } from './mikro-orm-audit-log.js';
import { MikroOrmAuthReadModel } from './mikro-orm-auth-read-model.js';
import { MikroOrmIdempotencyStore } from './mikro-orm-idempotency-store.js';
import { MikroOrmSessionRepository } from './mikro-orm-session-repository.js';
import { MikroOrmSessionReadModel } from './mikro-orm-session-read-model.js';
import { MikroOrmUserReadModel } from './mikro-orm-user-read-model.js';
import { MikroOrmUserRepository } from './mikro-orm-user-repository.js';
import { MikroOrmEmailTokenRepository, MikroOrmOutbox } from './mikro-orm-mail.js';

export type MikroOrmTarget =
  /**
   * PGlite, PostgreSQL compiled to WebAssembly, on a worker thread of this process: in `dataDir`,
   * or in memory when null.
   */
  | { kind: 'pglite'; dataDir: string | null }
  /** A PostgreSQL server; `readUrl` is a replica the read model reads from. */
  | { kind: 'postgresql'; url: string; readUrl?: string | null };

export interface MikroOrmOptions {
  /** Logs every SQL statement with its parameters. */
  readonly debugSql?: boolean;
  /** Where driver warnings and slow statements are logged (the console when absent). */
  readonly logger?: Logger;
  /** Statements taking at least this many milliseconds are logged as `slow_query` warnings. */
  readonly slowQueryMs?: number;
  /** Matches of a search counted exactly before its total becomes an estimate (10,000). */
  readonly exactCountLimit?: number;
}

/**
 * PGlite as the store needs it: with `pg_trgm`, whose indexes serve substring search, on a worker
 * thread so that its statements do not hold up the event loop. In `dataDir`, or in memory when null.
 */
export function openPGlite(dataDir: string | null): PGliteThread {
  return new PGliteThread(dataDir);
}

function driverLog(logger: Logger) {
  const line = (level: 'warn' | 'error' | 'debug') => (message: unknown) =>
    logger[level]('database driver', {
      event: 'database_driver',
      message: String(message).slice(0, 500),
    });
  return {
    warn: line('warn'),
    error: line('error'),
    deprecate: line('debug'),
    debug: line('debug'),
  };
}

/**
 * MikroORM's options for a target (a PGlite target needs the PGlite thread to use). The store
 * opens with these; a tool that needs the same ORM (a schema check, a migration generator) can too.
 */
export function mikroOrmOptions(
  target: MikroOrmTarget,
  pglite: PGliteThread | null,
  options: MikroOrmOptions = {},
): Options<AbstractSqlDriver> {
  const connection: Options<AbstractSqlDriver> =
    target.kind === 'pglite'
      ? {
          driver: PGliteDriver,
          dbName: 'postgres',
          driverOptions: {
            connection: {
              pglite: () => {
                if (pglite === null) throw new Error('A PGlite target needs its PGlite thread');
                return pglite;
              },
            },
          },
        }
      : {
          driver: PostgreSqlDriver,
          clientUrl: target.url,
          ...(target.readUrl ? { replicas: [{ clientUrl: target.readUrl }] } : {}),
          // Fail fast when the server does not answer, so requests get a 503 in seconds rather
          // than waiting on the pool; connections are reopened on demand when it is back.
          pool: { min: 0, max: 10, acquireTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 },
          driverOptions: {
            connection: { connectionTimeoutMillis: 3_000, keepAlive: true },
            // The driver's own warnings (a dropped connection, say) as structured log lines.
            ...(options.logger === undefined ? {} : { log: driverLog(options.logger) }),
          },
        };
  return {
    ...connection,
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    // Every use of the ORM goes through a fork or a unit's EntityManager, never the global one.
    allowGlobalContext: false,
    // Only the read model reads from a replica, and only when it asks for the 'read' connection.
    preferReadReplicas: false,
    // The database must exist; creating databases is not the service's job.
    ensureDatabase: false,
    forceUtcTimezone: true,
    debug: options.debugSql === true ? ['query', 'query-params'] : false,
    ...(options.logger === undefined
      ? {}
      : {
          loggerFactory: (loggerOptions: LoggerOptions) =>
            new SlowQueryLogger(loggerOptions, options.logger!, options.slowQueryMs ?? 200),
        }),
    extensions: [Migrator],
    migrations: {
      migrationsList: MIGRATIONS,
      emit: 'ts',
      tableName: 'mikro_orm_migrations',
      // Each migration in a transaction of its own, so that one can opt out of it to build an
      // index concurrently (see Migration20261206000000_user_search_indexes).
      transactional: true,
      allOrNothing: false,
      snapshot: false,
      silent: options.debugSql !== true,
      // Where a generated migration would be written; migrations are only ever read from MIGRATIONS.
      pathTs: 'src/adapters/persistence/mikro-orm/migrations',
    },
  };
}

/**
 * Opens the MikroORM store on PGlite or PostgreSQL, applies the pending migrations, and resolves
 * with the ports over it. Rejects (and closes what it opened) when the database cannot be reached
 * or a migration fails.
 */
export async function openMikroOrmPersistence(
  target: MikroOrmTarget,
  options: MikroOrmOptions = {},
): Promise<ClearablePersistence> {
  const pglite = target.kind === 'pglite' ? openPGlite(target.dataDir) : null;
  let orm: SqlOrm | null = null;
  try {
    if (pglite !== null) await pglite.waitReady;
    orm = await MikroORM.init<AbstractSqlDriver>(mikroOrmOptions(target, pglite, options));
    // Reach the database before migrating: MikroORM's migrator would create a missing database,
    // and a mistyped URL must stop the start rather than begin an empty database.
    await orm.em.getConnection('write').execute('select 1');
    await migrate(orm, target.kind === 'postgresql');
  } catch (error) {
    await orm?.close(true).catch(() => undefined);
    await pglite?.close().catch(() => undefined);
    throw error;
  }
  return mikroOrmPersistence(orm, pglite, options);
}

/** Any 64-bit number the instances agree on: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 0x756d_6d69_6772;
const MIGRATION_LOCK_POLL_MS = 200;

/**
 * Applies the pending migrations. On PostgreSQL, instances starting together take turns under a
 * session advisory lock held on a connection of its own (the migrator uses other connections of
 * the pool), so the second finds nothing left to do instead of failing on a half-made schema.
 * The others wait for the lock by polling outside any transaction: a concurrent index build waits
 * for every transaction older than itself, and one blocked on the lock would never end. PGlite has
 * a single connection and a single process: it needs no lock.
 */
async function migrate(orm: SqlOrm, shared: boolean): Promise<void> {
  if (!shared) {
    await orm.getMigrator().up();
    return;
  }
  const knex = orm.em.getConnection('write').getKnex();
  const connection: unknown = await knex.client.acquireConnection();
  try {
    const locked = async () =>
      (
        (await knex
          .raw('select pg_try_advisory_lock(?) as locked', [MIGRATION_LOCK])
          .connection(connection)) as { rows: Array<{ locked: boolean }> }
      ).rows[0]?.locked === true;
    while (!(await locked()))
      await new Promise((resolve) => setTimeout(resolve, MIGRATION_LOCK_POLL_MS));
    try {
      await orm.getMigrator().up();
    } finally {
      await knex.raw('select pg_advisory_unlock(?)', [MIGRATION_LOCK]).connection(connection);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

function mikroOrmPersistence(
  orm: SqlOrm,
  pglite: PGliteThread | null,
  options: MikroOrmOptions,
): ClearablePersistence {
  let closing: Promise<void> | null = null;
  const hasReplica = orm.config.get('replicas', []).length > 0;
  // Every port answers 503 rather than 500 while the database cannot be reached.
  return {
    users: guardAvailability(new MikroOrmUserRepository(orm)),
    userReadModel: guardAvailability(new MikroOrmUserReadModel(orm, options.exactCountLimit)),
    orders: guardAvailability(new MikroOrmOrderRepository(orm)),
    orderReadModel: guardAvailability(new MikroOrmOrderReadModel(orm)),
    sessions: guardAvailability(new MikroOrmSessionRepository(orm)),
    sessionReadModel: guardAvailability(new MikroOrmSessionReadModel(orm)),
    authReadModel: guardAvailability(new MikroOrmAuthReadModel(orm)),
    unitOfWork: guardAvailability(new MikroOrmUnitOfWork(orm)),
    emailTokens: guardAvailability(new MikroOrmEmailTokenRepository(orm)),
    outbox: guardAvailability(new MikroOrmOutbox(orm)),
    auditLog: guardAvailability(new MikroOrmAuditLog(orm)),
    idempotencyStore: (clock) => guardAvailability(new MikroOrmIdempotencyStore(orm, clock)),
    poolUse() {
      // knex's pool (tarn): connections lent out, and acquisitions waiting for one.
      const pool = (
        orm.em.getConnection('write').getKnex().client as {
          pool?: { numUsed(): number; numPendingAcquires(): number };
        }
      ).pool;
      return pool === undefined
        ? null
        : { inUse: pool.numUsed(), waiting: pool.numPendingAcquires() };
    },
    async settle() {
      await pglite?.collectGarbage();
    },
    async ping() {
      await orm.em.getConnection('write').execute('select 1');
      if (hasReplica) await orm.em.getConnection('read').execute('select 1');
    },
    close() {
      closing ??= (async () => {
        await orm.close(true);
        await pglite?.close();
      })();
      return closing;
    },
    async clear() {
      const tables = Object.values(orm.getMetadata().getAll())
        .filter((meta) => meta.tableName !== undefined && !meta.embeddable && !meta.virtual)
        .map((meta) => `"${meta.tableName}"`);
      await orm.em
        .getConnection('write')
        .execute(`truncate table ${tables.join(', ')} restart identity cascade`);
    },
  };
}
