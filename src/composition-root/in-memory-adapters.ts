/**
 * The tester's door: every adapter that has an in-memory double, ready to hand to `buildService`.
 * Production wiring never imports this file.
 */
import type { Clock } from '../application/ports/clock.js';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { createInMemoryPersistence } from '../adapters/persistence/in-memory/in-memory-persistence.js';
import { InMemoryPasswordHasher } from '../adapters/security/in-memory-password-hasher.js';
import { InMemoryTokenService } from '../adapters/security/in-memory-token-service.js';
import type { AppConfig } from '../config/config.js';
import type { ContainerOverrides } from './container.js';

/**
 * A fresh in-memory store, in-memory access tokens and the cheap password hasher, all timed by
 * `clock` (the system's unless given). Spread it and add or replace any override.
 */
export function inMemoryAdapters(
  config: AppConfig,
  options: { readonly clock?: Clock } = {},
): ContainerOverrides {
  const clock = options.clock ?? new SystemClock();
  return {
    persistence: createInMemoryPersistence(),
    clock,
    passwordHasher: new InMemoryPasswordHasher(),
    tokens: new InMemoryTokenService({ accessTtlS: config.tokens.accessTtlS }, clock),
  };
}
