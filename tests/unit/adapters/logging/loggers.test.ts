// What every Logger must do (levels, fields, redaction) is in tests/contract/logger.test.ts; this
// file keeps the redaction rules themselves and what is particular to each adapter.
import { expect } from 'chai';
import fc from 'fast-check';
import { PassThrough } from 'node:stream';
import { MemoryLogger } from '../../../../src/adapters/logging/memory-logger.js';
import { REDACTED, redact, redactText } from '../../../../src/adapters/logging/redact.js';
import { WinstonLogger } from '../../../../src/adapters/logging/winston-logger.js';

const TOKEN =
  'v4.public.eyJzdWIiOiIxIiwiaWF0IjoiMjAyNi0wMy0wMVQxMjowMDowMFoifQ-signature-part.eyJraWQiOiJhIn0';

describe('redact', () => {
  it('replaces the values of secret keys, whatever their case or spelling', () => {
    const fields = {
      password: 'p1',
      Password: 'p2',
      current_password: 'p3',
      newPassword: 'p4',
      access_token: 'a',
      refresh_token: 'r',
      token: 't',
      Authorization: 'Bearer x',
      secret: 's',
      clientSecret: 's2',
      cookie: 'c',
      'Set-Cookie': 'c2',
      api_key: 'k',
      'X-API-Key': 'k2',
      apiKey: 'k3',
      username: 'ada',
      status: 200,
    };
    const result = redact(fields);
    for (const key of Object.keys(fields).filter((k) => !['username', 'status'].includes(k))) {
      expect(result[key], key).to.equal(REDACTED);
    }
    expect(result).to.include({ username: 'ada', status: 200 });
  });

  it('reaches into nested objects and arrays', () => {
    const result = redact({
      request: {
        headers: { authorization: 'Bearer abc', accept: 'application/json' },
        body: { user: { new_password: 'x', name: 'n' } },
      },
      attempts: [{ password: 'a' }, { password: 'b', ok: true }, [{ ACCESS_TOKEN: 'c' }]],
    });
    expect(result).to.deep.equal({
      request: {
        headers: { authorization: REDACTED, accept: 'application/json' },
        body: { user: { new_password: REDACTED, name: 'n' } },
      },
      attempts: [
        { password: REDACTED },
        { password: REDACTED, ok: true },
        [{ ACCESS_TOKEN: REDACTED }],
      ],
    });
  });

  it('redacts a whole object kept under a secret key', () => {
    expect(redact({ tokens: { access: 'a', refresh: 'b' } })).to.deep.equal({ tokens: REDACTED });
  });

  it('masks tokens, keys and credentials inside ordinary strings', () => {
    const result = redact({
      path: `/api/v1/users?access_token=${TOKEN}&page=2`,
      header: `Bearer ${TOKEN}`,
      note: `key k4.secret.${'A'.repeat(86)} leaked`,
      url: 'postgres://app:s3cr3t@db:5432/users',
    });
    const text = JSON.stringify(result);
    expect(text)
      .to.not.contain('eyJzdWIi')
      .and.not.contain('AAAAAAAAAAAAAAAAAAAA')
      .and.not.contain('s3cr3t');
    expect(result['path']).to.equal(`/api/v1/users?access_token=${REDACTED}&page=2`);
    expect(result['url']).to.equal(`postgres://app:${REDACTED}@db:5432/users`);
  });

  it('masks every secret wherever it sits in a text, in any case, whatever surrounds it', () => {
    const body = fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/);
    const secret = fc.oneof(
      body.map((b) => ({ text: `v4.public.${b}`, hidden: b })),
      body.map((b) => ({ text: `k4.secret.${b}`, hidden: b })),
      fc
        .tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic'), body)
        .map(([scheme, b]) => ({ text: `${scheme} ${b}`, hidden: b })),
      fc
        .tuple(fc.constantFrom('access_token=', 'REFRESH_TOKEN='), body)
        .map(([key, b]) => ({ text: `?${key}${b}`, hidden: b })),
      body.map((b) => ({ text: `postgres://app:${b}@db/users`, hidden: b })),
    );
    // Surroundings of spaces and words: a secret is masked only where it stands as a word.
    const around = fc
      .stringMatching(/^[ a-zA-Z/.:,]{0,30}$/)
      .map((t) => (t === '' ? ' ' : ` ${t} `));
    fc.assert(
      fc.property(around, secret, around, (before, { text, hidden }, after) => {
        const result = redactText(`${before}${text}${after}`);
        expect(result).to.not.contain(hidden);
        expect(result).to.contain(REDACTED);
      }),
    );
  });

  it('gives back text that holds no secret unchanged', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        fc.pre(!/v[1-4]\.|k[1-4]\.|bearer|basic|_token=|@/i.test(text));
        expect(redactText(text)).to.equal(text);
      }),
    );
  });

  it('does not change its input', () => {
    const fields = { password: 'p', nested: { token: 't' }, list: [{ secret: 's' }] };
    const copy = structuredClone(fields);
    redact(fields);
    expect(fields).to.deep.equal(copy);
  });

  it('turns errors, dates and big integers into JSON and survives cycles', () => {
    const error = Object.assign(new Error('boom'), { code: 'E_BOOM', password: 'never' });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const result = redact({ error, at: new Date('2026-03-01T00:00:00Z'), big: 10n, cyclic });
    expect(result['error']).to.include({ name: 'Error', message: 'boom', code: 'E_BOOM' });
    expect((result['error'] as Record<string, unknown>)['stack']).to.be.a('string');
    expect(JSON.stringify(result)).to.not.contain('never');
    expect(result['at']).to.equal('2026-03-01T00:00:00.000Z');
    expect(result['big']).to.equal('10');
    expect(result['cyclic']).to.deep.equal({ name: 'loop', self: '[Circular]' });
  });
});

describe('WinstonLogger lines', () => {
  it('writes one JSON object per line with timestamp, level and message first, and keeps a clashing field', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const logger = new WinstonLogger({ level: 'info', stream });
    logger.info('one', { level: 'not-a-level', n: 1 });
    logger.info('two');
    await new Promise((resolve) => setImmediate(resolve));
    const lines = text.trimEnd().split('\n');
    expect(lines).to.have.length(2);
    const first = JSON.parse(lines[0]!);
    expect(Object.keys(first)).to.deep.equal(['timestamp', 'level', 'message', '_level', 'n']);
    expect(first.timestamp).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(first).to.include({ level: 'info', message: 'one', _level: 'not-a-level' });
  });
});

describe('MemoryLogger', () => {
  it('finds entries by message or event and forgets them on clear()', () => {
    const logger = new MemoryLogger();
    logger.info('listening', { event: 'started' });
    logger.debug('handled', { event: 'handler' });
    expect(logger.find('started')).to.have.length(1);
    expect(logger.find('handled')).to.have.length(1);
    logger.clear();
    expect(logger.entries).to.deep.equal([]);
  });
});
