import { inject, injectable } from 'tsyringe';
import { sessionState } from '../../../domain/session/session.js';
import { requireSelfOr } from '../../../domain/user/user-policy.js';
import type { QueryHandler } from '../../bus.js';
import { callerSessionId } from '../../caller.js';
import { userNotFound } from '../../not-found.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import {
  SESSION_READ_MODEL,
  type SessionReadModel,
  type SessionView,
  type UserSessions,
} from '../../ports/session-read-model.js';
import type { ListSessionsQuery } from './list-sessions.query.js';

export interface SessionSummary extends SessionView {
  /** The session of the caller's own token. */
  readonly current: boolean;
}

/** The sessions that can still be used at `now`, by the domain's rule, as stored (newest first). */
export const liveSessions = (stored: UserSessions, now: Date): SessionView[] =>
  stored.sessions.filter(
    (session) => sessionState(session, now, stored.passwordChangedAt) === 'live',
  );

/**
 * The live sessions of a user, newest first. The store keeps ended sessions until the user signs
 * in again; which ones are live is the domain's rule, applied here rather than in each store.
 */
@injectable()
export class ListSessionsHandler implements QueryHandler<ListSessionsQuery, SessionSummary[]> {
  constructor(
    @inject(SESSION_READ_MODEL) private readonly sessions: SessionReadModel,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, userId }: ListSessionsQuery): Promise<SessionSummary[]> {
    requireSelfOr(actor, userId, 'admin');
    const stored = await this.sessions.sessionsOfUser(userId);
    if (stored === null) throw userNotFound(userId);
    const current = actor.id === userId ? callerSessionId(actor) : null;
    return liveSessions(stored, this.clock.now()).map((session) => ({
      ...session,
      current: session.id === current,
    }));
  }
}
