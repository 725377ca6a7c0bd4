import { token } from '../../application/ports/injection.js';

export interface HttpOptions {
  /** Largest request body accepted, in bytes (413 beyond it). */
  readonly bodyLimitBytes: number;
  /** Believe X-Forwarded-* headers (only behind a proxy that sets them). */
  readonly trustProxy: boolean;
  /** Signs the cursors of keyset pages, so that they cannot be forged or altered. */
  readonly cursorSecret: Uint8Array;
  /** Origins allowed by CORS; `*` alone allows any. Empty: no CORS headers at all. */
  readonly corsOrigins: readonly string[];
}

export const HTTP_OPTIONS = token<HttpOptions>('HttpOptions');
