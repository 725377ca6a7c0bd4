import { inject, injectable } from 'tsyringe';
import { notFound } from '../../../domain/shared/errors.js';
import { sessionEnded, sessionState } from '../../../domain/session/session.js';
import { DOMAIN_EVENTS, type DomainEvents } from '../../audit/domain-events.js';
import type { CommandHandler } from '../../bus.js';
import { AUTH_READ_MODEL, type AuthReadModel } from '../../ports/auth-read-model.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { SECURITY_EVENTS, type SecurityEvents } from '../../ports/security-events.js';
import { SESSION_REPOSITORY, type SessionRepository } from '../../ports/session-repository.js';
import type { EndSessionCommand } from './end-session.command.js';

export const sessionNotFound = (id: string) => notFound(`Session with id ${id} not found`);

/**
 * Revokes one of the caller's live sessions, as logout does: its refresh tokens and its access
 * tokens stop working on the next request, since every request reads its session. Someone else's
 * session, an ended one and an unknown id are the same 404, so the answer tells nothing about
 * sessions that are not the caller's.
 */
@injectable()
export class EndSessionHandler implements CommandHandler<EndSessionCommand, void> {
  constructor(
    @inject(AUTH_READ_MODEL) private readonly auth: AuthReadModel,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(SECURITY_EVENTS) private readonly security: SecurityEvents,
    @inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
  ) {}

  async execute({ actor, sessionId }: EndSessionCommand): Promise<void> {
    // The session only when it is the caller's, with what decides whether it is live.
    const context = await this.auth.getAuthContext(actor.id, sessionId);
    const now = this.clock.now();
    const session = context?.session ?? null;
    if (session === null || sessionState(session, now, context!.passwordChangedAt) !== 'live')
      throw sessionNotFound(sessionId);
    // Ended meanwhile by someone else: then it is their event.
    if (await this.sessions.revoke(sessionId, now)) this.events.record(sessionEnded(session));
    this.security.record({
      type: 'session_revoked',
      userId: actor.id,
      sessionId,
      sessions: 1,
      reason: 'revoked',
      by: actor.id,
    });
  }
}
