/** The decoded, typed settings the service is built from (see config.ts for how they are read). */

export interface VerifyKeySetting {
  readonly kid: string;
  /** PASERK `k4.public...`. */
  readonly public: string;
}

export const ENVIRONMENTS = ['development', 'production', 'test'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppConfig {
  /** From NODE_ENV, which also selects `config/<env>.json`. */
  readonly env: Environment;
  readonly server: {
    readonly port: number;
    /** Believe `X-Forwarded-For` / `X-Forwarded-Proto` (only behind a proxy you run). */
    readonly trustProxy: boolean;
    readonly bodyLimitBytes: number;
    /** Allowed browser origins; empty allows none, `['*']` allows any. */
    readonly corsOrigins: readonly string[];
    /** Worker processes. */
    readonly webConcurrency: number;
    /** How long a stopping service waits for in-flight requests before it exits anyway. */
    readonly shutdownTimeoutS: number;
    /** A client has this long to send a request's headers (408 after). */
    readonly headersTimeoutS: number;
    /** A client has this long to send a whole request, headers and body (408 after). */
    readonly requestTimeoutS: number;
    /** An idle keep-alive connection is closed after this long. */
    readonly keepAliveTimeoutS: number;
  };
  readonly database: {
    /** PostgreSQL; null keeps the data in the embedded database under `dataDir`. */
    readonly url: string | null;
    /** A PostgreSQL replica for the query side; null reads from `url`. */
    readonly readUrl: string | null;
    /** As given: a relative path is relative to the working directory. */
    readonly dataDir: string;
    /** Statements that take at least this long are logged as `slow_query` warnings. */
    readonly slowQueryMs: number;
  };
  readonly redis: {
    readonly url: string | null;
    /** Every key this service keeps in Redis starts with `<keyPrefix>:`. */
    readonly keyPrefix: string;
  };
  readonly rateLimit: { readonly max: number; readonly windowS: number };
  readonly login: { readonly maxFailures: number; readonly lockS: number };
  /** Audit events older than `retentionDays` are pruned by every instance, in small batches. */
  readonly audit: { readonly retentionDays: number };
  /**
   * The first admin, created on start when no active admin exists. All three are set or all are
   * null; ADMIN_USERNAME defaults to `admin` when ADMIN_EMAIL and ADMIN_PASSWORD are set.
   */
  readonly admin: {
    readonly email: string | null;
    readonly username: string | null;
    readonly password: string | null;
  };
  readonly tokens: {
    readonly accessTtlS: number;
    readonly refreshTtlS: number;
    readonly issuer: string;
    readonly audience: string;
    /** PASERK k4.secret; set together with `keyId`. Null outside production uses a generated key. */
    readonly signingKey: string | null;
    readonly keyId: string | null;
    /** Public keys of retired signing keys, accepted until their tokens expire. */
    readonly verifyKeys: readonly VerifyKeySetting[];
  };
  readonly log: { readonly level: LogLevel };
  readonly mail: {
    /** Where links in mails point, without a trailing slash; `http://localhost:<PORT>` unless APP_URL says otherwise. */
    readonly appUrl: string;
    /** `smtp://` or `smtps://`; null writes mails to the log instead (development). */
    readonly smtpUrl: string | null;
    readonly from: string;
    /** An unverified account cannot sign in. */
    readonly verificationRequired: boolean;
    readonly passwordResetTtlS: number;
    readonly emailTokenTtlS: number;
    /** The longest wait between two tries of a mail. */
    readonly retryMaxDelayS: number;
    /** How long after it was queued a mail is tried before it is marked failed. */
    readonly retryForS: number;
    /** Requests for mails allowed per address and per target email in each window. */
    readonly requestMax: number;
    readonly requestWindowS: number;
    /** Sent and failed mails queued longer ago than this are pruned (their recipients are personal data). */
    readonly outboxRetentionDays: number;
  };
}
