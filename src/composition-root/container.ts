/**
 * The composition root: the only place that knows which adapter serves which port. It builds a
 * child container per service instance, so tests can run several side by side.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  container as rootContainer,
  instanceCachingFactory,
  type DependencyContainer,
} from 'tsyringe';
import { CommandBus, QueryBus } from '../application/bus.js';
import { RetentionPruner } from '../application/retention-pruner.js';
import { DOMAIN_EVENTS, DomainEvents } from '../application/audit/domain-events.js';
import {
  RecordingOrderRepository,
  RecordingUserRepository,
} from '../application/audit/recording-repositories.js';
import { AUDIT_LOG, type AuditLog } from '../application/ports/audit-log.js';
import { CLOCK, type Clock } from '../application/ports/clock.js';
import { HANDLER_RESOLVER, type HandlerResolver } from '../application/ports/handler-resolver.js';
import { LOGGER, type Logger } from '../application/ports/logger.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../application/ports/password-hasher.js';
import {
  PUBLIC_KEY_SET,
  TOKEN_ISSUER,
  TOKEN_VERIFIER,
  type PublicKeySet,
  type TokenIssuer,
  type TokenVerifier,
} from '../application/ports/tokens.js';
import { UNIT_OF_WORK } from '../application/ports/unit-of-work.js';
import { ORDER_READ_MODEL } from '../application/ports/order-read-model.js';
import { ORDER_REPOSITORY } from '../application/ports/order-repository.js';
import { USER_READ_MODEL } from '../application/ports/user-read-model.js';
import { USER_REPOSITORY } from '../application/ports/user-repository.js';
import { AUTH_READ_MODEL } from '../application/ports/auth-read-model.js';
import { IDEMPOTENCY_STORE } from '../application/ports/idempotency-store.js';
import { LOGIN_THROTTLE } from '../application/ports/login-throttle.js';
import { RATE_LIMITER } from '../application/ports/rate-limiter.js';
import { REFRESH_TOKENS } from '../application/ports/refresh-tokens.js';
import { SESSION_READ_MODEL } from '../application/ports/session-read-model.js';
import { SESSION_POLICY, SESSION_REPOSITORY } from '../application/ports/session-repository.js';
import type { Token } from '../application/ports/injection.js';
import {
  EMAIL_TOKEN_CODEC,
  EMAIL_TOKEN_REPOSITORY,
  MAIL_POLICY,
  MAIL_REQUEST_LIMITER,
  type MailPolicy,
} from '../application/ports/email-tokens.js';
import { MAILER, type Mailer } from '../application/ports/mailer.js';
import { OUTBOX } from '../application/ports/outbox.js';
import { LogMailer } from '../adapters/mail/log-mailer.js';
import { MailMetrics } from '../adapters/mail/mail-metrics.js';
import {
  DISPATCHER_DEFAULTS,
  OutboxDispatcher,
  type DispatcherOptions,
} from '../adapters/mail/outbox-dispatcher.js';
import { CryptoEmailTokens } from '../adapters/security/crypto-email-tokens.js';
import { MAIL_METRICS } from '../adapters/http/metrics.js';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { READINESS, type Readiness, type ReadinessCheck } from '../adapters/http/health.js';
import { HTTP_OPTIONS, type HttpOptions } from '../adapters/http/http-options.js';
import { WinstonLogger } from '../adapters/logging/winston-logger.js';
import { openMikroOrmPersistence } from '../adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import type { Persistence } from '../adapters/persistence/persistence.js';
import { lockDataDir } from '../adapters/persistence/data-dir-lock.js';
import { Argon2PasswordHasher } from '../adapters/security/argon2-password-hasher.js';
import { PasetoTokenService } from '../adapters/security/paseto-token-service.js';
import { CachingTokenVerifier } from '../adapters/security/caching-token-verifier.js';
import { CryptoRefreshTokens } from '../adapters/security/crypto-refresh-tokens.js';
import { RateLimiterLoginThrottle } from '../adapters/rate-limit/rate-limiter-login-throttle.js';
import { FlexibleRateLimiter } from '../adapters/rate-limit/flexible-rate-limiter.js';
import { RedisIdempotencyStore } from '../adapters/redis/redis-idempotency-store.js';
import { LoggingSecurityEvents } from '../adapters/logging/logging-security-events.js';
import { SERVICE_METRICS, ServiceMetrics } from '../adapters/metrics/service-metrics.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../application/ports/security-events.js';
import type { AppConfig } from '../config/config.js';
import type { Redis } from 'ioredis';
import { resolveSigningKey } from './signing-key.js';

/**
 * Adapters handed in instead of the configured ones; `inMemoryAdapters(config)`
 * (`in-memory-adapters.ts`) gives every in-memory double at once.
 */
