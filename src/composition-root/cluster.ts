/**
 * WEB_CONCURRENCY > 1: the primary process of a node:cluster. It does the once-per-deployment
 * work first (migrations, the first admin), then forks the workers, each of which is the single
 * process `main.ts` runs otherwise, all accepting on the one port.
 *
 * - A worker that dies while the service runs is replaced (after a pause that doubles while the
 *   replacements keep failing to start, up to 30 s, so a crash loop does not spin).
 * - A worker that dies before the service has started at all stops the start (exit 1): the same
 *   cause (the port, the database, a setting) would stop every worker.
 * - SIGTERM and SIGINT are passed on to every worker, which drains as a single process does;
 *   the primary exits 0 once all of them have exited 0, and 1 otherwise or after
 *   SHUTDOWN_TIMEOUT_S and a few seconds of grace.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../application/ports/logger.js';
import { WinstonLogger } from '../adapters/logging/winston-logger.js';
import type { AppConfig } from '../config/config.js';
import { ensureConfiguredAdmin, startedLine } from './bootstrap.js';
import { buildService } from './container.js';

const MAX_RESTART_DELAY_MS = 30_000;
/** Beyond SHUTDOWN_TIMEOUT_S, for the workers to close their connections and exit. */
const EXIT_GRACE_MS = 5_000;

/** Runs what must happen once, before any worker starts: migrations and the first admin. */
async function prepare(config: AppConfig, logger: Logger): Promise<void> {
  // Opening the store applies the pending migrations (under PostgreSQL's advisory lock, so even
  // several primaries starting at once take turns).
  const service = await buildService(config, { logger });
  try {
    await ensureConfiguredAdmin(service.container, config);
  } finally {
    await service.close();
  }
}

export async function runPrimary(config: AppConfig): Promise<void> {
  const logger = new WinstonLogger({ level: config.log.level });
  await prepare(config, logger);

  const wanted = config.server.webConcurrency;
  const live = new Set<Worker>();
  const serving = new Set<Worker>();
  let started = false;
  let stopping = false;
  let allClean = true;
  let restartDelayMs = 500;

  const fork = (): void => {
    const worker = cluster.fork();
    live.add(worker);
  };

  const finish = (): void => {
    logger.info('stopped', { event: 'stopped', workers: wanted });
    process.exit(allClean ? 0 : 1);
  };

  const stop = (signal: NodeJS.Signals, reason: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { event: 'stopping', signal, reason, workers: live.size });
    for (const worker of live) worker.process.kill(signal);
    const force = setTimeout(
      () => {
        logger.warn('forced exit', { event: 'forced_exit', workers_left: live.size });
        for (const worker of live) worker.process.kill('SIGKILL');
        process.exit(1);
      },
      config.server.shutdownTimeoutS * 1000 + EXIT_GRACE_MS,
    );
    force.unref();
    if (live.size === 0) finish();
  };

  cluster.on('listening', (worker) => {
    serving.add(worker);
    restartDelayMs = 500;
    if (!started && serving.size === wanted) {
      started = true;
      const { message, url, docs } = startedLine(config.server.port);
      logger.info(message, {
        event: 'started',
        port: config.server.port,
        url,
        docs,
        storage: 'postgresql',
        env: config.env,
        workers: wanted,
      });
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    const served = serving.delete(worker);
    if (stopping) {
      if (code !== 0) allClean = false;
      if (live.size === 0) finish();
      return;
    }
    const fields = { pid: worker.process.pid, code, signal };
    if (!started && !served) {
      logger.error('worker failed to start', { event: 'worker_failed', ...fields });
      allClean = false;
      stop('SIGTERM', 'worker_failed');
      return;
    }
    logger.warn('worker exited', {
      event: 'worker_exited',
      ...fields,
      restart_in_ms: served ? 0 : restartDelayMs,
    });
    if (served) {
      fork();
    } else {
      // A replacement that failed to start: wait longer before each new try.
      setTimeout(() => {
        if (!stopping) fork();
      }, restartDelayMs);
      restartDelayMs = Math.min(restartDelayMs * 2, MAX_RESTART_DELAY_MS);
    }
  });

  process.on('SIGTERM', () => stop('SIGTERM', 'signal'));
  process.on('SIGINT', () => stop('SIGINT', 'signal'));
  for (let i = 0; i < wanted; i++) fork();
}
