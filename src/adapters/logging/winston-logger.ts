import type { Writable } from 'node:stream';
import winston from 'winston';
import type { Clock } from '../../application/ports/clock.js';
import type { LogFields, Logger } from '../../application/ports/logger.js';
import { LEVELS, type Level, type LogLevel } from './levels.js';
import { withContext } from './log-context.js';
import { redact, redactText } from './redact.js';

export interface WinstonLoggerOptions {
  readonly level: LogLevel;
  /** Where the lines go; stdout when absent. */
  readonly stream?: Writable;
  /** The source of `timestamp`; the system clock when absent. */
  readonly clock?: Clock;
}

const MESSAGE = Symbol.for('message');
const CORE_KEYS = new Set(['timestamp', 'level', 'message']);

interface Entry {
  level: Level;
  message: string;
  fields: Record<string, unknown>;
  [MESSAGE]?: string;
}

/**
 * One JSON object per line: `timestamp` (ISO 8601, UTC), `level`, `message`, then the fields.
 * Fields are redacted (see `redact`) before anything is written; a field named like one of the
 * first three is written with a leading underscore instead of replacing it.
 */
export class WinstonLogger implements Logger {
  private readonly winston: winston.Logger;

  constructor(options: WinstonLoggerOptions) {
    const clock = options.clock;
    const line = winston.format((info) => {
      const entry = info as unknown as Entry;
      const record: Record<string, unknown> = {
        timestamp: (clock?.now() ?? new Date()).toISOString(),
        level: entry.level,
        message: entry.message,
      };
      for (const [key, value] of Object.entries(entry.fields)) {
        record[CORE_KEYS.has(key) ? `_${key}` : key] = value;
      }
      entry[MESSAGE] = JSON.stringify(record);
      return info;
    });
    const transport =
      options.stream === undefined
        ? new winston.transports.Console()
        : new winston.transports.Stream({ stream: options.stream });
    this.winston = winston.createLogger({
      levels: Object.fromEntries(LEVELS.map((level, rank) => [level, rank])),
      level: options.level === 'silent' ? 'error' : options.level,
      silent: options.level === 'silent',
      format: line(),
      transports: [transport],
      exitOnError: false,
    });
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  isEnabled(level: Level): boolean {
    return !this.winston.silent && this.winston.isLevelEnabled(level);
  }

  /** Waits until every line written so far has been handed to the stream (for a clean exit). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.winston.once('finish', () => resolve());
      this.winston.end();
    });
  }

  private write(level: Level, message: string, fields: LogFields | undefined): void {
    if (!this.winston.isLevelEnabled(level)) return;
    const entry: Entry = {
      level,
      message: redactText(String(message)),
      fields: redact(withContext(fields)),
    };
    this.winston.log(entry as unknown as winston.LogEntry);
  }
}
