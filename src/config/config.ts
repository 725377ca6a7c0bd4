/**
 * The service's settings: read once at start from node-config (`config/*.json`, with the
 * environment variables of `config/custom-environment-variables.json` on top), decoded with io-ts
 * into a typed, frozen `AppConfig`. A bad value stops the start with a message that names the
 * setting and its environment variable. This folder is the only place in `src/` that reads
 * `process.env`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { ENVIRONMENTS, LOG_LEVELS, type AppConfig } from './app-config.js';
import {
  boolean,
  email,
  integer,
  isUnset,
  keyId,
  nullable,
  oneOf,
  origins,
  password,
  secretKey,
  text,
  url,
  username,
  verifyKeys,
} from './codecs.js';
import { ConfigError, type ConfigIssue } from './config-error.js';

export * from './app-config.js';
export { ConfigError, type ConfigIssue } from './config-error.js';

/** How a bad value is echoed in an error: in full, with a URL's password masked, or not at all. */
type Echo = 'value' | 'url' | 'hidden';

interface Setting<A> {
  readonly env: string;
  readonly codec: t.Type<A, unknown, unknown>;
  readonly echo: Echo;
}

const setting = <A>(
  env: string,
  codec: t.Type<A, unknown, unknown>,
  echo: Echo = 'value',
): Setting<A> => ({
  env,
  codec,
  echo,
});

const DAY = 86_400;

/** Every setting: where it lives in `config/*.json`, its environment variable and its codec. */
const SCHEMA = {
  env: setting('NODE_ENV', oneOf(ENVIRONMENTS)),
  server: {
    port: setting('PORT', integer(1, 65_535)),
    trustProxy: setting('TRUST_PROXY', boolean),
    bodyLimitBytes: setting('BODY_LIMIT_BYTES', integer(1, 100 * 1024 * 1024)),
    corsOrigins: setting('CORS_ORIGINS', origins),
    webConcurrency: setting('WEB_CONCURRENCY', integer(1, 1024)),
    shutdownTimeoutS: setting('SHUTDOWN_TIMEOUT_S', integer(1, 600)),
    headersTimeoutS: setting('HTTP_HEADERS_TIMEOUT_S', integer(1, 3_600)),
    requestTimeoutS: setting('HTTP_REQUEST_TIMEOUT_S', integer(1, 3_600)),
    keepAliveTimeoutS: setting('HTTP_KEEP_ALIVE_TIMEOUT_S', integer(1, 3_600)),
  },
  database: {
    url: setting('DATABASE_URL', nullable(url(['postgres:', 'postgresql:'])), 'url'),
    readUrl: setting('DATABASE_READ_URL', nullable(url(['postgres:', 'postgresql:'])), 'url'),
    dataDir: setting('DATA_DIR', text),
    slowQueryMs: setting('DATABASE_SLOW_QUERY_MS', integer(1, 600_000)),
  },
  redis: {
    url: setting('REDIS_URL', nullable(url(['redis:', 'rediss:'])), 'url'),
    keyPrefix: setting('REDIS_KEY_PREFIX', text),
  },
  rateLimit: {
    max: setting('RATE_LIMIT_MAX', integer(1, 1_000_000)),
    windowS: setting('RATE_LIMIT_WINDOW_S', integer(1, DAY)),
  },
  login: {
    maxFailures: setting('LOGIN_MAX_FAILURES', integer(1, 1000)),
    lockS: setting('LOGIN_LOCK_S', integer(1, 30 * DAY)),
  },
  audit: {
    retentionDays: setting('AUDIT_RETENTION_DAYS', integer(1, 100 * 365)),
  },
  admin: {
    email: setting('ADMIN_EMAIL', nullable(email)),
    username: setting('ADMIN_USERNAME', nullable(username)),
    password: setting('ADMIN_PASSWORD', nullable(password), 'hidden'),
  },
  tokens: {
    accessTtlS: setting('ACCESS_TOKEN_TTL_S', integer(1, DAY)),
    refreshTtlS: setting('REFRESH_TOKEN_TTL_S', integer(1, 365 * DAY)),
    issuer: setting('TOKEN_ISSUER', text),
    audience: setting('TOKEN_AUDIENCE', text),
    signingKey: setting('TOKEN_SIGNING_KEY', nullable(secretKey), 'hidden'),
    keyId: setting('TOKEN_KEY_ID', nullable(keyId)),
    verifyKeys: setting('TOKEN_VERIFY_KEYS', verifyKeys),
  },
  log: {
    level: setting('LOG_LEVEL', oneOf(LOG_LEVELS)),
  },
  mail: {
    appUrl: setting('APP_URL', nullable(url(['http:', 'https:']))),
    smtpUrl: setting('SMTP_URL', nullable(url(['smtp:', 'smtps:'])), 'url'),
    from: setting('MAIL_FROM', text),
    verificationRequired: setting('EMAIL_VERIFICATION_REQUIRED', boolean),
    passwordResetTtlS: setting('PASSWORD_RESET_TTL_S', integer(60, 7 * DAY)),
    emailTokenTtlS: setting('EMAIL_TOKEN_TTL_S', integer(60, 30 * DAY)),
    retryMaxDelayS: setting('MAIL_RETRY_MAX_DELAY_S', integer(1, DAY)),
    retryForS: setting('MAIL_RETRY_FOR_S', integer(1, 30 * DAY)),
    requestMax: setting('MAIL_REQUEST_MAX', integer(1, 1_000_000)),
    requestWindowS: setting('MAIL_REQUEST_WINDOW_S', integer(1, DAY)),
    outboxRetentionDays: setting('MAIL_OUTBOX_RETENTION_DAYS', integer(1, 100 * 365)),
  },
} as const;