export interface ContainerOverrides {
  /** A store already opened, which `close()` leaves open; otherwise chosen from the config. */
  readonly persistence?: Persistence;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly passwordHasher?: PasswordHasher;
  /** Access tokens from another adapter (the in-memory one, say) instead of PASETO. */
  readonly tokens?: TokenIssuer & TokenVerifier;
  /** Prefix of the keys this service keeps in Redis (default REDIS_KEY_PREFIX, `um`); tests give each run its own. */
  readonly redisKeyPrefix?: string;
  /** Where mails go instead of the configured server (tests keep them in memory). */
  readonly mailer?: Mailer;
  /** The dispatcher's timings (tests shorten the waits). */
  readonly dispatcher?: Partial<Omit<DispatcherOptions, 'appUrl'>>;
  /** How long a password-reset request takes at least (tests that make many shorten it). */
  readonly resetRequestFloorMs?: number;
  /**
   * Wraps the store's audit log: tests make it fail to see a change roll back with its event, and
   * the benchmark makes it discard events to measure what writing them costs.
   */
  readonly auditLog?: (log: AuditLog) => AuditLog;
}

/** The least time a password-reset request takes, so that its time does not tell whether the address has an account. */
const RESET_REQUEST_FLOOR_MS = 250;

export interface Service {
  readonly container: DependencyContainer;
  readonly config: AppConfig;
  readonly persistence: Persistence;
  /** Sends the outbox's mails; `main` starts it, `close` stops it (finishing the mails in hand). */
  readonly dispatcher: OutboxDispatcher;
  readonly mailer: Mailer;
  /** Prune old audit events and settled mails; `main` starts them, `close` stops them. */
  readonly pruners: readonly RetentionPruner[];
  /** Readiness turns 503 from now on: the service is about to stop. */
  startDraining(): void;
  /** Closes what the service opened (the store unless it was handed in). */
  close(): Promise<void>;
}

