/**
 * The mail server goes away for a while. Sign-ups are answered as usual (their mails wait in the
 * outbox); the dispatcher retries; when the server is back every mail arrives, once.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import supertest from 'supertest';
import { buildApp } from '../../src/adapters/http/app.js';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { buildService, type Service } from '../../src/composition-root/container.js';
import { testConfig } from '../../src/config/config.js';
import { PASSWORD } from '../support/api.js';
import { describeStorages } from '../support/storage.js';
import { TestSmtpServer } from '../support/smtp-server.js';

const USERS = 5;

describeStorages(
  'faults: the mail server down for a while',
  ['in-memory', 'postgresql'],
  (target) => {
    let smtp: TestSmtpServer;
    let service: Service;
    let dispose: () => Promise<void>;
    const logger = new MemoryLogger('debug');

    before(async function () {
      this.timeout(60_000);
      smtp = await TestSmtpServer.start();
      const store = await target.open();
      dispose = () => store.dispose();
      const config = testConfig({
        mail: { smtpUrl: smtp.url, from: 'no-reply@example.com', retryMaxDelayS: 1 },
      });
      service = await buildService(config, {
        persistence: store,
        logger,
        dispatcher: { pollMs: 20, baseDelayMs: 50 },
      });
      service.dispatcher.start();
    });

    after(async () => {
      await service.close();
      await dispose();
      await smtp.close();
    });

    it('answers while it is down, and delivers every mail once when it is back', async function () {
      this.timeout(60_000);
      await smtp.down();
      const http = supertest(buildApp(service.container).callback());
      for (let i = 0; i < USERS; i += 1) {
        const res = await http
          .post('/api/v1/users')
          .send({ email: `outage${i}@example.com`, username: `outage${i}`, password: PASSWORD });
        // Answered while the mail server refuses every connection: the mail waits in the outbox.
        expect(res.status).to.equal(201);
      }
      // Several tries fail meanwhile; nothing is lost or given up.
      while (logger.find('mail_retry').length < 2 * USERS)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(smtp.received).to.deep.equal([]);
      expect(logger.find('mail_failed')).to.deep.equal([]);
      expect((await service.persistence.outbox.stats()).backlog).to.equal(USERS);

      await smtp.up();
      const received = await smtp.waitFor(USERS, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(smtp.received).to.have.length(USERS);
      expect(received.map((m) => m.to[0]).sort()).to.deep.equal(
        Array.from({ length: USERS }, (_, i) => `outage${i}@example.com`).sort(),
      );
      expect(received.every((m) => m.subject === 'Confirm your email address')).to.equal(true);
      expect((await service.persistence.outbox.stats()).backlog).to.equal(0);
    });
  },
);
