/**
 * The dispatcher on the in-memory store with a fixed clock and the in-memory mailer: retries
 * with backoff and jitter as the contract says, gives up when the retry time is over or the
 * server refuses for good, keeps a recipient's mails in order, finishes the mail in hand when
 * stopped, and counts what it does.
 */
import { expect } from 'chai';
import { FixedClock } from '../../../../src/adapters/clock/fixed-clock.js';
import { MemoryLogger } from '../../../../src/adapters/logging/memory-logger.js';
import { MailMetrics } from '../../../../src/adapters/mail/mail-metrics.js';
import { MemoryMailer } from '../../../../src/adapters/mail/memory-mailer.js';
import {
  DISPATCHER_DEFAULTS,
  OutboxDispatcher,
  retryDelayMs,
  type DispatcherOptions,
} from '../../../../src/adapters/mail/outbox-dispatcher.js';
import { createInMemoryPersistence } from '../../../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import type { Mailer, MailMessage } from '../../../../src/application/ports/mailer.js';
import type { Mail } from '../../../../src/application/ports/outbox.js';
import { latch } from '../../../contract/helpers.js';

const SECOND = 1000;
const OPTIONS: DispatcherOptions = {
  ...DISPATCHER_DEFAULTS,
  appUrl: 'https://app.example.com',
  maxDelayMs: 60 * SECOND,
  retryForMs: 86_400 * SECOND,
};

function setup(options: Partial<DispatcherOptions> = {}, mailer: Mailer = new MemoryMailer()) {
  const store = createInMemoryPersistence();
  const clock = new FixedClock('2026-12-03T10:00:00.000Z');
  const logger = new MemoryLogger('debug');
  const metrics = new MailMetrics(store.outbox, clock);
  const dispatcher = new OutboxDispatcher(store.outbox, mailer, clock, logger, metrics, {
    ...OPTIONS,
    random: () => 0.5,
    ...options,
  });
  const enqueue = (mail: Mail) => store.outbox.enqueue(mail, clock.now());
  return { store, clock, logger, metrics, dispatcher, enqueue, mailer };
}

const reset = (to: string, token = 'tok'): Mail => ({
  kind: 'password_reset',
  to,
  userId: null,
  data: { username: 'ada', token },
});

