/**
 * The Mailer contract, on the SMTP adapter (nodemailer, against a real SMTP server started here,
 * plain and TLS), the in-memory one and the development one that writes mails to the log: the
 * same assertions for each. Then what only the SMTP
 * adapter meets: the sender, refusals, and servers that drop, hang or are not there.
 */
import { expect } from 'chai';
import {
  MailDeliveryError,
  type Mailer,
  type MailMessage,
} from '../../src/application/ports/mailer.js';
import { MemoryMailer } from '../../src/adapters/mail/memory-mailer.js';
import { LogMailer } from '../../src/adapters/mail/log-mailer.js';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { SmtpMailer } from '../../src/adapters/mail/smtp-mailer.js';
import { freePort } from '../support/redis-server.js';
import { BadSmtpServer, TestSmtpServer } from '../support/smtp-server.js';

interface Received {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

interface Subject {
  readonly name: string;
  open(): Promise<{
    mailer: Mailer;
    received(count: number): Promise<Received[]>;
    close(): Promise<void>;
  }>;
}

const FROM = 'User Management <no-reply@example.com>';

const smtp = (secure: boolean): Subject => ({
  name: `SmtpMailer (${secure ? 'smtps://' : 'smtp://'})`,
  async open() {
    const server = await TestSmtpServer.start({ secure });
    const mailer = new SmtpMailer({ url: server.url, from: FROM });
    return {
      mailer,
      async received(count) {
        return (await server.waitFor(count)).map((m) => ({
          to: m.to[0]!,
          subject: m.subject,
          text: m.text,
          html: m.html,
        }));
      },
      async close() {
        await mailer.close();
        await server.close();
      },
    };
  },
});

const memory: Subject = {
  name: 'MemoryMailer',
  async open() {
    const mailer = new MemoryMailer();
    return { mailer, received: async () => [...mailer.sent], close: () => mailer.close() };
  },
};

const message = (n: number, overrides: Partial<MailMessage> = {}): MailMessage => ({
  to: `reader${n}@example.com`,
  subject: `Message ${n}`,
  text: `Hello reader ${n},\n\nhttp://localhost:3000/verify-email#token=abc${n}\n`,
  html: `<p>Hello reader ${n},</p><p><a href="http://localhost:3000/verify-email#token=abc${n}">Confirm</a></p>`,
  ...overrides,
});

/** Development without SMTP_URL: each mail, whole, in the log (as redacted as any line). */
const log: Subject = {
  name: 'LogMailer',
  async open() {
    const logger = new MemoryLogger('info');
    const mailer = new LogMailer(logger, FROM);
    return {
      mailer,
      received: async () =>
        logger.find('mail_logged').map((e) => {
          expect(e.fields['from']).to.equal(FROM);
          return {
            to: String(e.fields['to']),
            subject: String(e.fields['subject']),
            text: String(e.fields['text']),
            html: String(e.fields['html']),
          };
        }),
      close: () => mailer.close(),
    };
  },
};

for (const subject of [smtp(false), smtp(true), memory, log]) {
  describe(`Mailer contract: ${subject.name}`, () => {
    let opened: Awaited<ReturnType<Subject['open']>>;

    beforeEach(async () => {
      opened = await subject.open();
    });

    afterEach(async () => {
      await opened.close();
    });

    it('hands over a mail: its recipient, subject, text part and HTML part', async () => {
      await opened.mailer.send(message(1));
      const [mail] = await opened.received(1);
      expect(mail!.to).to.equal('reader1@example.com');
      expect(mail!.subject).to.equal('Message 1');
      expect(mail!.text.trim()).to.equal(message(1).text.trim());
      expect(mail!.html).to.contain(
        '<a href="http://localhost:3000/verify-email#token=abc1">Confirm</a>',
      );
    });

    it('keeps text that is not ASCII exactly, in the subject and both parts', async () => {
      const text = 'Grüße, Ærøskøbing: 密码 🔑 — “quoted”';
      await opened.mailer.send(message(2, { subject: text, text, html: `<p>${text}</p>` }));
      const [mail] = await opened.received(1);
      expect(mail!.subject).to.equal(text);
      expect(mail!.text.trim()).to.equal(text);
      expect(mail!.html).to.contain(text);
    });

    it('sends many mails side by side, each once', async () => {
      await Promise.all(Array.from({ length: 12 }, (_, i) => opened.mailer.send(message(i))));
      const mails = await opened.received(12);
      expect(mails.map((m) => m.to).sort()).to.deep.equal(
        Array.from({ length: 12 }, (_, i) => `reader${i}@example.com`).sort(),
      );
    });
  });
}

describe('SmtpMailer against servers that refuse, drop, hang or are gone', () => {
  const rejection = async (promise: Promise<unknown>): Promise<MailDeliveryError> => {
    try {
      await promise;
    } catch (error) {
      expect(error).to.be.instanceOf(MailDeliveryError);
      return error as MailDeliveryError;
    }
    throw new Error('expected the send to fail');
  };

  it('puts MAIL_FROM in the envelope and the From header', async () => {
    const server = await TestSmtpServer.start();
    const mailer = new SmtpMailer({ url: server.url, from: FROM });
    try {
      await mailer.send(message(1));
      const [mail] = await server.waitFor(1);
      expect(mail!.from).to.equal('no-reply@example.com');
      expect(mail!.parsed.from?.text).to.equal('"User Management" <no-reply@example.com>');
    } finally {
      await mailer.close();
      await server.close();
    }
  });

  it('a 4xx refusal is temporary and a 5xx refusal permanent', async () => {
    const server = await TestSmtpServer.start();
    const mailer = new SmtpMailer({ url: server.url, from: FROM });
    try {
      server.refuseWith = [451, 'Try again later'];
      const temporary = await rejection(mailer.send(message(1)));
      expect(temporary.permanent).to.equal(false);
      expect(temporary.message).to.contain('451');
      server.refuseWith = [550, 'No such mailbox'];
      const permanent = await rejection(mailer.send(message(2)));
      expect(permanent.permanent).to.equal(true);
      expect(permanent.message).to.contain('550');
      server.refuseWith = null;
      await mailer.send(message(3));
      expect((await server.waitFor(1)).map((m) => m.to[0])).to.deep.equal(['reader3@example.com']);
    } finally {
      await mailer.close();
      await server.close();
    }
  });

  it('a connection dropped before the greeting is a temporary failure', async () => {
    const server = await BadSmtpServer.dropping();
    const mailer = new SmtpMailer({ url: server.url, from: FROM, greetingTimeoutMs: 500 });
    try {
      expect((await rejection(mailer.send(message(1)))).permanent).to.equal(false);
    } finally {
      await mailer.close();
      await server.close();
    }
  });

  it('a server that never greets fails the mail at the greeting timeout instead of holding it', async () => {
    const server = await BadSmtpServer.silent();
    const mailer = new SmtpMailer({
      url: server.url,
      from: FROM,
      greetingTimeoutMs: 300,
      socketTimeoutMs: 300,
    });
    try {
      const started = Date.now();
      const error = await rejection(mailer.send(message(1)));
      expect(error.permanent).to.equal(false);
      expect(error.message).to.match(/ETIMEDOUT|timeout/i);
      expect(Date.now() - started).to.be.lessThan(10_000);
    } finally {
      await mailer.close();
      await server.close();
    }
  });

  it('a server that is not there is a temporary failure', async () => {
    const mailer = new SmtpMailer({
      url: `smtp://127.0.0.1:${await freePort()}`,
      from: FROM,
      connectionTimeoutMs: 1_000,
    });
    try {
      const error = await rejection(mailer.send(message(1)));
      expect(error.permanent).to.equal(false);
      expect(error.message).to.contain('ECONNREFUSED');
    } finally {
      await mailer.close();
    }
  });
});
