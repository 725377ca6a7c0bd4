import type {
  SessionReadModel,
  SessionView,
  UserSessions,
} from '../../../application/ports/session-read-model.js';
import { LeanSql, sqlStatement } from './lean-sql.js';
import type { SqlOrm } from './mikro-orm-context.js';
import { SESSION_SELECT, sessionFrom, type SessionColumns } from './session-rows.js';

interface Row extends SessionColumns {
  readonly password_changed_at: unknown;
  readonly session_last_used_at: unknown;
  readonly session_user_agent: string | null;
  readonly session_ip: string | null;
}

/** The user, so that an unknown one is told apart from one without sessions, and their sessions on `sessions_user_id_idx`. */
const SESSIONS_OF_USER = sqlStatement(
  `select u.password_changed_at, ${SESSION_SELECT},
          s.last_used_at as session_last_used_at, s.user_agent as session_user_agent, s.ip as session_ip
     from users u left join sessions s on s.user_id = u.id
    where u.id = ?
    order by s.created_at desc, s.id desc`,
);

/**
 * A user's sessions in one statement. It reads on the primary, as the check of every request
 * does: a session ended a moment ago must not be listed because a replica lags.
 */
export class MikroOrmSessionReadModel implements SessionReadModel {
  private readonly sql: LeanSql;

  constructor(orm: SqlOrm) {
    this.sql = new LeanSql(orm);
  }

  async sessionsOfUser(userId: number): Promise<UserSessions | null> {
    const rows = await this.sql.all<Row>(SESSIONS_OF_USER, [userId], 'write');
    const first = rows[0];
    if (first === undefined) return null;
    const sessions: SessionView[] = [];
    const time = (value: unknown) => this.sql.time(value);
    for (const row of rows) {
      const session = sessionFrom(row, time);
      if (session === null) continue;
      sessions.push({
        ...session,
        lastUsedAt: time(row.session_last_used_at),
        userAgent: row.session_user_agent,
        ip: row.session_ip,
      });
    }
    return {
      passwordChangedAt:
        first.password_changed_at === null ? null : time(first.password_changed_at),
      sessions,
    };
  }
}
