/**
 * The HTTP server of one serving process: its timeouts, and a drain that ends even under
 * continuous load from keep-alive clients.
 *
 * Closing the listener alone never finishes while busy keep-alive connections keep bringing new
 * requests. So once draining starts, every answer not yet sent carries `Connection: close` and
 * Node closes its connection after it; idle connections are closed at once, and any that turns
 * idle later (its answer was already on its way when the drain began) as soon as it does.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

// Required, not imported: importing `node:http` as a module reads all its exports, and reading
// `http.WebSocket` loads Node's fetch implementation (undici) (decision 0078).
const { createServer } = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export interface HttpServerTimeouts {
  readonly headersTimeoutS: number;
  readonly requestTimeoutS: number;
  readonly keepAliveTimeoutS: number;
}

export interface DrainableServer {
  readonly server: Server;
  listen(port: number): Promise<void>;
  /** Stops accepting, closes every connection after its answer; resolves once all are closed. */
  drain(): Promise<void>;
}

/** How often Node looks for connections past their headers or request timeout. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export function createDrainableServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  timeouts: HttpServerTimeouts,
): DrainableServer {
  const unanswered = new Set<ServerResponse>();
  let draining = false;
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutS * 1000,
      requestTimeout: timeouts.requestTimeoutS * 1000,
      keepAliveTimeout: timeouts.keepAliveTimeoutS * 1000,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    (req, res) => {
      if (draining) {
        res.setHeader('Connection', 'close');
      } else {
        unanswered.add(res);
        res.once('close', () => unanswered.delete(res));
      }
      handler(req, res);
    },
  );
  return {
    server,
    listen(port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    drain() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of unanswered) {
        if (!res.headersSent) res.setHeader('Connection', 'close');
        else res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
      }
      unanswered.clear();
      server.closeIdleConnections();
      return closed;
    },
  };
}
