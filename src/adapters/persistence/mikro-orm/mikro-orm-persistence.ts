import { PGlite } from '@electric-sql/pglite';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PGliteDriver } from 'mikro-orm-pglite';
import type { ClearablePersistence } from '../persistence.js';
import { ENTITIES } from './entities/user.entity.js';
import { MIGRATIONS } from './migrations/index.js';
import type { SqlOrm } from './mikro-orm-context.js';
import { MikroOrmUnitOfWork } from './mikro-orm-unit-of-work.js';
import { MikroOrmUserReadModel } from './mikro-orm-user-read-model.js';
import { MikroOrmUserRepository } from './mikro-orm-user-repository.js';

export type MikroOrmTarget =
  /** PGlite, PostgreSQL compiled to WebAssembly, in this process: in `dataDir`, or in memory when null. */
  | { kind: 'pglite'; dataDir: string | null }
  /** A PostgreSQL server; `readUrl` is a replica the read model reads from. */
  | { kind: 'postgresql'; url: string; readUrl?: string | null };

export interface MikroOrmOptions {
  /** Logs every SQL statement with its parameters. */
  readonly debugSql?: boolean;
}

/**
 * MikroORM's options for a target (a PGlite target needs the PGlite instance to use). The store
 * opens with these; a tool that needs the same ORM (a schema check, a migration generator) can too.
 */
export function mikroOrmOptions(
  target: MikroOrmTarget,
  pglite: PGlite | null,
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
                if (pglite === null) throw new Error('A PGlite target needs its PGlite instance');
                return pglite;
              },
            },
          },
        }
      : {
          driver: PostgreSqlDriver,
          clientUrl: target.url,
          ...(target.readUrl ? { replicas: [{ clientUrl: target.readUrl }] } : {}),
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
    extensions: [Migrator],
    migrations: {
      migrationsList: MIGRATIONS,
      emit: 'ts',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
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
  const pglite = target.kind === 'pglite' ? new PGlite(target.dataDir ?? undefined) : null;
  let orm: SqlOrm | null = null;
  try {
    if (pglite !== null) await pglite.waitReady;
    orm = await MikroORM.init<AbstractSqlDriver>(mikroOrmOptions(target, pglite, options));
    // Reach the database before migrating: MikroORM's migrator would create a missing database,
    // and a mistyped URL must stop the start rather than begin an empty database.
    await orm.em.getConnection('write').execute('select 1');
    await orm.getMigrator().up();
  } catch (error) {
    await orm?.close(true).catch(() => undefined);
    await pglite?.close().catch(() => undefined);
    throw error;
  }
  return mikroOrmPersistence(orm, pglite);
}

function mikroOrmPersistence(orm: SqlOrm, pglite: PGlite | null): ClearablePersistence {
  let closing: Promise<void> | null = null;
  const hasReplica = orm.config.get('replicas', []).length > 0;
  return {
    users: new MikroOrmUserRepository(orm),
    userReadModel: new MikroOrmUserReadModel(orm),
    unitOfWork: new MikroOrmUnitOfWork(orm),
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
      await orm.em.getConnection('write').execute(`truncate table ${tables.join(', ')} restart identity cascade`);
    },
  };
}
