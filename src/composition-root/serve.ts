/**
 * What `main.ts` runs once it has set the V8 flags of the store: the primary of a node:cluster
 * (WEB_CONCURRENCY > 1) or one serving process, which is also what each worker runs.
 */
import 'reflect-metadata';
import cluster from 'node:cluster';
import { LOGGER, type Logger } from '../application/ports/logger.js';
import { buildApp } from '../adapters/http/app.js';
import type { AppConfig } from '../config/config.js';
import { ensureConfiguredAdmin, startedLine } from './bootstrap.js';
import { runPrimary } from './cluster.js';
import { createDrainableServer } from './http-server.js';
import { buildService, type Service } from './container.js';
import { collectStartupGarbage } from './v8-flags.js';

export async function run(config: AppConfig): Promise<void> {
  if (config.server.webConcurrency > 1 && cluster.isPrimary) return runPrimary(config);
  return serve(config);
}

/** One serving process: the whole service, or one worker of a cluster. */
async function serve(config: AppConfig): Promise<void> {
  const service: Service = await buildService(config);
  const logger = service.container.resolve<Logger>(LOGGER);
  // A cluster's primary has created the admin before forking its workers.
  if (!cluster.isWorker) await ensureConfiguredAdmin(service.container, config);
  const app = buildApp(service.container);
  for (const pruner of service.pruners) pruner.start();
  service.dispatcher.start();
  const http = createDrainableServer(app.callback(), config.server);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { event: 'stopping', signal });
    service.startDraining();
    // Requests already received get until the timeout; then their connections are cut.
    const timeoutMs = config.server.shutdownTimeoutS * 1000;
    const force = setTimeout(() => {
      logger.warn('forced exit', {
        event: 'forced_exit',
        timeout_ms: timeoutMs,
        open_connections: 'closed',
      });
      http.server.closeAllConnections();
      void service.close().finally(() => process.exit(1));
    }, timeoutMs);
    force.unref();
    void http.drain().then(() =>
      service
        .close()
        .then(() => {
          logger.info('stopped', { event: 'stopped' });
          process.exit(0);
        })
        .catch((error: unknown) => {
          logger.error('shutdown failed', { event: 'shutdown_failed', error: String(error) });
          process.exit(1);
        }),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await http.listen(config.server.port);
  // What starting left behind (the migrations, the pruners' first runs, the documents built once)
  // is collected now, in both threads, where the flags exposed V8's gc: on the embedded store.
  if (config.database.url === null) {
    await service.persistence.settle?.();
    collectStartupGarbage();
  }
  const { message, url, docs } = startedLine(config.server.port);
  logger.info(message, {
    // A worker's start is one part of the cluster's; the primary logs `started` once all serve.
    ...(cluster.isWorker ? { event: 'worker_started', pid: process.pid } : { event: 'started' }),
    port: config.server.port,
    url,
    docs,
    storage: config.database.url === null ? `embedded (${config.database.dataDir})` : 'postgresql',
    env: config.env,
  });
}
