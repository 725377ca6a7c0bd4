/**
 * The whole service on a real port (127.0.0.1, a free one) on the in-memory store, for clients
 * that need a URL: a browser, fetch.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/adapters/http/app.js';
import { createInMemoryPersistence } from '../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import { startApi, type TestApi } from './api.js';

export interface ServedApi {
  readonly api: TestApi;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly baseUrl: string;
  close(): Promise<void>;
}

export async function serveApi(): Promise<ServedApi> {
  const api = await startApi(createInMemoryPersistence());
  const server = buildApp(api.service.container).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    api,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await api.close();
    },
  };
}
