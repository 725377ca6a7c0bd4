/**
 * The composition root: the only place that knows which adapter serves which port. It builds a
 * child container per service instance, so tests can run several side by side.
 */
import 'reflect-metadata';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { CommandBus, QueryBus } from '../application/bus.js';
import { CLOCK, type Clock } from '../application/ports/clock.js';
import { HANDLER_RESOLVER, type HandlerResolver } from '../application/ports/handler-resolver.js';
import { LOGGER, type Logger } from '../application/ports/logger.js';
import { PASSWORD_HASHER, type PasswordHasher } from '../application/ports/password-hasher.js';
import { TOKEN_ISSUER, TOKEN_VERIFIER, type TokenIssuer, type TokenVerifier } from '../application/ports/tokens.js';
import { UNIT_OF_WORK } from '../application/ports/unit-of-work.js';
import { USER_READ_MODEL } from '../application/ports/user-read-model.js';
import { USER_REPOSITORY } from '../application/ports/user-repository.js';
import type { Token } from '../application/ports/token.js';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { HTTP_OPTIONS, type HttpOptions } from '../adapters/http/http-options.js';
import { WinstonLogger } from '../adapters/logging/winston-logger.js';
import { createInMemoryPersistence } from '../adapters/persistence/in-memory/in-memory-persistence.js';
import { openMikroOrmPersistence } from '../adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import type { Persistence } from '../adapters/persistence/persistence.js';
import { Argon2PasswordHasher } from '../adapters/security/argon2-password-hasher.js';
import { PasetoTokenService } from '../adapters/security/paseto-token-service.js';
import type { AppConfig } from '../config/config.js';
import { resolveSigningKey } from '../config/config.js';

export interface ContainerOverrides {
  /** A store already opened (tests pass one per storage); otherwise chosen from the config. */
  readonly persistence?: Persistence;
  /** Use the in-memory store instead of the configured database. */
  readonly inMemory?: boolean;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly passwordHasher?: PasswordHasher;
  /** Tokens from another adapter (the in-memory one, say) instead of PASETO. */
  readonly tokens?: TokenIssuer & TokenVerifier;
}

export interface Service {
  readonly container: DependencyContainer;
  readonly config: AppConfig;
  readonly persistence: Persistence;
  /** Closes what the service opened (the store unless it was handed in). */
  close(): Promise<void>;
}

/** Chooses the store from the config: PostgreSQL with DATABASE_URL, embedded PGlite otherwise. */
export async function openConfiguredPersistence(config: AppConfig): Promise<Persistence> {
  if (config.database.url !== null) {
    return openMikroOrmPersistence({ kind: 'postgresql', url: config.database.url, readUrl: config.database.readUrl });
  }
  // The embedded database keeps its files in a folder of its own under DATA_DIR.
  const dataDir = join(config.database.dataDir, 'pglite');
  await mkdir(dataDir, { recursive: true });
  return openMikroOrmPersistence({ kind: 'pglite', dataDir });
}

function registerValue<T>(c: DependencyContainer, port: Token<T>, value: T): void {
  c.register<T>(port, { useValue: value });
}

export async function buildService(config: AppConfig, overrides: ContainerOverrides = {}): Promise<Service> {
  const clock = overrides.clock ?? new SystemClock();
  const logger = overrides.logger ?? new WinstonLogger({ level: config.log.level, clock });
  const ownsPersistence = overrides.persistence === undefined;
  const persistence =
    overrides.persistence ?? (overrides.inMemory === true ? createInMemoryPersistence() : await openConfiguredPersistence(config));
  try {
    const tokens =
      overrides.tokens ??
      (await PasetoTokenService.create(
        {
          issuer: config.tokens.issuer,
          audience: config.tokens.audience,
          accessTtlS: config.tokens.accessTtlS,
          signingKey: await resolveSigningKey(config),
          verifyKeys: config.tokens.verifyKeys,
        },
        clock,
      ));

    const c = rootContainer.createChildContainer();
    registerValue(c, CLOCK, clock);
    registerValue(c, LOGGER, logger);
    registerValue(c, USER_REPOSITORY, persistence.users);
    registerValue(c, USER_READ_MODEL, persistence.userReadModel);
    registerValue(c, UNIT_OF_WORK, persistence.unitOfWork);
    registerValue(c, PASSWORD_HASHER, overrides.passwordHasher ?? new Argon2PasswordHasher());
    registerValue(c, TOKEN_ISSUER, tokens);
    registerValue(c, TOKEN_VERIFIER, tokens);
    registerValue<HandlerResolver>(c, HANDLER_RESOLVER, { resolve: (type) => c.resolve(type) });
    registerValue<HttpOptions>(c, HTTP_OPTIONS, {
      bodyLimitBytes: config.server.bodyLimitBytes,
      trustProxy: config.server.trustProxy,
    });
    c.register(CommandBus, { useFactory: instanceCachingFactory((k) => new CommandBus(k.resolve(HANDLER_RESOLVER), k.resolve(UNIT_OF_WORK), k.resolve(LOGGER))) });
    c.register(QueryBus, { useFactory: instanceCachingFactory((k) => new QueryBus(k.resolve(HANDLER_RESOLVER), k.resolve(LOGGER))) });

    return {
      container: c,
      config,
      persistence,
      async close() {
        if (ownsPersistence) await persistence.close();
      },
    };
  } catch (error) {
    if (ownsPersistence) await persistence.close();
    throw error;
  }
}
