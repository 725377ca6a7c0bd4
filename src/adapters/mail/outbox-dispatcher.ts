import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import { MailDeliveryError, type Mailer } from '../../application/ports/mailer.js';
import type { ClaimedMail, OutboxQueue } from '../../application/ports/outbox.js';
import type { MailMetrics } from './mail-metrics.js';
import { renderMail, type TemplateContext } from './templates/index.js';

export interface DispatcherOptions extends TemplateContext {
  /** The wait between two looks at an outbox that had nothing due. */
  readonly pollMs: number;
  /** Mails claimed at once (to different recipients), sent side by side. */
  readonly batchSize: number;
  /** How long a claim holds its mails: longer than a send can take with every timeout. */
  readonly leaseMs: number;
  /** The wait before the first retry; each later one doubles it. */
  readonly baseDelayMs: number;
  /** No wait between tries is longer (MAIL_RETRY_MAX_DELAY_S). */
  readonly maxDelayMs: number;
  /** How long after it was queued a mail is retried before it is marked failed (MAIL_RETRY_FOR_S). */
  readonly retryForMs: number;
  /** A number in [0, 1) for the jitter; Math.random unless a test fixes it. */
  readonly random?: () => number;
}

export const DISPATCHER_DEFAULTS = {
  pollMs: 1_000,
  batchSize: 10,
  leaseMs: 5 * 60_000,
  baseDelayMs: 1_000,
} as const;

/**
 * The wait before try `attempts + 1`: the base doubled for each failure so far, times a jitter
 * between 0.8 and 1.2 (so that mails that failed together do not retry together), capped.
 */
export function retryDelayMs(
  attempts: number,
  options: Pick<DispatcherOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: number,
): number {
  const doubled = options.baseDelayMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(options.maxDelayMs, Math.round(doubled * (0.8 + 0.4 * random)));
}

/**
 * Sends what the outbox holds. Each pass claims a batch of due mails (a lease the store grants one
 * claim at a time, so two instances never send the same mail at once), sends them, and marks each
 * sent, or schedules its next try with backoff and jitter, or gives it up (a permanent refusal, or
 * the retry time is over) and logs it. A mail whose claim was lost before it was marked (a crash,
 * the database gone) is claimed again when the lease ends: at least once.
 *
 * `start` runs passes until `stop`, which stops claiming, finishes the mails in hand, and leaves
 * the rest for the next start. Tests drive it pass by pass with `runOnce` and `drain`.
 */
export class OutboxDispatcher {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly random: () => number;

  constructor(
    private readonly queue: OutboxQueue,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: MailMetrics,
    private readonly options: DispatcherOptions,
  ) {
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming and resolves once the mails in hand are settled. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** One pass: claims due mails and settles each. Resolves with how many it claimed. */
  async runOnce(): Promise<number> {
    const batch = await this.queue.claim(
      this.clock.now(),
      this.options.leaseMs,
      this.options.batchSize,
    );
    await Promise.all(batch.map((entry) => this.deliver(entry)));
    return batch.length;
  }

  /** Passes until nothing is due. */
  async drain(): Promise<void> {
    while ((await this.runOnce()) > 0);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.runOnce();
      } catch (error) {
        // The store is down: the outbox waits for it; nothing is lost.
        this.logger.warn('outbox not reachable', {
          event: 'mail_outbox_unavailable',
          error: String(error).slice(0, 300),
        });
      }
      // A full batch means more may be due: go on at once.
      if (this.running && claimed < this.options.batchSize) await this.pause(this.options.pollMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async deliver(entry: ClaimedMail): Promise<void> {
    const fields = { mail_id: entry.id, kind: entry.mail.kind, attempts: entry.attempts };
    try {
      await this.mailer.send(renderMail(entry.mail, this.options));
    } catch (error) {
      await this.settleFailure(entry, error, fields);
      return;
    }
    this.metrics.sent.inc({ kind: entry.mail.kind });
    try {
      await this.queue.markSent(entry.id, entry.claimId, this.clock.now());
      this.logger.info('mail sent', { event: 'mail_sent', ...fields });
    } catch (error) {
      // Sent but not marked: it goes again when its lease ends (at least once, never lost).
      this.logger.warn('mail sent but not marked sent', {
        event: 'mail_mark_failed',
        ...fields,
        error: String(error).slice(0, 300),
      });
    }
  }

  private async settleFailure(
    entry: ClaimedMail,
    error: unknown,
    fields: Record<string, unknown>,
  ): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    const permanent = error instanceof MailDeliveryError && error.permanent;
    const now = this.clock.now();
    const next = new Date(
      now.getTime() + retryDelayMs(entry.attempts, this.options, this.random()),
    );
    const expired = next.getTime() - entry.createdAt.getTime() > this.options.retryForMs;
    try {
      if (permanent || expired) {
        await this.queue.markFailed(entry.id, entry.claimId, now, reason);
        this.metrics.failed.inc({ kind: entry.mail.kind });
        this.logger.error('mail failed', {
          event: 'mail_failed',
          ...fields,
          permanent,
          error: reason.slice(0, 300),
        });
      } else {
        await this.queue.reschedule(entry.id, entry.claimId, next, reason);
        this.logger.warn('mail not sent; will retry', {
          event: 'mail_retry',
          ...fields,
          next_attempt_at: next.toISOString(),
          error: reason.slice(0, 300),
        });
      }
    } catch (storeError) {
      // The claim lapses with its lease and the mail is tried again then.
      this.logger.warn('mail failure not recorded', {
        event: 'mail_mark_failed',
        ...fields,
        error: String(storeError).slice(0, 300),
      });
    }
  }
}
