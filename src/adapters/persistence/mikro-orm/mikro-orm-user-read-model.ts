import type { UserFilter, UserListCriteria, UserReadModel, UserSliceCriteria, UserSortField } from '../../../application/ports/user-read-model.js';
import type { Page, Slice, UserView } from '../../../application/ports/views.js';
import { cachedStatement, LeanSql, sqlStatement } from './lean-sql.js';
import type { SqlOrm } from './mikro-orm-context.js';
import { toUserView, VIEW_COLUMNS, type UserViewRow as Row } from './user-view-rows.js';

/**
 * Sort keys. Username and email are lower-cased and compared with the "C" collation (code point
 * order), so the order is the same on every database whatever its default collation, and the
 * same as the in-memory read model's. Ties go to the id, in the same direction.
 */
const SORT_KEYS: Readonly<Record<UserSortField, string>> = {
  created_at: 'u.created_at',
  username: 'lower(u.username) collate "C"',
  email: 'lower(u.email) collate "C"',
};

/** Makes `%`, `_` and the escape character itself plain characters in a LIKE pattern. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const GET_BY_ID = sqlStatement(`select ${VIEW_COLUMNS} from users u where u.id = ?`);

/** The WHERE clause of a filter over `users u`, and its values in order. */
function filterClause(filter: UserFilter): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  if (filter.role !== undefined) {
    parts.push('u.role = ?');
    values.push(filter.role);
  }
  if (filter.isActive !== undefined) {
    parts.push('u.is_active = ?');
    values.push(filter.isActive);
  }
  if (filter.search !== undefined) {
    const pattern = `%${escapeLike(filter.search)}%`;
    parts.push('(u.email ilike ? or u.username ilike ? or u.full_name ilike ?)');
    values.push(pattern, pattern, pattern);
  }
  return { sql: parts.length === 0 ? '' : `where ${parts.join(' and ')}`, values };
}

/**
 * The `total` of a page. Without a search it is read from `user_counts` (kept exact by triggers,
 * see `Migration20260105000000_user_counts`): a sum over at most six rows, whatever the number of
 * users. A search has to look at every row anyway (a substring matches no index), so it is counted.
 */
function totalClause(filter: UserFilter): { sql: string; values: unknown[] } {
  if (filter.search !== undefined) {
    const where = filterClause(filter);
    return { sql: `select count(*) as total from users u ${where.sql}`, values: where.values };
  }
  const parts: string[] = [];
  const values: unknown[] = [];
  if (filter.role !== undefined) {
    parts.push('c.role = ?');
    values.push(filter.role);
  }
  if (filter.isActive !== undefined) {
    parts.push('c.is_active = ?');
    values.push(filter.isActive);
  }
  const where = parts.length === 0 ? '' : `where ${parts.join(' and ')}`;
  return { sql: `select coalesce(sum(c.n), 0) as total from user_counts c ${where}`, values };
}

const orderBy = (sort: UserListCriteria['sort']): string => {
  const direction = sort.direction === 'asc' ? 'asc' : 'desc';
  return `order by ${SORT_KEYS[sort.field]} ${direction}, u.id ${direction}`;
};

/**
 * Users for the query side: lean SQL with explicit columns, rows mapped to views without entity
 * hydration. Outside a unit of work it reads through the 'read' connection, a replica when one is
 * configured; inside one it reads in the unit's transaction, so a command sees its own writes.
 */
export class MikroOrmUserReadModel implements UserReadModel {
  private readonly sql: LeanSql;

  constructor(orm: SqlOrm) {
    this.sql = new LeanSql(orm);
  }

  async getById(id: number): Promise<UserView | null> {
    const row = await this.sql.one<Row>(GET_BY_ID, [id], 'read');
    return row === null ? null : toUserView(this.sql, row);
  }

  async list({ filter, sort, page, pageSize }: UserListCriteria): Promise<Page<UserView>> {
    // One round trip: the total, and the page joined to it (no rows past the end: one row of nulls).
    const total = totalClause(filter);
    const where = filterClause(filter);
    const statement = cachedStatement(
      `select t.total, p.* from (${total.sql}) t left join lateral (
         select ${VIEW_COLUMNS} from users u ${where.sql} ${orderBy(sort)} limit ? offset ?
       ) p on true`,
    );
    const rows = await this.sql.all<Row & { total: string | number }>(
      statement,
      [...total.values, ...where.values, pageSize, (page - 1) * pageSize],
      'read',
    );
    return {
      items: rows.filter((row) => row.id !== null).map((row) => toUserView(this.sql, row)),
      total: Number(rows[0]?.total ?? 0),
    };
  }

  async listAfter({ filter, sort, limit, after }: UserSliceCriteria): Promise<Slice<UserView>> {
    const where = filterClause(filter);
    let sql = where.sql;
    const values = [...where.values];
    if (after !== undefined) {
      // A row comparison on (sort key, id) walks the same index as the ORDER BY: a deep slice
      // costs what the first does.
      const op = sort.direction === 'asc' ? '>' : '<';
      const key = sort.field === 'created_at' ? '?::timestamptz' : '? collate "C"';
      sql = `${sql === '' ? 'where' : `${sql} and`} (${SORT_KEYS[sort.field]}, u.id) ${op} (${key}, ?)`;
      values.push(after.key, after.id);
    }
    const rows = await this.sql.all<Row>(cachedStatement(`select ${VIEW_COLUMNS} from users u ${sql} ${orderBy(sort)} limit ?`), [...values, limit + 1], 'read');
    return { items: rows.slice(0, limit).map((row) => toUserView(this.sql, row)), hasMore: rows.length > limit };
  }
}
