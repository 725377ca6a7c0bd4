import { token } from '../../application/ports/token.js';

export interface HttpOptions {
  /** Largest request body accepted, in bytes (413 beyond it). */
  readonly bodyLimitBytes: number;
  /** Believe X-Forwarded-* headers (only behind a proxy that sets them). */
  readonly trustProxy: boolean;
}

export const HTTP_OPTIONS = token<HttpOptions>('HttpOptions');
