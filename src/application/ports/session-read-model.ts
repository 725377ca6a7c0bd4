import type { Session, SessionDevice } from '../../domain/session/session.js';
import { token } from './injection.js';

/** A stored session as the query side shows it: the session and where it was last used. */
export interface SessionView extends Session, SessionDevice {
  /** The sign-in or the last refresh. */
  readonly lastUsedAt: Date;
}

/** A user's stored sessions, with what decides which of them are live. */
export interface UserSessions {
  readonly passwordChangedAt: Date | null;
  /** Every session the store still keeps (ended ones too, until the next sign-in clears them), newest first. */
  readonly sessions: readonly SessionView[];
}

/**
 * The query side of sessions. Reads where writes land first, like the check of every request: a
 * session that was just ended must not be listed because a replica lags.
 */
export interface SessionReadModel {
  /** Null when the user does not exist. Newest first: `created_at` descending, ties by id. */
  sessionsOfUser(userId: number): Promise<UserSessions | null>;
}

export const SESSION_READ_MODEL = token<SessionReadModel>('SessionReadModel');
