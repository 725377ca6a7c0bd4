import type { AppConfig } from '../config/config.js';

/** How far past what its last full collection kept the heap may grow, in percent, when embedded. */
export const EMBEDDED_HEAP_GROWING_PERCENT = 25;

/**
 * The V8 flags a serving process sets once it knows its store. On the embedded database the
 * process is the whole deployment: its heap grows by a quarter of its live set, not by V8's up to
 * fourfold (decision 0077). V8 reads the flag at each collection, so setting it late works.
 */
export function runtimeV8Flags(config: Pick<AppConfig, 'database'>): string[] {
  return config.database.url === null
    ? [`--heap-growing-percent=${EMBEDDED_HEAP_GROWING_PERCENT}`]
    : [];
}
