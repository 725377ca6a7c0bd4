import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { generateTokenKeyPair } from '../../../src/adapters/security/paserk-keys.js';
import { boolean, integer } from '../../../src/config/codecs.js';
import {
  CONFIG_DIR,
  ConfigError,
  decodeConfig,
  ENV_VARS,
  testConfig,
} from '../../../src/config/config.js';

const readJson = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${CONFIG_DIR}${name}`, 'utf8'));
const flatten = (o: Record<string, unknown>, prefix = ''): Array<[string, unknown]> =>
  Object.entries(o).flatMap(([k, v]) => {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? flatten(v as Record<string, unknown>, path)
      : [[path, v] as [string, unknown]];
  });

const merge = (
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> =>
  Object.fromEntries(
    [...new Set([...Object.keys(base), ...Object.keys(over)])].map((k) => {
      const [b, o] = [base[k], over[k]];
      const objects = [b, o].every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
      return [
        k,
        objects
          ? merge(b as Record<string, unknown>, o as Record<string, unknown>)
          : k in over
            ? o
            : b,
      ];
    }),
  );

/** The variables of API.md "Running", plus NODE_ENV. */
const API_VARIABLES = [
  'PORT',
  'DATABASE_URL',
  'DATABASE_READ_URL',
  'DATA_DIR',
  'REDIS_URL',
  'RATE_LIMIT_MAX',
  'RATE_LIMIT_WINDOW_S',
  'LOGIN_MAX_FAILURES',
  'LOGIN_LOCK_S',
  'ADMIN_EMAIL',
  'ADMIN_USERNAME',
  'ADMIN_PASSWORD',
  'ACCESS_TOKEN_TTL_S',
  'REFRESH_TOKEN_TTL_S',
  'TOKEN_ISSUER',
  'TOKEN_AUDIENCE',
  'TOKEN_SIGNING_KEY',
  'TOKEN_KEY_ID',
  'TOKEN_VERIFY_KEYS',
  'LOG_LEVEL',
  'TRUST_PROXY',
  'CORS_ORIGINS',
  'BODY_LIMIT_BYTES',
  'WEB_CONCURRENCY',
  'NODE_ENV',
  'AUDIT_RETENTION_DAYS',
  'APP_URL',
  'SMTP_URL',
  'MAIL_FROM',
  'EMAIL_VERIFICATION_REQUIRED',
  'PASSWORD_RESET_TTL_S',
  'EMAIL_TOKEN_TTL_S',
  'MAIL_RETRY_MAX_DELAY_S',
  'MAIL_RETRY_FOR_S',
];

/** Settings the service adds to the contract's list (documented in the README). */
const SERVICE_VARIABLES = [
  'SHUTDOWN_TIMEOUT_S',
  'DATABASE_SLOW_QUERY_MS',
  'REDIS_KEY_PREFIX',
  'HTTP_HEADERS_TIMEOUT_S',
  'HTTP_REQUEST_TIMEOUT_S',
  'HTTP_KEEP_ALIVE_TIMEOUT_S',
  'MAIL_REQUEST_MAX',
  'MAIL_REQUEST_WINDOW_S',
  'MAIL_OUTBOX_RETENTION_DAYS',
];

const pathOf = (env: string): string => ENV_VARS.find((v) => v.env === env)!.path;

/** The defaults with environment-style (string) values set, as node-config hands them over. */
function withEnv(vars: Record<string, string>): Record<string, unknown> {
  const raw = structuredClone(readJson('default.json'));
  for (const [env, value] of Object.entries(vars)) {
    const keys = pathOf(env).split('.');
    let node = raw;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[keys[keys.length - 1]!] = value;
  }
  return raw;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  describe('files', () => {
    it('maps every environment variable of the contract, each to a real setting, and nothing else', () => {
      const mapped = flatten(readJson('custom-environment-variables.json'));
      expect(mapped.map(([, env]) => env).sort()).to.deep.equal(
        [...API_VARIABLES, ...SERVICE_VARIABLES].sort(),
      );
      expect(Object.fromEntries(mapped)).to.deep.equal(
        Object.fromEntries(ENV_VARS.map((v) => [v.path, v.env])),
      );
    });

    it('gives every setting a home in config/default.json', () => {
      expect(
        flatten(readJson('default.json'))
          .map(([p]) => p)
          .sort(),
      ).to.deep.equal(ENV_VARS.map((v) => v.path).sort());
    });

    it('decodes the defaults of the contract', () => {
      const config = decodeConfig(readJson('default.json'));
      expect(config.env).to.equal('development');
      expect(config.server).to.deep.equal({
        port: 3000,
        trustProxy: false,
        bodyLimitBytes: 102_400,
        corsOrigins: [],
        webConcurrency: 1,
        shutdownTimeoutS: 10,
        headersTimeoutS: 20,
        requestTimeoutS: 60,
        keepAliveTimeoutS: 5,
      });
      expect(config.database).to.deep.equal({
        url: null,
        readUrl: null,
        dataDir: './data',
        slowQueryMs: 200,
      });
      expect(config.redis.url).to.equal(null);
      expect(config.rateLimit).to.deep.equal({ max: 100, windowS: 60 });
      expect(config.login).to.deep.equal({ maxFailures: 5, lockS: 900 });
      expect(config.admin).to.deep.equal({ email: null, username: null, password: null });
      expect(config.tokens).to.include({
        accessTtlS: 1800,
        refreshTtlS: 1_209_600,
        signingKey: null,
        keyId: null,
      });
      expect(config.tokens.verifyKeys).to.deep.equal([]);
      expect(config.mail).to.deep.equal({
        appUrl: 'http://localhost:3000',
        smtpUrl: null,
        from: 'User Management <no-reply@localhost>',
        verificationRequired: false,
        passwordResetTtlS: 1800,
        emailTokenTtlS: 86_400,
        retryMaxDelayS: 60,
        retryForS: 86_400,
        requestMax: 5,
        requestWindowS: 3600,
        outboxRetentionDays: 7,
      });
    });

    it('points mail links at this service on its port unless APP_URL names another place', () => {
      expect(decodeConfig(withEnv({ PORT: '8080' })).mail.appUrl).to.equal('http://localhost:8080');
      expect(decodeConfig(withEnv({ APP_URL: 'https://app.example.com/' })).mail.appUrl).to.equal(
        'https://app.example.com',
      );
      const mail = decodeConfig(
        withEnv({
          SMTP_URL: 'smtps://user:secret@mail.example.com:465',
          EMAIL_VERIFICATION_REQUIRED: 'true',
        }),
      ).mail;
      expect(mail.smtpUrl).to.equal('smtps://user:secret@mail.example.com:465');
      expect(mail.verificationRequired).to.equal(true);
    });

    it('decodes every environment file on top of the defaults', () => {
      for (const env of ['development', 'production', 'test']) {
        const config = decodeConfig(merge(readJson('default.json'), readJson(`${env}.json`)));
        expect(config.env).to.equal(env);
      }
    });
  });

  describe('decodeConfig', () => {
    it('decodes numeric and boolean strings from the environment', () => {
      const config = decodeConfig(
        withEnv({
          PORT: '8080',
          TRUST_PROXY: 'true',
          RATE_LIMIT_MAX: '7',
          LOGIN_LOCK_S: '60',
          ACCESS_TOKEN_TTL_S: '300',
          WEB_CONCURRENCY: '4',
          DATABASE_URL: 'postgres://app@db/users',
          BODY_LIMIT_BYTES: '1024',
          HTTP_HEADERS_TIMEOUT_S: '7',
          HTTP_REQUEST_TIMEOUT_S: '9',
          HTTP_KEEP_ALIVE_TIMEOUT_S: '11',
        }),
      );
      expect(config.server).to.include({
        port: 8080,
        trustProxy: true,
        webConcurrency: 4,
        bodyLimitBytes: 1024,
      });
      expect(config.server).to.include({
        headersTimeoutS: 7,
        requestTimeoutS: 9,
        keepAliveTimeoutS: 11,
      });
      expect(config.rateLimit.max).to.equal(7);
      expect(config.login.lockS).to.equal(60);
      expect(config.tokens.accessTtlS).to.equal(300);
      expect(decodeConfig(withEnv({ TRUST_PROXY: 'false' })).server.trustProxy).to.equal(false);
    });

    it('reads URLs, lists and keys in their environment form', async () => {
      const [a, b] = await Promise.all([generateTokenKeyPair(), generateTokenKeyPair()]);
      const config = decodeConfig(
        withEnv({
          DATABASE_URL: 'postgres://app:pw@db:5432/users',
          DATABASE_READ_URL: 'postgresql://app:pw@replica/users',
          REDIS_URL: 'rediss://cache:6380/0',
          CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
          TOKEN_SIGNING_KEY: a.secret,
          TOKEN_KEY_ID: '2026-03',
          TOKEN_VERIFY_KEYS: `2025-12=${b.public}`,
          LOG_LEVEL: 'warn',
        }),
      );
      expect(config.database.url).to.equal('postgres://app:pw@db:5432/users');
      expect(config.database.readUrl).to.equal('postgresql://app:pw@replica/users');
      expect(config.redis.url).to.equal('rediss://cache:6380/0');
      expect(config.server.corsOrigins).to.deep.equal([
        'https://app.example.com',
        'http://localhost:5173',
      ]);
      expect(config.tokens).to.include({ signingKey: a.secret, keyId: '2026-03' });
      expect(config.tokens.verifyKeys).to.deep.equal([{ kid: '2025-12', public: b.public }]);
      expect(config.log.level).to.equal('warn');
    });

    it('treats empty strings as unset', () => {
      const config = decodeConfig(
        withEnv({
          DATABASE_URL: '',
          REDIS_URL: '',
          ADMIN_EMAIL: '',
          TOKEN_SIGNING_KEY: '',
          TOKEN_KEY_ID: '',
          TOKEN_VERIFY_KEYS: '',
          CORS_ORIGINS: '',
        }),
      );
      expect(config.database.url).to.equal(null);
      expect(config.redis.url).to.equal(null);
      expect(config.admin.email).to.equal(null);
      expect(config.tokens.signingKey).to.equal(null);
      expect(config.tokens.verifyKeys).to.deep.equal([]);
      expect(config.server.corsOrigins).to.deep.equal([]);
    });

    const BAD: Array<[string, string]> = [
      ['NODE_ENV', 'staging'],
      ['PORT', 'abc'],
      ['PORT', '-1'],
      ['PORT', '3.5'],
      ['PORT', '0'],
      ['PORT', '65536'],
      ['PORT', ' 3000'],
      ['PORT', '3e3'],
      ['PORT', '0x10'],
      ['TRUST_PROXY', 'yes'],
      ['TRUST_PROXY', 'TRUE'],
      ['BODY_LIMIT_BYTES', '100kb'],
      ['CORS_ORIGINS', 'example.com'],
      ['CORS_ORIGINS', 'https://app.example.com/path'],
      ['CORS_ORIGINS', '*,https://app.example.com'],
      ['WEB_CONCURRENCY', '0'],
      ['DATABASE_URL', 'mysql://db/users'],
      ['DATABASE_URL', 'not a url'],
      ['DATABASE_READ_URL', 'http://replica'],
      ['DATA_DIR', '   '],
      ['REDIS_URL', 'postgres://cache'],
      ['RATE_LIMIT_MAX', '-5'],
      ['RATE_LIMIT_WINDOW_S', 'sixty'],
      ['LOGIN_MAX_FAILURES', '1.5'],
      ['LOGIN_LOCK_S', '0'],
      ['AUDIT_RETENTION_DAYS', '0'],
      ['ADMIN_EMAIL', 'not-an-email'],
      ['ADMIN_USERNAME', 'a'],
      ['ADMIN_PASSWORD', 'weak'],
      ['ACCESS_TOKEN_TTL_S', '30m'],
      ['REFRESH_TOKEN_TTL_S', '-1'],
      ['TOKEN_ISSUER', ' '],
      ['TOKEN_AUDIENCE', ' '],
      ['TOKEN_SIGNING_KEY', 'k4.public.abc'],
      ['TOKEN_KEY_ID', 'has space'],
      ['TOKEN_VERIFY_KEYS', 'k4.public.abc'],
      ['TOKEN_VERIFY_KEYS', 'old=k4.public.short'],
      ['LOG_LEVEL', 'verbose'],
      ['APP_URL', 'ftp://app.example.com'],
      ['SMTP_URL', 'http://mail.example.com'],
      ['MAIL_FROM', ' '],
      ['EMAIL_VERIFICATION_REQUIRED', 'maybe'],
      ['PASSWORD_RESET_TTL_S', '0'],
      ['EMAIL_TOKEN_TTL_S', '1d'],
      ['MAIL_RETRY_MAX_DELAY_S', '0'],
      ['MAIL_RETRY_FOR_S', '-1'],
      ['MAIL_REQUEST_MAX', '0'],
    ];

    for (const [env, value] of BAD) {
      it(`rejects ${env}=${JSON.stringify(value)} naming the setting and the variable`, () => {
        const error = configError(() => decodeConfig(withEnv({ [env]: value })));
        expect(error.message).to.match(/^Invalid configuration: /);
        expect(error.message).to.contain(`${pathOf(env)} (${env}): expected`);
        expect(error.issues.map((i) => i.env)).to.include(env);
      });
    }

    it('writes the message of the contract', () => {
      expect(configError(() => decodeConfig(withEnv({ PORT: 'abc' }))).message).to.equal(
        'Invalid configuration: server.port (PORT): expected an integer from 1 to 65535, got "abc"',
      );
    });

    it('names every bad setting at once', () => {
      const error = configError(() =>
        decodeConfig(
          withEnv({ PORT: 'abc', RATE_LIMIT_MAX: '-1', LOG_LEVEL: 'loud', REDIS_URL: 'http://x' }),
        ),
      );
      expect(error.issues.map((i) => i.env)).to.deep.equal([
        'PORT',
        'REDIS_URL',
        'RATE_LIMIT_MAX',
        'LOG_LEVEL',
      ]);
      for (const env of ['PORT', 'RATE_LIMIT_MAX', 'LOG_LEVEL', 'REDIS_URL'])
        expect(error.message).to.contain(`(${env})`);
    });

    it('never repeats a secret in its message', () => {
      const secretish = 'k4.secret.' + 'x'.repeat(20);
      const error = configError(() =>
        decodeConfig(
          withEnv({
            ADMIN_EMAIL: 'root@example.com',
            ADMIN_PASSWORD: 'hunter2',
            TOKEN_SIGNING_KEY: secretish,
            TOKEN_KEY_ID: 'k',
            DATABASE_URL: 'mysql://app:s3cr3t@db/users',
          }),
        ),
      );
      expect(error.message)
        .to.contain('ADMIN_PASSWORD')
        .and.contain('TOKEN_SIGNING_KEY')
        .and.contain('DATABASE_URL');
      expect(error.message)
        .to.not.contain('hunter2')
        .and.not.contain(secretish)
        .and.not.contain('s3cr3t');
    });

    it('checks settings that go together', async () => {
      const { secret } = await generateTokenKeyPair();
      const { public: other } = await generateTokenKeyPair();
      const cases: Array<[Record<string, string>, string]> = [
        [{ TOKEN_SIGNING_KEY: secret }, 'TOKEN_KEY_ID'],
        [{ TOKEN_KEY_ID: 'k1' }, 'TOKEN_SIGNING_KEY'],
        [
          { TOKEN_SIGNING_KEY: secret, TOKEN_KEY_ID: 'k1', TOKEN_VERIFY_KEYS: `k1=${other}` },
          'TOKEN_VERIFY_KEYS',
        ],
        [{ TOKEN_VERIFY_KEYS: `a=${other},a=${other}` }, 'TOKEN_VERIFY_KEYS'],
        [{ DATABASE_READ_URL: 'postgres://replica/users' }, 'DATABASE_READ_URL'],
        [{ ADMIN_EMAIL: 'root@example.com' }, 'ADMIN_PASSWORD'],
        [{ ADMIN_PASSWORD: 'RootPassw0rd' }, 'ADMIN_EMAIL'],
        [{ ADMIN_USERNAME: 'root' }, 'ADMIN_USERNAME'],
        [{ ACCESS_TOKEN_TTL_S: '3600', REFRESH_TOKEN_TTL_S: '60' }, 'REFRESH_TOKEN_TTL_S'],
        // One data directory of the embedded database cannot be opened by two processes.
        [{ WEB_CONCURRENCY: '2' }, 'WEB_CONCURRENCY'],
        // Node cuts a request at its whole-request timeout: its headers cannot be given longer.
        [{ HTTP_HEADERS_TIMEOUT_S: '30', HTTP_REQUEST_TIMEOUT_S: '10' }, 'HTTP_HEADERS_TIMEOUT_S'],
      ];
      for (const [vars, named] of cases) {
        const error = configError(() => decodeConfig(withEnv(vars)));
        expect(
          error.issues.map((i) => i.env),
          JSON.stringify(vars),
        ).to.include(named);
      }
    });

    it('gives the first admin the username "admin" unless ADMIN_USERNAME says otherwise', () => {
      const base = { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'RootPassw0rd' };
      expect(decodeConfig(withEnv(base)).admin).to.deep.equal({
        email: 'root@example.com',
        username: 'admin',
        password: 'RootPassw0rd',
      });
      expect(decodeConfig(withEnv({ ...base, ADMIN_USERNAME: 'root' })).admin.username).to.equal(
        'root',
      );
    });

    it('refuses a setting it does not know, so a typo in a file is not ignored', () => {
      const raw = readJson('default.json');
      (raw['server'] as Record<string, unknown>)['prot'] = 8080;
      raw['metrics'] = { enabled: true };
      const error = configError(() => decodeConfig(raw));
      expect(error.issues.map((i) => i.path)).to.deep.equal(['server.prot', 'metrics']);
    });

    it('names a missing setting', () => {
      const raw = readJson('default.json');
      delete (raw['server'] as Record<string, unknown>)['port'];
      expect(configError(() => decodeConfig(raw)).message).to.contain(
        'server.port (PORT): expected an integer from 1 to 65535, got nothing',
      );
      expect(configError(() => decodeConfig(null)).message).to.match(/^Invalid configuration/);
    });

    it('returns a frozen configuration that decodes to itself', () => {
      const config = testConfig({
        server: { corsOrigins: ['https://a.example.com'] },
        admin: { email: 'a@example.com', username: 'root', password: 'RootPassw0rd' },
      });
      expect(Object.isFrozen(config)).to.equal(true);
      expect(Object.isFrozen(config.server.corsOrigins)).to.equal(true);
      expect(decodeConfig(config)).to.deep.equal(config);
    });
  });

  describe('testConfig', () => {
    it('starts from the defaults and config/test.json', () => {
      const config = testConfig();
      expect(config.env).to.equal('test');
      expect(config.log.level).to.equal('silent');
      expect(config.server.port).to.equal(3000);
      expect(config.tokens.accessTtlS).to.equal(1800);
    });

    it('applies overrides, replacing lists, and validates them', () => {
      const config = testConfig({ rateLimit: { max: 3 }, server: { corsOrigins: ['*'] } });
      expect(config.rateLimit).to.deep.equal({ max: 3, windowS: 60 });
      expect(config.server.corsOrigins).to.deep.equal(['*']);
      expect(configError(() => testConfig({ server: { port: 0 } })).message).to.contain(
        'server.port (PORT)',
      );
    });
  });

  describe('codecs', () => {
    const port = integer(1, 65_535);

    it('decodes every integer in range written as a decimal string', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 65_535 }), (n) => {
          const decoded = port.decode(String(n));
          expect(decoded._tag === 'Right' && decoded.right).to.equal(n);
        }),
      );
    });

    it('rejects every integer out of range, as a number or a string', () => {
      fc.assert(
        fc.property(fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65_536 })), (n) => {
          expect(port.decode(n)._tag).to.equal('Left');
          expect(port.decode(String(n))._tag).to.equal('Left');
        }),
      );
    });

    it('rejects every string that is not the plain decimal form of its number', () => {
      fc.assert(
        fc.property(fc.string(), (s) => {
          fc.pre(!/^(0|[1-9][0-9]*)$/.test(s));
          expect(port.decode(s)._tag).to.equal('Left');
        }),
        { numRuns: 500 },
      );
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 65_535 }),
          fc.constantFrom(' ', '0', '+', '\n', '\t'),
          fc.constantFrom(' ', '.0', 'e0', '\n', 'n', '_'),
          fc.boolean(),
          (n, prefix, suffix, before) => {
            expect(port.decode(before ? `${prefix}${n}` : `${n}${suffix}`)._tag).to.equal('Left');
          },
        ),
      );
    });

    it('rejects non-integral numbers', () => {
      fc.assert(
        fc.property(fc.double({ min: 1, max: 65_535, noNaN: true }), (x) => {
          fc.pre(!Number.isInteger(x));
          expect(port.decode(x)._tag).to.equal('Left');
        }),
      );
    });

    it('decodes only true, false, "true" and "false" as booleans', () => {
      fc.assert(
        fc.property(fc.anything(), (u) => {
          fc.pre(![true, false, 'true', 'false'].includes(u as never));
          expect(boolean.decode(u)._tag).to.equal('Left');
        }),
      );
    });
  });
});
