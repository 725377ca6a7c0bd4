import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import type { LogFields, Logger } from '../../src/application/ports/logger.js';
import { FixedClock } from '../../src/adapters/clock/fixed-clock.js';
import type { LogLevel } from '../../src/adapters/logging/levels.js';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { REDACTED } from '../../src/adapters/logging/redact.js';
import { WinstonLogger } from '../../src/adapters/logging/winston-logger.js';

interface Written {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

interface Subject {
  readonly name: string;
  /** A logger at `level` and a reader of what it has written so far, as plain data. */
  make(level: LogLevel): { logger: Logger; written(): Promise<Written[]> };
}

const NOW = '2026-03-01T12:00:00.000Z';

const subjects: readonly Subject[] = [
  {
    name: 'WinstonLogger',
    make(level) {
      const stream = new PassThrough();
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      const logger = new WinstonLogger({ level, stream, clock: new FixedClock(NOW) });
      return {
        logger,
        async written() {
          await new Promise((resolve) => setImmediate(resolve));
          return text
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => {
              const {
                timestamp,
                level: written,
                message,
                ...fields
              } = JSON.parse(line) as Record<string, unknown>;
              expect(timestamp).to.equal(NOW);
              return { level: String(written), message: String(message), fields };
            });
        },
      };
    },
  },
  {
    name: 'MemoryLogger',
    make(level) {
      const logger = new MemoryLogger(level);
      return {
        logger,
        written: async () =>
          logger.entries.map((e) => ({
            level: e.level,
            message: e.message,
            fields: { ...e.fields },
          })),
      };
    },
  },
];

const TOKEN =
  'v4.public.eyJzdWIiOiIxIiwiaWF0IjoiMjAyNi0wMy0wMVQxMjowMDowMFoifQ-signature-part.eyJraWQiOiJhIn0';

/** Logs one entry at every level, most verbose first. */
function logEveryLevel(logger: Logger): void {
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
}

for (const subject of subjects) {
  describe(`Logger contract: ${subject.name}`, () => {
    const thresholds: ReadonlyArray<readonly [LogLevel, readonly string[]]> = [
      ['debug', ['debug', 'info', 'warn', 'error']],
      ['info', ['info', 'warn', 'error']],
      ['warn', ['warn', 'error']],
      ['error', ['error']],
      ['silent', []],
    ];
    for (const [threshold, expected] of thresholds) {
      it(`at level "${threshold}" writes ${expected.length === 0 ? 'nothing' : expected.join(', ')}`, async () => {
        const { logger, written } = subject.make(threshold);
        logEveryLevel(logger);
        const entries = await written();
        expect(entries.map((e) => e.level)).to.deep.equal(expected);
        expect(entries.map((e) => e.message)).to.deep.equal(expected.map((level) => level[0]));
      });
    }

    it('says which levels it writes', () => {
      for (const [threshold, expected] of thresholds) {
        const { logger } = subject.make(threshold);
        for (const level of ['debug', 'info', 'warn', 'error'] as const)
          expect(logger.isEnabled(level), `${level} at ${threshold}`).to.equal(
            expected.includes(level),
          );
      }
    });

    it('keeps the order, the level, the message and the fields', async () => {
      const { logger, written } = subject.make('debug');
      logger.info('request handled', {
        event: 'api_request',
        status: 200,
        ok: true,
        route: '/users/:id',
        user_id: 7,
        nothing: null,
        at: new Date('2026-03-01T12:00:00.500Z'),
        user: { id: 7, roles: ['admin', 'user'], profile: { locale: 'fr-FR' } },
      });
      logger.error('failed', { event: 'api_error' });
      logger.debug('no fields');
      expect(await written()).to.deep.equal([
        {
          level: 'info',
          message: 'request handled',
          fields: {
            event: 'api_request',
            status: 200,
            ok: true,
            route: '/users/:id',
            user_id: 7,
            nothing: null,
            at: '2026-03-01T12:00:00.500Z',
            user: { id: 7, roles: ['admin', 'user'], profile: { locale: 'fr-FR' } },
          },
        },
        { level: 'error', message: 'failed', fields: { event: 'api_error' } },
        { level: 'debug', message: 'no fields', fields: {} },
      ]);
    });

    it('writes an error field as its name, message, code and stack', async () => {
      const { logger, written } = subject.make('debug');
      logger.error('boom', {
        error: Object.assign(new Error('disk full'), { code: 'ENOSPC', extra: 'dropped' }),
      });
      const [entry] = await written();
      const error = entry!.fields['error'] as Record<string, unknown>;
      expect(error).to.include({ name: 'Error', message: 'disk full', code: 'ENOSPC' });
      expect(error['stack']).to.be.a('string').and.contain('disk full');
      expect(error).to.not.have.property('extra');
    });

    it('redacts secrets by key, at any depth and inside arrays', async () => {
      const { logger, written } = subject.make('debug');
      logger.warn('login attempt', {
        password: 'Passw0rdOk',
        access_token: 'at-123456',
        headers: { Authorization: 'Bearer abc.def', accept: 'application/json', COOKIE: 'sid=1' },
        body: {
          username: 'ada',
          user: { new_password: 'Sup3rS3cret' },
          items: [{ refresh_token: 'r1' }, { note: 'kept' }],
        },
      });
      const [entry] = await written();
      expect(entry!.fields).to.deep.equal({
        password: REDACTED,
        access_token: REDACTED,
        headers: { Authorization: REDACTED, accept: 'application/json', COOKIE: REDACTED },
        body: {
          username: 'ada',
          user: { new_password: REDACTED },
          items: [{ refresh_token: REDACTED }, { note: 'kept' }],
        },
      });
      const text = JSON.stringify(entry);
      for (const secret of ['Passw0rdOk', 'at-123456', 'abc.def', 'sid=1', 'Sup3rS3cret', 'r1']) {
        expect(text, secret).to.not.contain(secret);
      }
    });

    it('masks tokens and credentials inside the message and ordinary strings', async () => {
      const { logger, written } = subject.make('debug');
      logger.info(`token ${TOKEN} refused`, {
        path: `/api/v1/users?access_token=${TOKEN}&page=2`,
        header: `Bearer ${TOKEN}`,
        url: 'postgres://app:s3cr3t@db:5432/users',
      });
      const [entry] = await written();
      expect(entry!.message).to.equal(`token ${REDACTED} refused`);
      expect(entry!.fields).to.deep.equal({
        path: `/api/v1/users?access_token=${REDACTED}&page=2`,
        header: `Bearer ${REDACTED}`,
        url: `postgres://app:${REDACTED}@db:5432/users`,
      });
    });

    it('leaves the fields it was given unchanged', async () => {
      const { logger, written } = subject.make('debug');
      const fields: LogFields = {
        password: 'p',
        nested: { token: 't', keep: 1 },
        list: [{ secret: 's' }],
      };
      const copy = structuredClone(fields);
      logger.info('x', fields);
      await written();
      expect(fields).to.deep.equal(copy);
    });
  });
}
