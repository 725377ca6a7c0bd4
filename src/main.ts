/**
 * The service's entry point: reads the config, builds the container, creates the first admin
 * when asked to, serves HTTP, and drains on SIGTERM or SIGINT. Containers and process managers
 * should run `node dist/src/main.js` directly: npm does not pass SIGTERM through its shell.
 */
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { LOGGER, type Logger } from './application/ports/logger.js';
import { buildApp } from './adapters/http/app.js';
import { ensureConfiguredAdmin } from './composition-root/bootstrap.js';
import { buildService, type Service } from './composition-root/container.js';
import { ConfigError, loadConfig } from './config/config.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const service: Service = await buildService(config);
  const logger = service.container.resolve<Logger>(LOGGER);
  await ensureConfiguredAdmin(service.container, config);
  const app = buildApp(service.container);
  const http = createServer(app.callback());
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { event: 'stopping', signal });
    const force = setTimeout(() => {
      logger.warn('forced exit', { event: 'forced_exit', timeout_ms: SHUTDOWN_TIMEOUT_MS });
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    http.close(() => {
      service
        .close()
        .then(() => {
          logger.info('stopped', { event: 'stopped' });
          process.exit(0);
        })
        .catch((error: unknown) => {
          logger.error('shutdown failed', { event: 'shutdown_failed', error: String(error) });
          process.exit(1);
        });
    });
    http.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await listen(http, config.server.port);
  logger.info('listening', {
    event: 'started',
    port: config.server.port,
    storage: config.database.url === null ? `embedded (${config.database.dataDir})` : 'postgresql',
    env: config.env,
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('The service could not start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
