import type { LogFields, Logger } from '../../application/ports/logger.js';
import { enabled, type Level, type LogLevel } from './levels.js';
import { withContext } from './log-context.js';
import { redact, redactText } from './redact.js';

export interface LogEntry {
  readonly level: Level;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Keeps entries in memory, redacted exactly as the JSON logger redacts them, so a test can assert
 * both what was logged and that no secret was.
 */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];

  constructor(private readonly level: LogLevel = 'debug') {}

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
    return enabled(this.level, level);
  }

  /** The entries with this message, or with this value of the `event` field. */
  find(messageOrEvent: string): LogEntry[] {
    return this.entries.filter(
      (e) => e.message === messageOrEvent || e.fields['event'] === messageOrEvent,
    );
  }

  clear(): void {
    this.entries.length = 0;
  }

  private write(level: Level, message: string, fields: LogFields | undefined): void {
    if (!enabled(this.level, level)) return;
    this.entries.push({
      level,
      message: redactText(String(message)),
      fields: redact(withContext(fields)),
    });
  }
}
