import type {
  UserFilter,
  UserListCriteria,
  UserReadModel,
  UserSliceCriteria,
  UserSortField,
} from '../../../application/ports/user-read-model.js';
import type { Page, Slice, UserView } from '../../../application/ports/views.js';
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
  /**
   * `exactCountLimit`: as in the SQL read model, a search with more matches than this reports its
   * total as not exact (the total given is still the exact count, a fair estimate).
   */
  constructor(
    private readonly db: InMemoryDatabase,
    private readonly exactCountLimit = 10_000,
  ) {}

  async getById(id: number): Promise<UserView | null> {
    const row = this.db.rows(USERS).get(id);
    return row === undefined ? null : toUserView(row);
  }

  async list({ filter, sort, page, pageSize }: UserListCriteria): Promise<Page<UserView>> {
    const matching = this.sorted(filter, sort);
    const start = (page - 1) * pageSize;
    const items = matching.slice(start, start + pageSize).map(toUserView);
    if (filter.search !== undefined && matching.length > this.exactCountLimit)
      return { items, total: matching.length, totalExact: false };
    return { items, total: matching.length };
  }

  async listAfter({ filter, sort, limit, after }: UserSliceCriteria): Promise<Slice<UserView>> {
    const sign = sort.direction === 'asc' ? 1 : -1;
    // created_at positions are ISO strings; compare them as the stored milliseconds.
    const key = (row: UserRecord) =>
      sort.field === 'created_at' ? row.createdAt : SORT_KEYS[sort.field](row);
    const afterKey =
      after === undefined
        ? undefined
        : sort.field === 'created_at'
          ? Date.parse(after.key)
          : after.key;
    const rest =
      after === undefined || afterKey === undefined
        ? this.sorted(filter, sort)
        : this.sorted(filter, sort).filter(
            (row) => sign * (compare(key(row), afterKey) || compare(row.id, after.id)) > 0,
          );
    return { items: rest.slice(0, limit).map(toUserView), hasMore: rest.length > limit };
  }

  private sorted(filter: UserFilter, sort: UserListCriteria['sort']): UserRecord[] {
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
    return matching;
  }
}
