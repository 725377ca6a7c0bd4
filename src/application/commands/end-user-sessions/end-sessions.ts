import { sessionEnded } from '../../../domain/session/session.js';
import type { DomainEvents } from '../../audit/domain-events.js';
import type { SessionReadModel } from '../../ports/session-read-model.js';
import type { SessionRepository } from '../../ports/session-repository.js';

export interface SessionEnding {
  readonly sessions: SessionRepository;
  readonly sessionReads: SessionReadModel;
  readonly events: DomainEvents;
}

/**
 * Ends every session of the user not yet revoked, inside the caller's unit of work, recording
 * `session.ended` for each one this call revoked: one by id rather than all at once, so that
 * every revocation has its event and no event lacks its revocation. Returns how many ended.
 */
export async function endSessionsOf(
  ports: SessionEnding,
  userId: number,
  now: Date,
): Promise<number> {
  ports.events.requireUnit();
  const stored = await ports.sessionReads.sessionsOfUser(userId);
  let ended = 0;
  for (const session of stored?.sessions ?? []) {
    if (session.revokedAt !== null || !(await ports.sessions.revoke(session.id, now))) continue;
    ports.events.record(sessionEnded(session));
    ended += 1;
  }
  return ended;
}
