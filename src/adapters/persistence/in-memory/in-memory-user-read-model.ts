import type { UserListCriteria, UserReadModel, UserSortField } from '../../../application/ports/user-read-model.js';
import type { Page, UserView } from '../../../application/ports/views.js';
import type { InMemoryDatabase } from './in-memory-database.js';
import { USERS, type UserRecord } from './tables.js';
import { toUserView } from './user-records.js';

/**
 * The sort keys, matching the SQL read model: `created_at`; `username` and `email` lower-cased
 * and compared by code unit, which for the ASCII these fields allow is PostgreSQL's
 * `lower(...) COLLATE "C"`. Ties go to the id, in the same direction.
 */
const SORT_KEYS: Readonly<Record<UserSortField, (row: UserRecord) => number | string>> = {
  created_at: (row) => row.createdAt,
  username: (row) => row.username.toLowerCase(),
  email: (row) => row.email.toLowerCase(),
};

const compare = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Reads committed users (or, inside a unit of work, the unit's own state), as views. */
export class InMemoryUserReadModel implements UserReadModel {
  constructor(private readonly db: InMemoryDatabase) {}

  async getById(id: number): Promise<UserView | null> {
    const row = this.db.rows(USERS).get(id);
    return row === undefined ? null : toUserView(row);
  }

  async list({ filter, sort, page, pageSize }: UserListCriteria): Promise<Page<UserView>> {
    // Substring search regardless of case, as ILIKE does: `%` and `_` are plain characters here.
    const needle = filter.search?.toLowerCase();
    const matching = [...this.db.rows(USERS).values()].filter(
      (row) =>
        (filter.role === undefined || row.role === filter.role) &&
        (filter.isActive === undefined || row.isActive === filter.isActive) &&
        (needle === undefined ||
          row.email.toLowerCase().includes(needle) ||
          row.username.toLowerCase().includes(needle) ||
          (row.fullName?.toLowerCase().includes(needle) ?? false)),
    );
    const key = SORT_KEYS[sort.field];
    const sign = sort.direction === 'asc' ? 1 : -1;
    matching.sort((a, b) => sign * (compare(key(a), key(b)) || compare(a.id, b.id)));
    const start = (page - 1) * pageSize;
    return { items: matching.slice(start, start + pageSize).map(toUserView), total: matching.length };
  }
}
