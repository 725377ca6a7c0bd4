import type { DependencyContainer } from 'tsyringe';
import { DomainError } from '../domain/shared/errors.js';
import { CommandBus } from '../application/bus.js';
import { EnsureAdminCommand } from '../application/commands/ensure-admin/ensure-admin.command.js';
import { EnsureAdminHandler } from '../application/commands/ensure-admin/ensure-admin.handler.js';
import { LOGGER, type Logger } from '../application/ports/logger.js';
import type { AppConfig } from '../config/config.js';

/**
 * With ADMIN_EMAIL, ADMIN_USERNAME and ADMIN_PASSWORD set, creates that admin on start when no
 * active admin exists. A conflict (the email or username is taken) is logged, not fatal: the
 * service still starts, and an existing admin can fix it.
 */
export async function ensureConfiguredAdmin(
  container: DependencyContainer,
  config: AppConfig,
): Promise<void> {
  const { email, username, password } = config.admin;
  if (email === null || username === null || password === null) return;
  const logger = container.resolve<Logger>(LOGGER);
  try {
    const result = await container
      .resolve(CommandBus)
      .execute(EnsureAdminHandler, new EnsureAdminCommand(email, username, password));
    if (result.created)
      logger.info('admin created', { event: 'admin_created', user_id: result.id, username });
  } catch (error) {
    if (!(error instanceof DomainError) || error.kind === 'validation') throw error;
    logger.warn('admin not created', {
      event: 'admin_not_created',
      reason: error.message,
      username,
    });
  }
}

/** The start log line's message and its links: where the service answers, and its docs. */
export function startedLine(port: number): { message: string; url: string; docs: string } {
  const url = `http://localhost:${port}`;
  return { message: `listening on ${url} (docs at ${url}/docs)`, url, docs: `${url}/docs` };
}
