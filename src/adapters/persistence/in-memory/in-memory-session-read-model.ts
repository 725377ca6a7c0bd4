import type {
  SessionReadModel,
  UserSessions,
} from '../../../application/ports/session-read-model.js';
import type { InMemoryDatabase } from './in-memory-database.js';
import { SESSIONS, toSessionView } from './session-tables.js';
import { USERS } from './tables.js';

/** A user's sessions from the in-memory tables, in the SQL adapter's order. */
export class InMemorySessionReadModel implements SessionReadModel {
  constructor(private readonly db: InMemoryDatabase) {}

  async sessionsOfUser(userId: number): Promise<UserSessions | null> {
    const user = this.db.rows(USERS).get(userId);
    if (user === undefined) return null;
    const rows = [...this.db.rows(SESSIONS).values()].filter((row) => row.userId === userId);
    rows.sort(
      (a, b) => b.createdAt - a.createdAt || (a.uuid < b.uuid ? 1 : a.uuid > b.uuid ? -1 : 0),
    );
    return {
      passwordChangedAt: user.passwordChangedAt === null ? null : new Date(user.passwordChangedAt),
      sessions: rows.map(toSessionView),
    };
  }
}
