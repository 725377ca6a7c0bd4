import { Worker } from 'node:worker_threads';
import { messages, type Results } from '@electric-sql/pglite';
import { Mutex } from '../mutex.js';

/** An error as it crosses from the worker: its message and its plain fields. */
export interface SentError {
  readonly message: string;
  readonly name: string;
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/** What the main thread asks of the worker. */
export type Request = { readonly id: number } & (
  | { readonly op: 'query'; readonly sql: string; readonly params: readonly unknown[] }
  | { readonly op: 'exec'; readonly sql: string }
  | {
      readonly op: 'prepared';
      readonly name: string;
      readonly text: string;
      readonly values: readonly unknown[];
      readonly syncToFs: boolean;
    }
  | { readonly op: 'collect' }
  | { readonly op: 'close' }
);

/** What the worker answers. */
export type Reply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly error: SentError }
  | { readonly kind: 'result'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: SentError };

type Call = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

/** A result as PGlite's `query` gives it, rows and all. */
export type QueryResult<R> = Pick<Results<R>, 'rows' | 'affectedRows' | 'fields'>;

/**
 * The heap of PGlite's thread. Its JavaScript is PGlite's glue, a few MB: a small young generation
 * keeps its heap (and the process's resident set) small. PostgreSQL's own memory is WebAssembly's,
 * not these. V8's semi-space flags outrank the young generation's limit: in the service the
 * embedded flags set it (`EMBEDDED_THREAD_SEMI_SPACE_MIB`, to the same 8 MiB); this one holds
 * where they are not set (tests).
 */
export const PGLITE_THREAD_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 };

/**
 * The error a call gets once the worker has stopped. Its SQLSTATE, 08006 (connection_failure),
 * makes it a lost connection to the availability guard: a 503, and readiness names the database.
 */
export class PGliteThreadStopped extends Error {
  readonly code = '08006';

  constructor(reason: string, cause?: unknown) {
    super(`The embedded database is not running: ${reason}`, { cause });
    this.name = 'PGliteThreadStopped';
  }
}

/** The error the worker sent, as a `DatabaseError` again when it was one. */
function received(error: SentError): Error {
  const { length, ...fields } = error.fields;
  const made =
    typeof fields.code === 'string' && typeof fields.severity === 'string'
      ? new messages.DatabaseError(error.message, Number(length ?? 0), 'error')
      : Object.assign(new Error(error.message), { name: error.name });
  // `name` is a getter-less own field of DatabaseError; the others are plain fields.
  for (const [key, value] of Object.entries(fields))
    if (key !== 'name') Reflect.set(made, key, value);
  return made;
}

/** How long a closing worker gets to exit on its own before it is ended. */
const EXIT_GRACE_MS = 10_000;

/**
 * PGlite on a worker thread of its own, so that PostgreSQL's work (WebAssembly, on one thread)
 * does not hold up the event loop. It has what the store uses of a PGlite instance: `waitReady`,
 * `query`, `exec`, `close`, `runExclusive`, and `prepared` for LeanSql's named statements. Calls
 * take a lock, as PGlite's do, so a statement never runs inside another's `runExclusive`; rows
 * come back structured-cloned (a Date, a Uint8Array, a bigint stay what they are), and errors with
 * the fields of PGlite's `DatabaseError` (SQLSTATE `code`, `constraint`...). Once the worker has
 * stopped, every call, waiting or new, rejects with `PGliteThreadStopped`.
 *
 * The worker holds the process open only while a call is waiting on it, as PGlite in the process
 * would: an idle store does not keep a process from ending.
 */
