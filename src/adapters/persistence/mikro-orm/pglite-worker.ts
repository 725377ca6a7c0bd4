/**
 * The embedded database's thread: PGlite runs here, off the event loop that serves HTTP, and
 * answers the messages of `PGliteThread` one at a time, in the order they come.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite, Results } from '@electric-sql/pglite';
import { openEmbedded } from './pglite-open.js';
import { runPrepared } from './pglite-prepared.js';
import type { Reply, Request, SentError } from './pglite-thread.js';

const port = parentPort!;
const { dataDir } = workerData as { dataDir: string | null };

/**
 * Creates a new data directory in a short-lived process. initdb's WebAssembly (its own module,
 * compiled, and a memory of some 200 MB) would otherwise stay: in this thread's heap until a full
 * collection, and in the allocator's arenas, which keep what the compiler threads freed.
 */
async function createDataDir(dir: string): Promise<void> {
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./pglite-create.js', import.meta.url)), dir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0)
    throw new Error(`Creating the data directory ${dir} failed (${code}): ${stderr.trim()}`);
}

/**
 * An error as it crosses to the main thread: its message and its fields that are plain values (a
 * `DatabaseError`'s `code`, `constraint`, `detail`, `table`...). Bound values stay behind.
 */
function sent(error: unknown): SentError {
  if (!(error instanceof Error)) return { message: String(error), name: 'Error', fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error))
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      fields[key] = value;
  return { message: error.message, name: error.name, fields };
}

/** A result without what does not need to cross (the `blob` of a COPY). */
const plain = ({ rows, affectedRows, fields }: Results) => ({ rows, affectedRows, fields });

async function answer(pglite: PGlite, request: Request): Promise<unknown> {
  switch (request.op) {
    case 'query':
      return plain(await pglite.query(request.sql, [...request.params]));
    case 'exec':
      return (await pglite.exec(request.sql)).map(plain);
    case 'prepared':
      return runPrepared(pglite, request.name, request.text, request.values, request.syncToFs);
    case 'collect': {
      // Only when the process set --expose-gc before this thread started. Not V8's
      // memory-reducing kind, which would shrink a young generation that may no longer grow.
      const gc = (globalThis as { gc?: (options: object) => void }).gc;
      gc?.({ type: 'major', execution: 'sync' });
      return gc !== undefined;
    }
    case 'close':
      // Closing flushes the data directory.
      await pglite.close();
      return null;
  }
}

async function serve(): Promise<void> {
  let pglite: PGlite;
  try {
    if (dataDir !== null) await createDataDir(dataDir);
    pglite = await openEmbedded(dataDir);
  } catch (error) {
    port.postMessage({ kind: 'failed', error: sent(error) } satisfies Reply);
    port.close();
    return;
  }
  // One request at a time, in the order they come, except that a prepared statement (one of its
  // own, never part of a transaction) waits while a transaction is open in the session, and runs
  // as soon as it ends: the transaction's own statements go first.
  const incoming: Request[] = [];
  const waiting: Request[] = [];
  let running = false;
  const next = (): Request | undefined => {
    const open = pglite.isInTransaction();
    if (!open && waiting.length > 0) return waiting.shift();
    let request = incoming.shift();
    while (request?.op === 'prepared' && open) {
      waiting.push(request);
      request = incoming.shift();
    }
    return request;
  };
  const drain = async () => {
    running = true;
    for (let request = next(); request !== undefined; request = next()) {
      let reply: Reply;
      try {
        reply = { kind: 'result', id: request.id, value: await answer(pglite, request) };
      } catch (error) {
        reply = { kind: 'error', id: request.id, error: sent(error) };
      }
      try {
        port.postMessage(reply);
      } catch (error) {
        // A value that cannot be cloned must still answer the request rather than leave it waiting.
        port.postMessage({ kind: 'error', id: request.id, error: sent(error) } satisfies Reply);
      }
      if (request.op === 'close') {
        // Nothing is left to answer: the thread ends once the reply is on its way.
        port.close();
        return;
      }
    }
    running = false;
  };
  port.on('message', (request: Request) => {
    incoming.push(request);
    if (!running) void drain();
  });
  port.postMessage({ kind: 'ready' } satisfies Reply);
}

void serve();
