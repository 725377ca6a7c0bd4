/** Levels from most to least severe; `silent` writes nothing. */
export const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type Level = (typeof LEVELS)[number];
export type LogLevel = Level | 'silent';

const RANK: Readonly<Record<Level, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Whether a logger set to `threshold` writes an entry of `level`. */
export function enabled(threshold: LogLevel, level: Level): boolean {
  return threshold !== 'silent' && RANK[level] <= RANK[threshold];
}