export class PGliteThread {
  readonly waitReady: Promise<void>;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private readonly lock = new Mutex();
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: unknown) => void }
  >();
  private nextId = 1;
  private stopped: PGliteThreadStopped | null = null;
  private closing: Promise<void> | null = null;
  private settleReady!: { resolve: () => void; reject: (error: unknown) => void };

  /** In `dataDir`, or in memory when null, opened as `openEmbedded` opens it. */
  constructor(dataDir: string | null) {
    this.waitReady = new Promise<void>((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    // Whoever opens the thread awaits readiness; an unobserved failure is reported by the calls.
    this.waitReady.catch(() => undefined);
    this.worker = new Worker(new URL('./pglite-worker.js', import.meta.url), {
      workerData: { dataDir },
      resourceLimits: PGLITE_THREAD_LIMITS,
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (reply: Reply) => this.receive(reply));
    this.worker.on('error', (error) => this.stop(`its thread failed: ${error.message}`, error));
    this.worker.on('exit', (code) => this.stop(`its thread exited (code ${code})`));
  }

  private receive(reply: Reply): void {
    switch (reply.kind) {
      case 'ready':
        this.settleReady.resolve();
        this.holdProcess();
        return;
      case 'failed':
        this.stop('it could not open', received(reply.error));
        return;
      case 'result':
      case 'error': {
        const waiting = this.pending.get(reply.id);
        if (waiting === undefined) return;
        this.pending.delete(reply.id);
        this.holdProcess();
        if (reply.kind === 'result') waiting.resolve(reply.value);
        else waiting.reject(received(reply.error));
      }
    }
  }

  /** Keeps the process alive while it opens or a call waits, and only then. */
  private holdProcess(): void {
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  private stop(reason: string, cause?: unknown): void {
    if (this.stopped !== null) return;
    this.stopped = new PGliteThreadStopped(this.closing === null ? reason : 'it is closed', cause);
    this.settleReady.reject(this.stopped);
    for (const waiting of this.pending.values()) waiting.reject(this.stopped);
    this.pending.clear();
  }

  private call<T>(request: Call): Promise<T> {
    if (this.stopped !== null) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      try {
        this.worker.postMessage({ ...request, id });
      } catch (error) {
        // A value that cannot be cloned (a function, say).
        reject(error);
        return;
      }
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.holdProcess();
    });
  }

  query<R = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<QueryResult<R>> {
    return this.lock.runExclusive(() => this.call({ op: 'query', sql, params }));
  }

  /** Runs statements separated by `;`, without parameters. */
  exec(sql: string): Promise<Array<QueryResult<Record<string, unknown>>>> {
    return this.lock.runExclusive(() => this.call({ op: 'exec', sql }));
  }

  /** Runs `work` with the lock held: no `query` or `exec` runs meanwhile. */
  runExclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.runExclusive(work);
  }

  /**
   * Runs a statement written with `$1, $2...` as a named prepared statement (see `runPrepared`),
   * in one message to the worker, without the lock: the worker holds it while a transaction is
   * open in the session and runs it as soon as that ends.
   */
  prepared<R>(
    name: string,
    text: string,
    values: readonly unknown[],
    syncToFs: boolean,
  ): Promise<{ rows: R[]; rowCount: number }> {
    return this.call({ op: 'prepared', name, text, values, syncToFs });
  }

  /**
   * Has the worker's heap collected in full when the process exposed V8's `gc`
   * (`runtimeV8Flags`) before the thread started: opening the database and running the
   * migrations leave garbage the worker would otherwise keep until V8 itself reduces memory, tens
   * of seconds later. Resolves to whether it was collected.
   */
  collectGarbage(): Promise<boolean> {
    return this.lock.runExclusive(() => this.call({ op: 'collect' }));
  }

  /**
   * Closes PGlite in the worker (which writes what it holds to the data directory) once the calls
   * before it are done, then lets the worker end. Later calls reject.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        if (this.stopped === null) await this.lock.runExclusive(() => this.call({ op: 'close' }));
      } finally {
        this.stop('it is closed');
        const timer = setTimeout(() => void this.worker.terminate(), EXIT_GRACE_MS);
        await this.exited;
        clearTimeout(timer);
      }
    })();
    return this.closing;
  }

  /** Ends the worker at once, without closing PGlite: what a crash of the thread does. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