/** Chooses the store from the config: PostgreSQL with DATABASE_URL, embedded PGlite otherwise. */
export async function openConfiguredPersistence(
  config: AppConfig,
  logger: Logger,
): Promise<Persistence> {
  if (config.database.url !== null) {
    return openMikroOrmPersistence(
      { kind: 'postgresql', url: config.database.url, readUrl: config.database.readUrl },
      { logger, slowQueryMs: config.database.slowQueryMs },
    );
  }
  // One process at a time: a second one (the CLI while the service runs, say) stops here, before
  // the database is opened, and writes nothing.
  await mkdir(config.database.dataDir, { recursive: true });
  const lock = lockDataDir(config.database.dataDir);
  try {
    // The embedded database keeps its files in a folder of its own under DATA_DIR.
    const dataDir = join(config.database.dataDir, 'pglite');
    await mkdir(dataDir, { recursive: true });
    const persistence = await openMikroOrmPersistence(
      { kind: 'pglite', dataDir },
      { logger, slowQueryMs: config.database.slowQueryMs },
    );
    return {
      ...persistence,
      async close() {
        try {
          await persistence.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

function registerValue<T>(c: DependencyContainer, port: Token<T>, value: T): void {
  c.register<T>(port, { useValue: value });
}

export async function buildService(
  config: AppConfig,
  overrides: ContainerOverrides = {},
): Promise<Service> {
  const clock = overrides.clock ?? new SystemClock();
  const logger = overrides.logger ?? new WinstonLogger({ level: config.log.level, clock });
  const ownsPersistence = overrides.persistence === undefined;
  const persistence = overrides.persistence ?? (await openConfiguredPersistence(config, logger));
  // Redis, when configured, holds the short-lived state the instances share (login failures,
  // request budgets).
  // The client connects in the background; until it does, and whenever Redis fails, that state
  // falls back to memory, so a start never waits for Redis. Its client is loaded only then: the
  // embedded default does not hold ioredis in memory.
  let redis: Redis | null = null;
  let closeRedis = async (): Promise<void> => {};
  if (config.redis.url !== null) {
    const clients = await import('../adapters/redis/redis-client.js');
    const client = clients.createRedisClient(config.redis.url, logger);
    redis = client;
    closeRedis = () => clients.closeRedisClient(client);
  }
  try {
    const signingKey = await resolveSigningKey(config);
    const tokens =
      overrides.tokens ??
      (await PasetoTokenService.create(
        {
          issuer: config.tokens.issuer,
          audience: config.tokens.audience,
          accessTtlS: config.tokens.accessTtlS,
          signingKey,
          verifyKeys: config.tokens.verifyKeys,
        },
        clock,
      ));
    // Cursors are signed with a key derived from the token signing key: every instance that
    // shares the signing key accepts the others' cursors.
    const cursorSecret = createHash('sha256')
      .update(`cursor-signing-key:${signingKey.secret}`)
      .digest();

    const c = rootContainer.createChildContainer();
    registerValue(c, CLOCK, clock);
    registerValue(c, LOGGER, logger);
    // Every unit of work writes the events its changes recorded before it commits; the
    // repositories the handlers get hand those events over as they save.
    const auditLog = overrides.auditLog?.(persistence.auditLog) ?? persistence.auditLog;
    const events = new DomainEvents(auditLog, clock);
    registerValue(c, AUDIT_LOG, auditLog);
    registerValue(c, DOMAIN_EVENTS, events);
    registerValue(
      c,
      USER_REPOSITORY,
      new RecordingUserRepository(persistence.users, events, auditLog),
    );
    registerValue(c, USER_READ_MODEL, persistence.userReadModel);
    registerValue(c, ORDER_REPOSITORY, new RecordingOrderRepository(persistence.orders, events));
    registerValue(c, ORDER_READ_MODEL, persistence.orderReadModel);
    registerValue(c, UNIT_OF_WORK, events.auditing(persistence.unitOfWork));
    const auditPruner = new RetentionPruner(auditLog, clock, logger, {
      name: 'audit',
      retentionDays: config.audit.retentionDays,
    });
    registerValue(c, PASSWORD_HASHER, overrides.passwordHasher ?? new Argon2PasswordHasher());
    registerValue(c, TOKEN_ISSUER, tokens);
    // Tokens that are not signed with a public key (the in-memory adapter) publish no keys.
    const keySet = tokens as Partial<PublicKeySet>;
    registerValue<PublicKeySet>(
      c,
      PUBLIC_KEY_SET,
      typeof keySet.publishedKeys === 'function'
        ? (keySet as PublicKeySet)
        : { publishedKeys: () => [] },
    );
    // Verified tokens are remembered until they expire (the rate limit and the authentication
    // of one request both ask); revocation is still read from the database on every request.
    registerValue(c, TOKEN_VERIFIER, new CachingTokenVerifier(tokens, clock));
    registerValue(c, SESSION_REPOSITORY, persistence.sessions);
    registerValue(c, AUTH_READ_MODEL, persistence.authReadModel);
    registerValue(c, SESSION_READ_MODEL, persistence.sessionReadModel);
    registerValue(c, SESSION_POLICY, { refreshTtlS: config.tokens.refreshTtlS });
    registerValue(c, REFRESH_TOKENS, new CryptoRefreshTokens());
    const throttle = {
      maxFailures: config.login.maxFailures,
      lockS: config.login.lockS,
      keyPrefix: `${overrides.redisKeyPrefix ?? config.redis.keyPrefix}:login-failures`,
    };
    registerValue(
      c,
      LOGIN_THROTTLE,
      redis === null
        ? RateLimiterLoginThrottle.inMemory(throttle)
        : RateLimiterLoginThrottle.onRedis(redis, throttle),
    );
    const budget = {
      max: config.rateLimit.max,
      windowS: config.rateLimit.windowS,
      keyPrefix: `${overrides.redisKeyPrefix ?? config.redis.keyPrefix}:rate-limit`,
    };
    registerValue(
      c,
      RATE_LIMITER,
      redis === null
        ? FlexibleRateLimiter.inMemory(budget)
        : FlexibleRateLimiter.onRedis(redis, budget),
    );
    // Idempotency keys: in Redis when configured (shared by every instance), else in the database.
    registerValue(
      c,
      IDEMPOTENCY_STORE,
      redis === null
        ? persistence.idempotencyStore(clock)
        : new RedisIdempotencyStore(
            redis,
            clock,
            overrides.redisKeyPrefix ?? config.redis.keyPrefix,
          ),
    );
    // Mail: written to the outbox with the change that causes it, sent by the dispatcher (through
    // nodemailer, loaded only when an SMTP server is configured).
    const mailer =
      overrides.mailer ??
      (config.mail.smtpUrl === null
        ? new LogMailer(logger, config.mail.from)
        : new (await import('../adapters/mail/smtp-mailer.js')).SmtpMailer({
            url: config.mail.smtpUrl,
            from: config.mail.from,
          }));
    registerValue(c, MAILER, mailer);
    registerValue(c, OUTBOX, persistence.outbox);
    registerValue(c, EMAIL_TOKEN_REPOSITORY, persistence.emailTokens);
    registerValue(c, EMAIL_TOKEN_CODEC, new CryptoEmailTokens());
    registerValue<MailPolicy>(c, MAIL_POLICY, {
      emailTokenTtlS: config.mail.emailTokenTtlS,
      passwordResetTtlS: config.mail.passwordResetTtlS,
      verificationRequired: config.mail.verificationRequired,
      resetRequestFloorMs: overrides.resetRequestFloorMs ?? RESET_REQUEST_FLOOR_MS,
    });
    const mailBudget = {
      max: config.mail.requestMax,
      windowS: config.mail.requestWindowS,
      keyPrefix: `${overrides.redisKeyPrefix ?? config.redis.keyPrefix}:mail-requests`,
    };
    registerValue(
      c,
      MAIL_REQUEST_LIMITER,
      redis === null
        ? FlexibleRateLimiter.inMemory(mailBudget)
        : FlexibleRateLimiter.onRedis(redis, mailBudget),
    );
    // Sent and failed mails keep their recipient's address: they go after the retention.
    const pruners = [
      auditPruner,
      new RetentionPruner(persistence.outbox, clock, logger, {
        name: 'mail_outbox',
        retentionDays: config.mail.outboxRetentionDays,
      }),
    ];
    const mailMetrics = new MailMetrics(persistence.outbox, clock);
    registerValue(c, MAIL_METRICS, mailMetrics.registry);
    const dispatcher = new OutboxDispatcher(
      persistence.outbox,
      mailer,
      clock,
      logger,
      mailMetrics,
      {
        ...DISPATCHER_DEFAULTS,
        maxDelayMs: config.mail.retryMaxDelayS * 1000,
        retryForMs: config.mail.retryForS * 1000,
        ...overrides.dispatcher,
        appUrl: config.mail.appUrl,
      },
    );
    registerValue<HandlerResolver>(c, HANDLER_RESOLVER, { resolve: (type) => c.resolve(type) });
    const serviceMetrics = new ServiceMetrics({
      pool: () => persistence.poolUse?.() ?? null,
      redisFallback: () => redis !== null && redis.status !== 'ready',
    });
    registerValue(c, SERVICE_METRICS, serviceMetrics);
    registerValue<SecurityEvents>(
      c,
      SECURITY_EVENTS,
      new LoggingSecurityEvents(logger, serviceMetrics),
    );
    let draining = false;
    const checks: ReadinessCheck[] = [{ name: 'database', check: () => persistence.ping() }];
    // Redis is shared state the service replaces with memory when it fails: degraded, not down.
    if (redis !== null)
      checks.push({ name: 'redis', required: false, check: async () => void (await redis.ping()) });
    registerValue<Readiness>(c, READINESS, { checks, draining: () => draining });
    registerValue<HttpOptions>(c, HTTP_OPTIONS, {
      bodyLimitBytes: config.server.bodyLimitBytes,
      trustProxy: config.server.trustProxy,
      cursorSecret,
      corsOrigins: config.server.corsOrigins,
    });
    c.register(CommandBus, {
      useFactory: instanceCachingFactory(
        (k) =>
          new CommandBus(k.resolve(HANDLER_RESOLVER), k.resolve(UNIT_OF_WORK), k.resolve(LOGGER)),
      ),
    });
    c.register(QueryBus, {
      useFactory: instanceCachingFactory(
        (k) => new QueryBus(k.resolve(HANDLER_RESOLVER), k.resolve(LOGGER)),
      ),
    });

    return {
      container: c,
      config,
      persistence,
      dispatcher,
      mailer,
      pruners,
      startDraining() {
        draining = true;
      },
      async close() {
        draining = true;
        // The mails in hand are finished before the store and the mail server go.
        await dispatcher.stop();
        await mailer.close();
        await Promise.all(pruners.map((pruner) => pruner.stop()));
        if (ownsPersistence) await persistence.close();
        await closeRedis();
      },
    };
  } catch (error) {
    if (ownsPersistence) await persistence.close();
    await closeRedis();
    throw error;
  }
}
