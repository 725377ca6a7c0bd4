import { runInNewContext } from 'node:vm';
import type { AppConfig } from '../config/config.js';

/** How far past what its last full collection kept the heap may grow, in percent, when embedded. */
export const EMBEDDED_HEAP_GROWING_PERCENT = 25;

/**
 * How much of a WebAssembly function runs (V8's rough bytes executed) before V8 compiles it again
 * with its optimising compiler, when embedded: fifteen times V8's 13,000,000.
 */
export const EMBEDDED_WASM_TIERING_BUDGET = 200_000_000;

/**
 * The semi-space size, in MiB, of threads started after the flags are set (PGlite's) when
 * embedded. V8 sizes a thread's heap from the flags as they stand when it starts, and they
 * outrank the thread's own limits: npm start's 32 would apply there too.
 */
export const EMBEDDED_THREAD_SEMI_SPACE_MIB = 4;

/**
 * The V8 flags a serving process sets once it knows its store, before it loads the rest
 * (`main.ts`). On the embedded database the process is the whole deployment: its young generation
 * does not grow by doubling towards npm start's 32 MiB semi-spaces, and PGlite's thread has the
 * 4 MiB semi-spaces it had before (decision 0079); its heap grows by a quarter of its
 * live set, not by V8's up to fourfold (decision 0077); and PGlite's WebAssembly is optimised once
 * it stays hot, not for what merely ran while the database opened, whose compilations' memory the
 * allocator would keep (decision 0078). V8 reads these flags late. `--expose-gc` lets the service
 * collect what starting left behind, once it listens (`collectStartupGarbage`, decision 0080).
 */
export function runtimeV8Flags(config: Pick<AppConfig, 'database'>): string[] {
  return config.database.url === null
    ? [
        `--heap-growing-percent=${EMBEDDED_HEAP_GROWING_PERCENT}`,
        `--wasm-tiering-budget=${EMBEDDED_WASM_TIERING_BUDGET}`,
        '--semi-space-growth-factor=1',
        `--min-semi-space-size=${EMBEDDED_THREAD_SEMI_SPACE_MIB}`,
        `--max-semi-space-size=${EMBEDDED_THREAD_SEMI_SPACE_MIB}`,
        '--expose-gc',
      ]
    : [];
}

/**
 * A full collection of this thread's heap, when the flags exposed V8's `gc` (embedded); false when
 * they did not. Not V8's memory-reducing kind: that one shrinks the young generation, which the
 * growth factor would then keep at its smallest (the PGlite thread does the same,
 * `PGliteThread.collectGarbage`). Contexts made before the flag was set have no `gc`: a new
 * one's is taken.
 */
export function collectStartupGarbage(): boolean {
  const gc = runInNewContext("typeof gc === 'function' ? gc : undefined") as
    | ((options: { type: 'major'; execution: 'sync' }) => void)
    | undefined;
  if (gc === undefined) return false;
  gc({ type: 'major', execution: 'sync' });
  return true;
}
