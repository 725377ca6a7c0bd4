/**
 * Creates the embedded database's data directory (`node pglite-create.js <dir>`), in a process of
 * its own: see `createDataDir`.
 */
import { openEmbedded } from './pglite-open.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: pglite-create.js <data directory>');
const pglite = await openEmbedded(dir);
await pglite.close();
