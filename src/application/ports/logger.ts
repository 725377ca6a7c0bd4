import { token } from './injection.js';

export type LogFields = Readonly<Record<string, unknown>>;

/** Structured logging. Adapters drop secrets (passwords, tokens, authorization) whatever the caller passes. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Whether lines of this level are written: work done only for them may be skipped. */
  isEnabled(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}

export const LOGGER = token<Logger>('Logger');
