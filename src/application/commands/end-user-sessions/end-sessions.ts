import { sessionEnded } from '../../../domain/session/session.js';
import type { DomainEvents } from '../../audit/domain-events.js';
import type { SessionRepository } from '../../ports/session-repository.js';

export interface SessionEnding {
  readonly sessions: SessionRepository;
  readonly events: DomainEvents;
}

/**
 * Ends every session of the user not yet revoked, inside the caller's unit of work, recording
 * `session.ended` for each one this call revoked: the one write reports the ids it revoked, so
 * every revocation has its event and no event lacks its revocation. Returns how many ended.
 */
export async function endSessionsOf(
  ports: SessionEnding,
  userId: number,
  now: Date,
): Promise<number> {
  ports.events.requireUnit();
  const ended = await ports.sessions.revokeAllOfUser(userId, now);
  for (const id of ended.sort()) ports.events.record(sessionEnded({ id, userId }));
  return ended.length;
}