interface Schema {
  readonly [key: string]: Setting<unknown> | Schema;
}

const isSetting = (node: Setting<unknown> | Schema): node is Setting<unknown> => 'codec' in node;

function flatten(schema: Schema, prefix = ''): Array<readonly [string, Setting<unknown>]> {
  return Object.entries(schema).flatMap(([key, node]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return isSetting(node) ? [[path, node] as const] : flatten(node, path);
  });
}

const SETTINGS = flatten(SCHEMA as unknown as Schema);
const BY_PATH = new Map(SETTINGS);
/** Paths of the groups settings sit in (`server`, `tokens`, ...). */
const BRANCHES = new Set(
  SETTINGS.flatMap(([path]) => {
    const parts = path.split('.');
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
  }),
);

/** Each setting's path in `AppConfig` and `config/*.json`, and its environment variable. */
export const ENV_VARS: ReadonlyArray<{ readonly path: string; readonly env: string }> =
  SETTINGS.map(([path, s]) => ({
    path,
    env: s.env,
  }));

const envOf = (path: string): string | null => BY_PATH.get(path)?.env ?? null;

function getPath(raw: unknown, path: string): unknown {
  let node = raw;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function show(value: unknown, echo: Echo): string {
  if (echo === 'hidden') return ' (value not shown)';
  if (isUnset(value)) return ', got nothing';
  let shown = JSON.stringify(value) ?? String(value);
  if (echo === 'url') shown = shown.replace(/(\/\/[^/:@\s]*:)[^@/\s]+@/g, '$1***@');
  if (shown.length > 120) shown = `${shown.slice(0, 117)}...`;
  return `, got ${shown}`;
}

function issue(path: string, message: string): ConfigIssue {
  return { path, env: envOf(path), message };
}

/** Names of keys in `raw` that are no setting: a typo in a config file must not pass silently. */
function unknownKeys(raw: unknown, prefix = ''): string[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  return Object.entries(raw as Record<string, unknown>).flatMap(([key, value]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (BY_PATH.has(path)) return [];
    if (BRANCHES.has(path)) return unknownKeys(value, path);
    return [path];
  });
}

type Decoded<S> = S extends Setting<infer A> ? A : { -readonly [K in keyof S]: Decoded<S[K]> };
type Settings = Decoded<typeof SCHEMA>;

/** Rules between settings, checked once each setting decoded on its own. */
function crossChecks(s: Settings, issues: ConfigIssue[]): void {
  const { tokens, database, admin } = s;
  if (tokens.signingKey !== null && tokens.keyId === null) {
    issues.push(issue('tokens.keyId', 'is required when TOKEN_SIGNING_KEY is set'));
  }
  if (tokens.keyId !== null && tokens.signingKey === null) {
    issues.push(issue('tokens.signingKey', 'is required when TOKEN_KEY_ID is set'));
  }
  if (tokens.keyId !== null && tokens.verifyKeys.some((k) => k.kid === tokens.keyId)) {
    issues.push(
      issue(
        'tokens.verifyKeys',
        `must not repeat the signing key's id "${tokens.keyId}" (TOKEN_KEY_ID)`,
      ),
    );
  }
  if (tokens.refreshTtlS < tokens.accessTtlS) {
    issues.push(
      issue(
        'tokens.refreshTtlS',
        `must be at least ACCESS_TOKEN_TTL_S (${tokens.accessTtlS}), got ${tokens.refreshTtlS}`,
      ),
    );
  }
  if (s.server.headersTimeoutS > s.server.requestTimeoutS) {
    issues.push(
      issue(
        'server.headersTimeoutS',
        `must be at most HTTP_REQUEST_TIMEOUT_S (${s.server.requestTimeoutS}), got ${s.server.headersTimeoutS}`,
      ),
    );
  }
  if (database.readUrl !== null && database.url === null) {
    issues.push(
      issue('database.readUrl', 'needs DATABASE_URL: the embedded database has no replica'),
    );
  }
  if (s.server.webConcurrency > 1 && database.url === null) {
    issues.push(
      issue(
        'server.webConcurrency',
        `must be 1 on the embedded database, which one process at a time can open; set DATABASE_URL to run ${s.server.webConcurrency} workers`,
      ),
    );
  }
  if (admin.email !== null && admin.password === null) {
    issues.push(issue('admin.password', 'is required when ADMIN_EMAIL is set'));
  }
  if (admin.password !== null && admin.email === null) {
    issues.push(issue('admin.email', 'is required when ADMIN_PASSWORD is set'));
  }
  if (admin.username !== null && admin.email === null && admin.password === null) {
    issues.push(issue('admin.username', 'needs ADMIN_EMAIL and ADMIN_PASSWORD'));
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * Decodes raw settings (node-config's merged object, or an `AppConfig`) into an `AppConfig`, or
 * throws one `ConfigError` naming every bad setting by its path and environment variable.
 */
export function decodeConfig(raw: unknown): AppConfig {
  const issues: ConfigIssue[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([{ path: '', env: null, message: 'expected an object of settings' }]);
  }
  for (const path of unknownKeys(raw)) issues.push(issue(path, 'is not a known setting'));

  const decoded: Record<string, unknown> = {};
  for (const [path, { codec, echo }] of SETTINGS) {
    const value = getPath(raw, path);
    const result = codec.decode(value);
    if (isLeft(result)) {
      const expected = result.left[0]?.message ?? `a value of type ${codec.name}`;
      issues.push(issue(path, `expected ${expected}${show(value, echo)}`));
    } else {
      setPath(decoded, path, result.right);
    }
  }
  if (issues.length === 0) crossChecks(decoded as Settings, issues);
  if (issues.length > 0) throw new ConfigError(issues);

  const s = decoded as Settings;
  const adminSet = s.admin.email !== null && s.admin.password !== null;
  const config: AppConfig = {
    ...s,
    // Links in mails point at this service's own pages unless APP_URL names a client app.
    mail: {
      ...s.mail,
      appUrl: (s.mail.appUrl ?? `http://localhost:${s.server.port}`).replace(/\/+$/, ''),
    },
    admin: adminSet
      ? { ...s.admin, username: s.admin.username ?? 'admin' }
      : { email: null, username: null, password: null },
  };
  return deepFreeze(config);
}

/** `config/` of this repository, found from this file (dist/src/config -> ../../../config). */
export const CONFIG_DIR = fileURLToPath(new URL('../../../config/', import.meta.url));

let loaded: AppConfig | undefined;

/**
 * Reads and decodes the configuration once per process. NODE_ENV picks `config/<env>.json`; the
 * environment variables override the files; an empty variable counts as unset. NODE_CONFIG_DIR,
 * when set, points node-config at another directory.
 */
export function loadConfig(): AppConfig {
  if (loaded === undefined) {
    if (!process.env['NODE_CONFIG_DIR']) process.env['NODE_CONFIG_DIR'] = CONFIG_DIR;
    // node-config reads its directory once, when first required; it is required here and only here.
    const nodeConfig = createRequire(import.meta.url)('config') as {
      util: { toObject(): unknown };
    };
    loaded = decodeConfig(nodeConfig.util.toObject());
  }
  return loaded;
}

export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly U[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(`${CONFIG_DIR}${name}`, 'utf8'));
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Objects merge key by key; anything else (arrays and null included) replaces; undefined keeps. */
function merge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) result[key] = merge(base[key], value);
  return result;
}

let testDefaults: unknown;

/**
 * The configuration tests run with: `config/default.json` and `config/test.json`, no environment
 * variables, then `overrides`; decoded like any other, so an override must be a valid setting.
 */
export function testConfig(overrides: DeepPartial<AppConfig> = {}): AppConfig {
  testDefaults ??= merge(readJson('default.json'), readJson('test.json'));
  return decodeConfig(merge(testDefaults, overrides));
}