describe('OutboxDispatcher', () => {
  it('waits about a second before the first retry, then twice as long each time, never more than the cap', () => {
    const options = { baseDelayMs: 1000, maxDelayMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelayMs(n, options, 0.5))).to.deep.equal([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000,
    ]);
    // The jitter stays within a fifth either way, and the cap holds with it.
    expect(retryDelayMs(1, options, 0)).to.equal(800);
    expect(retryDelayMs(1, options, 0.9999)).to.be.within(1199, 1200);
    expect(retryDelayMs(6, options, 0.9999)).to.equal(38_399);
    expect(retryDelayMs(8, options, 0.9999)).to.equal(60_000);
    expect(retryDelayMs(200, options, 0.9999)).to.equal(60_000);
  });

  it('renders and sends a queued mail, marks it sent, and counts it', async () => {
    const { dispatcher, enqueue, mailer, store, metrics } = setup();
    await enqueue(reset('ada@example.com', 'abc'));
    await dispatcher.drain();
    const sent = (mailer as MemoryMailer).sent;
    expect(sent).to.have.length(1);
    expect(sent[0]!.to).to.equal('ada@example.com');
    expect(sent[0]!.subject).to.equal('Reset your password');
    expect(sent[0]!.text).to.contain('https://app.example.com/reset-password#token=abc');
    expect(sent[0]!.html).to.contain('href="https://app.example.com/reset-password#token=abc"');
    expect(await store.outbox.stats()).to.deep.equal({ backlog: 0, oldestPendingAt: null });
    expect(await metrics.registry.getSingleMetricAsString('mail_sent_total')).to.contain(
      'mail_sent_total{kind="password_reset"} 1',
    );
  });

  it('retries a refused mail after about 1 s, then 2 s, then 4 s, and sends it once the server takes it', async () => {
    const mailer = new MemoryMailer();
    const { dispatcher, enqueue, clock, logger } = setup({}, mailer);
    mailer.refuseNext(3);
    await enqueue(reset('ada@example.com'));
    expect(await dispatcher.runOnce()).to.equal(1);
    for (const wait of [1000, 2000, 4000]) {
      clock.advance(wait - 1);
      expect(await dispatcher.runOnce(), `not due ${wait - 1} ms after`).to.equal(0);
      clock.advance(1);
      expect(await dispatcher.runOnce(), `due ${wait} ms after`).to.equal(1);
    }
    expect(mailer.sent).to.have.length(1);
    expect(logger.find('mail_retry').map((e) => e.fields['attempts'])).to.deep.equal([1, 2, 3]);
  });

  it('gives a mail up when its retry time is over, logs it and counts it', async () => {
    const mailer = new MemoryMailer();
    const { dispatcher, enqueue, clock, logger, store, metrics } = setup(
      { retryForMs: 10 * SECOND },
      mailer,
    );
    mailer.refuseNext(1000);
    await enqueue(reset('ada@example.com'));
    let tries = 0;
    for (let i = 0; i < 200; i += 1) {
      tries += await dispatcher.runOnce();
      clock.advance(100);
    }
    // Tries at 0, 1, 3 and 7 s; the next would come after the 10 s, so the mail is failed at the fourth.
    expect(tries).to.equal(4);
    expect(logger.find('mail_failed')).to.have.length(1);
    expect(logger.find('mail_failed')[0]!.level).to.equal('error');
    expect(await store.outbox.stats()).to.deep.equal({ backlog: 0, oldestPendingAt: null });
    expect(await metrics.registry.getSingleMetricAsString('mail_failed_total')).to.contain(
      'mail_failed_total{kind="password_reset"} 1',
    );
  });

  it('gives a mail up at once when the server refuses it for good', async () => {
    const mailer = new MemoryMailer();
    const { dispatcher, enqueue, clock, logger } = setup({}, mailer);
    mailer.refuseNext(1, true);
    await enqueue(reset('nobody@example.com'));
    expect(await dispatcher.runOnce()).to.equal(1);
    clock.advance(3_600 * SECOND);
    expect(await dispatcher.runOnce()).to.equal(0);
    expect(logger.find('mail_failed')[0]!.fields['permanent']).to.equal(true);
    expect(mailer.sent).to.deep.equal([]);
  });

  it("keeps a recipient's mails in order while the first waits for a retry; others go on", async () => {
    const mailer = new MemoryMailer();
    const { dispatcher, enqueue, clock } = setup({}, mailer);
    await enqueue(reset('ada@example.com', 'first'));
    await enqueue(reset('bob@example.com', 'bob'));
    await enqueue(reset('ada@example.com', 'second'));
    mailer.refuseNext(1);
    await dispatcher.drain();
    expect(mailer.sent.map((m) => m.to)).to.deep.equal(['bob@example.com']);
    clock.advance(1000);
    await dispatcher.drain();
    const tokens = mailer.to('ada@example.com').map((m) => /token=(\w+)/.exec(m.text)![1]);
    expect(tokens).to.deep.equal(['first', 'second']);
  });

  it('stops claiming when stopped, but finishes the mail in hand first', async () => {
    const gate = latch();
    const sending = latch();
    const sent: MailMessage[] = [];
    const slow: Mailer = {
      async send(message) {
        sending.open();
        await gate.promise;
        sent.push(message);
      },
      async close() {},
    };
    const { dispatcher, enqueue, store } = setup({ pollMs: 10 }, slow);
    await enqueue(reset('ada@example.com'));
    dispatcher.start();
    await sending.promise;
    let stopped = false;
    const stopping = dispatcher.stop().then(() => (stopped = true));
    await enqueue(reset('bob@example.com'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped, 'stop waits for the mail in hand').to.equal(false);
    gate.open();
    await stopping;
    expect(sent.map((m) => m.to)).to.deep.equal(['ada@example.com']);
    // The mail in hand is marked sent; the one queued meanwhile waits for the next start.
    expect((await store.outbox.stats()).backlog).to.equal(1);
  });

  it('reports the backlog and the age of the oldest waiting mail', async () => {
    const { enqueue, clock, metrics } = setup();
    await enqueue(reset('ada@example.com'));
    clock.advance(30 * SECOND);
    await enqueue(reset('bob@example.com'));
    const text = await metrics.registry.metrics();
    expect(text).to.match(/^mail_outbox_backlog 2$/m);
    expect(text).to.match(/^mail_outbox_oldest_pending_age_seconds 30$/m);
  });
});
