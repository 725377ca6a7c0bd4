import { Redis } from 'ioredis';
import type { Logger } from '../../application/ports/logger.js';

/**
 * A Redis connection for short-lived shared state (login failures, rate limits). Commands never
 * wait long for Redis: while it is not connected they fail at once (no offline queue), and one
 * that gets no answer within a second fails, so callers can fall back to memory instead of
 * holding a request. The client keeps reconnecting in the background; losing and regaining Redis
 * is logged once each (the message of the error only: it names the host, never a password).
 * Commands issued in one turn of the event loop are auto-pipelined into one write, since a write
 * that wakes Redis is costly (BENCHMARKS.md).
 */
/** A command that gets no answer within this is a failure. */
const COMMAND_TIMEOUT_MS = 1_000;
/** How often the watchdog asks a connected Redis whether it still answers. */
const WATCHDOG_INTERVAL_MS = 1_000;

export function createRedisClient(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  });
  let down = false;
  const unavailable = (reason: string) => {
    if (down) return;
    down = true;
    logger.warn('redis unavailable', { event: 'redis_unavailable', error: reason });
  };
  // Every error event is handled here, so none is ever unhandled (which would crash the process).
  client.on('error', (error: Error) => unavailable(error.message));
  // A server that goes away closes the connection without an error: that is a loss all the same
  // (`reconnecting` follows only a close that was not asked for).
  client.on('reconnecting', () => unavailable('connection lost'));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('redis available again', { event: 'redis_available' });
  });
  watchForHang(client, () => unavailable(`no answer within ${COMMAND_TIMEOUT_MS} ms`));
  return client;
}

/**
 * A Redis that hangs (stopped, swapping, a network path that drops packets without a reset)
 * keeps its connection open, so the client stays 'ready' and every command waits its whole
 * timeout before the caller falls back: a second added to every request. Once a second, a PING
 * on the ready connection; when it times out (no answer within the command timeout), the
 * connection is given up and reopened (`disconnect(true)`). Until the reopened connection is
 * ready (ioredis waits for the server to answer its ready check), commands fail at once and
 * callers fall back without waiting; when the server answers again, the client is ready and used
 * again.
 */
function watchForHang(client: Redis, hung: () => void): void {
  let asking = false;
  const timer = setInterval(() => {
    if (asking || client.status !== 'ready') return;
    asking = true;
    // The PING has the client's own command timeout; a connection lost meanwhile fails it too,
    // but then the client is no longer 'ready' and is already reconnecting.
    client
      .ping()
      .catch((error: unknown) => {
        if (
          client.status !== 'ready' ||
          !/timed out/i.test(error instanceof Error ? error.message : '')
        )
          return;
        hung();
        client.disconnect(true);
      })
      .finally(() => {
        asking = false;
      });
  }, WATCHDOG_INTERVAL_MS);
  timer.unref();
  client.once('end', () => clearInterval(timer));
}

/** Closes the connection: politely when it is up, at once otherwise (it also stops reconnecting). */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // falls through
    }
  }
  client.disconnect();
}
