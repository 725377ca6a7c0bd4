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

/** An answer not yet sent, linked to the ones before and after it (see `UnansweredList`). */
interface Unanswered {
  res: ServerResponse | null;
  prev: Unanswered | null;
  next: Unanswered | null;
}

/**
 * The answers not yet sent, as a list whose links are cleared when an answer leaves it. A `Set`
 * did this job before and kept answered requests, and all they reach, alive through
 * young-generation collections until the next full one (decision 0082); a removed node here
 * holds nothing.
 */
class UnansweredList {
  private readonly head: Unanswered = { res: null, prev: null, next: null };

  add(res: ServerResponse): Unanswered {
    const node: Unanswered = { res, prev: this.head, next: this.head.next };
    if (node.next !== null) node.next.prev = node;
    this.head.next = node;
    return node;
  }

  remove(node: Unanswered): void {
    if (node.prev === null) return;
    node.prev.next = node.next;
    if (node.next !== null) node.next.prev = node.prev;
    node.res = node.prev = node.next = null;
  }

  /** Empties the list, handing each answer to `visit`. */
  drain(visit: (res: ServerResponse) => void): void {
    for (let node = this.head.next; node !== null; ) {
      const { next, res } = node;
      this.remove(node);
      if (res !== null) visit(res);
      node = next;
    }
  }
}

export function createDrainableServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  timeouts: HttpServerTimeouts,
): DrainableServer {
  const unanswered = new UnansweredList();
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
        const node = unanswered.add(res);
        res.once('close', () => unanswered.remove(node));
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
      unanswered.drain((res) => {
        if (!res.headersSent) res.setHeader('Connection', 'close');
        else res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
      });
      server.closeIdleConnections();
      return closed;
    },
  };
}
