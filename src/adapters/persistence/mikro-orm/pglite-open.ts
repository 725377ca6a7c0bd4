import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/**
 * PostgreSQL's buffer pool lives in PGlite's WebAssembly memory, which never shrinks: the compiled
 * default, 128MB, was most of the process's resident set. The embedded database is the small
 * deployment's, and its files are read through the operating system's cache as well.
 */
export const EMBEDDED_SETTINGS = ['-c', 'shared_buffers=16MB'] as const;

/** PGlite in `dataDir`, or in memory when null, with `pg_trgm` and the settings above. */
export function openEmbedded(dataDir: string | null): Promise<PGlite> {
  return PGlite.create({
    ...(dataDir === null ? {} : { dataDir }),
    // The database PGlite 0.3 used by default, where existing data directories hold the tables.
    database: 'template1',
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS],
  });
}
