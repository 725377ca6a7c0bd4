/**
 * Two instances of the service on one PostgreSQL database, each with its dispatcher running, and a
 * backlog of mails in the outbox: the test's SMTP server receives each mail exactly once, and each
 * recipient's mails in the order they were queued.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { buildService, type Service } from '../../src/composition-root/container.js';
import { testConfig } from '../../src/config/config.js';
import {
  createTestDatabase,
  describeUrl,
  postgresAvailable,
  testServerUrl,
  type TestDatabase,
} from '../support/postgres.js';
import { TestSmtpServer } from '../support/smtp-server.js';

const MAILS = 60;
const RECIPIENTS = 12;

describe('scale-out: two dispatchers on one PostgreSQL', function () {
  this.timeout(90_000);
  let database: TestDatabase | undefined;
  let smtp: TestSmtpServer | undefined;
  const services: Service[] = [];
  const loggers: MemoryLogger[] = [];

  before(async function () {
    if (!(await postgresAvailable())) {
      const where = describeUrl(testServerUrl());
      if (process.env.CI === 'true')
        throw new Error(
          `PostgreSQL was not reachable at ${where}; CI requires it for the scale-out test.`,
        );
      console.warn(
        `\n  PostgreSQL was not reachable at ${where}, so the mail scale-out test was skipped.\n`,
      );
      this.skip();
    }
    database = await createTestDatabase();
    smtp = await TestSmtpServer.start();
    const config = testConfig({
      database: { url: database.url },
      mail: { smtpUrl: smtp.url, from: 'no-reply@example.com' },
    });
    for (let i = 0; i < 2; i += 1) {
      const logger = new MemoryLogger('debug');
      loggers.push(logger);
      services.push(
        await buildService(config, { logger, dispatcher: { pollMs: 20, batchSize: 5 } }),
      );
    }
  });

  after(async () => {
    for (const service of services.splice(0)) await service.close();
    await smtp?.close();
    await database?.drop();
  });

  it('sends each mail of a backlog once, in order per recipient', async () => {
    const [a, b] = services as [Service, Service];
    const now = new Date();
    for (let i = 0; i < MAILS; i += 1) {
      await a.persistence.outbox.enqueue(
        {
          kind: 'password_reset',
          to: `r${i % RECIPIENTS}@example.com`,
          userId: null,
          data: { username: `r${i % RECIPIENTS}`, token: `t${String(i).padStart(3, '0')}` },
        },
        now,
      );
    }
    a.dispatcher.start();
    b.dispatcher.start();
    const received = await smtp!.waitFor(MAILS, 60_000);
    // Anything sent twice would arrive within a few more polls.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp!.received).to.have.length(MAILS);
    const tokens = received.map((m) => /#token=(t\d+)/.exec(m.text)![1]!);
    expect(new Set(tokens).size).to.equal(MAILS);
    for (let r = 0; r < RECIPIENTS; r += 1) {
      const mine = received
        .filter((m) => m.to[0] === `r${r}@example.com`)
        .map((m) => /#token=(t\d+)/.exec(m.text)![1]!);
      expect(mine, `r${r}`).to.deep.equal([...mine].sort());
    }
    expect(await a.persistence.outbox.stats()).to.deep.equal({ backlog: 0, oldestPendingAt: null });
    const sentBy = loggers.map((logger) => logger.find('mail_sent').length);
    expect(sentBy[0]! + sentBy[1]!).to.equal(MAILS);
    expect(
      sentBy.every((n) => n > 0),
      `sent by each: ${sentBy.join(', ')}`,
    ).to.equal(true);
  });
});
