import type { AuthContext, AuthReadModel } from '../../../application/ports/auth-read-model.js';
import { SESSION_ID_PATTERN } from '../../../application/ports/tokens.js';
import { LeanSql, sqlStatement } from './lean-sql.js';
import type { SqlOrm } from './mikro-orm-context.js';
import { epochMsCut, SESSION_SELECT_MS, sessionFrom, type SessionColumns } from './session-rows.js';
import { toUserView, VIEW_COLUMNS, type UserViewRow } from './user-view-rows.js';

interface Row extends SessionColumns, UserViewRow {
  readonly password_changed_at: unknown;
}

const AUTH_CONTEXT = sqlStatement(
  `select ${VIEW_COLUMNS}, ${epochMsCut('u.password_changed_at')} as password_changed_at, ${SESSION_SELECT_MS}
     from users u left join sessions s on s.id = cast(? as uuid) and s.user_id = u.id
    where u.id = ?`,
);

/**
 * The check behind every authenticated request, in one statement: the user's view (role and
 * activity among it) and last password change, with the token's session joined in (by primary
 * key, and only if it is the user's). It reads on the primary, never on a replica: a logout must
 * bite on the very next request, whichever instance serves it, and a replica may lag behind.
 */
export class MikroOrmAuthReadModel implements AuthReadModel {
  private readonly sql: LeanSql;

  constructor(orm: SqlOrm) {
    this.sql = new LeanSql(orm);
  }

  async getAuthContext(userId: number, sessionId: string): Promise<AuthContext | null> {
    // Inside a unit of work, the unit's transaction; otherwise the primary ('write'), as a
    // prepared statement: this runs on every authenticated request.
    const row = await this.sql.one<Row>(
      AUTH_CONTEXT,
      // A malformed id matches no session rather than failing the cast.
      [SESSION_ID_PATTERN.test(sessionId) ? sessionId : null, userId],
      'write',
    );
    if (row === null) return null;
    return {
      role: row.role,
      isActive: row.is_active,
      passwordChangedAt:
        row.password_changed_at === null ? null : this.sql.time(row.password_changed_at),
      session: sessionFrom(row, (value) => this.sql.time(value)),
      user: toUserView(this.sql, row),
    };
  }
}
