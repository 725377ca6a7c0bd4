import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';

/** A store whose old rows go in batches: each call deletes at most `limit` rows older than `before`. */
export interface Prunable {
  pruneBatch(before: Date, limit: number): Promise<number>;
}

export interface RetentionPrunerOptions {
  /** Names the log events: `<name>_pruned`, `<name>_prune_failed`. */
  readonly name: string;
  readonly retentionDays: number;
  /** Events deleted per statement: each batch is a short transaction of its own. */
  readonly batchSize?: number;
  /** Between two runs. */
  readonly intervalMs?: number;
}

const DAY_MS = 86_400_000;

/**
 * Deletes rows older than the retention (audit events, settled mails), a batch at a time, so no
 * transaction holds many rows locked and writers never wait behind it. Every instance runs one per
 * store: batches skip the rows another pruner holds, so instances share the work instead of queueing.
 */
export class RetentionPruner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private readonly batchSize: number;
  private readonly intervalMs: number;

  constructor(
    private readonly store: Prunable,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: RetentionPrunerOptions,
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.intervalMs = options.intervalMs ?? 3_600_000;
  }

  /** Prunes until nothing is older than the retention (or the pruner stops); returns how many went. */
  async pruneOnce(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.options.retentionDays * DAY_MS);
    let pruned = 0;
    while (!this.stopped) {
      const n = await this.store.pruneBatch(before, this.batchSize);
      pruned += n;
      if (n < this.batchSize) break;
    }
    if (pruned > 0)
      this.logger.info('rows pruned', {
        event: `${this.options.name}_pruned`,
        count: pruned,
        before: before.toISOString(),
      });
    return pruned;
  }

  /** Runs now and then every interval, in the background; failures are logged, never thrown. */
  start(): void {
    if (this.timer !== null || this.stopped) return;
    const tick = () => {
      if (this.running !== null || this.stopped) return;
      this.running = this.pruneOnce()
        .catch((error: unknown) =>
          this.logger.warn('pruning failed', {
            event: `${this.options.name}_prune_failed`,
            error: String(error),
          }),
        )
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    tick();
  }

  /** Stops the schedule and waits for a run in progress to finish its batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
