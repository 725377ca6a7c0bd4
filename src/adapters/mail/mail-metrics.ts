import { Counter, Gauge, Registry } from '../metrics/prom-client.js';
import type { Clock } from '../../application/ports/clock.js';
import type { OutboxQueue, OutboxStats } from '../../application/ports/outbox.js';

/**
 * The mail metrics: mails sent and failed (by kind) counted by this instance's dispatcher, and the
 * outbox's backlog and the age of its oldest pending mail, read from the store at scrape time, so
 * they agree across instances.
 */
export class MailMetrics {
  readonly registry = new Registry();
  readonly sent = new Counter({
    name: 'mail_sent_total',
    help: 'Mails the mail server accepted',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly failed = new Counter({
    name: 'mail_failed_total',
    help: 'Mails given up on (refused for good, or still failing when their retry time ran out)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private scrape: Promise<OutboxStats | null> | null = null;

  constructor(queue: OutboxQueue, clock: Clock) {
    // One read of the store per scrape serves both gauges; a store that does not answer leaves them as they were.
    const stats = () => {
      this.scrape ??= queue
        .stats()
        .catch(() => null)
        .finally(() => setImmediate(() => (this.scrape = null)));
      return this.scrape;
    };
    new Gauge({
      name: 'mail_outbox_backlog',
      help: 'Mails waiting in the outbox',
      registers: [this.registry],
      async collect() {
        const s = await stats();
        if (s !== null) this.set(s.backlog);
      },
    });
    new Gauge({
      name: 'mail_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest mail waiting in the outbox (0 when none waits)',
      registers: [this.registry],
      async collect() {
        const s = await stats();
        if (s !== null)
          this.set(
            s.oldestPendingAt === null
              ? 0
              : Math.max(0, (clock.now().getTime() - s.oldestPendingAt.getTime()) / 1000),
          );
      },
    });
  }
}
