import type { AuthContext, AuthReadModel } from '../../../application/ports/auth-read-model.js';
import type { InMemoryDatabase } from './in-memory-database.js';
import { findSessionRow, toSession } from './session-tables.js';
import { USERS } from './tables.js';
import { toUserView } from './user-records.js';

/** The user and the session of an access token, read from the same state at once. */
export class InMemoryAuthReadModel implements AuthReadModel {
  constructor(private readonly db: InMemoryDatabase) {}

  async getAuthContext(userId: number, sessionId: string): Promise<AuthContext | null> {
    const user = this.db.rows(USERS).get(userId);
    if (user === undefined) return null;
    const session = findSessionRow(this.db, sessionId);
    return {
      role: user.role,
      isActive: user.isActive,
      passwordChangedAt: user.passwordChangedAt === null ? null : new Date(user.passwordChangedAt),
      session: session === undefined || session.userId !== userId ? null : toSession(session),
      user: toUserView(user),
    };
  }
}
