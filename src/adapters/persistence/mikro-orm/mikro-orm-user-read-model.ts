import type {
  UserFilter,
  UserListCriteria,
  UserReadModel,
  UserSliceCriteria,
  UserSortField,
} from '../../../application/ports/user-read-model.js';
import type { Page, Slice, UserView } from '../../../application/ports/views.js';
import { cachedStatement, LeanSql, sqlStatement, type SqlStatement } from './lean-sql.js';
import type { SqlOrm } from './mikro-orm-context.js';
import {
  COMMON_SHARE,
  SEARCH_STATISTICS,
  SearchStatisticsCache,
  type SearchPieces,
  type SearchStatisticsRow,
} from './search-trigrams.js';
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

/**
 * What a search reads: email, username and full name joined by U+001F. It is the expression of
 * the trigram index `users_search_trgm_idx` (Migration20261209000000_user_search_expression), and
 * must stay exactly that for the planner to use the index.
 */
const SEARCH_TEXT = `(u.email || chr(31) || u.username || chr(31) || coalesce(u.full_name, ''))`;
const SEPARATOR = '\u001f';

/**
 * The condition that one of email, username and full name holds `term`, case-insensitively. A
 * match in the joined text cannot straddle two fields, as the term does not hold the separator:
 * text entering the API never does. Were one to, the three fields are searched apart (unindexed),
 * so the answer is the same either way.
 *
 * Given `pieces` (the search index's statistics), a rare term holding trigrams most searched texts
 * hold is searched with a piece of it that holds none first (`SearchStatistics.pieceOf`): the
 * index scan then reads the common trigrams' long posting lists only where the piece matched. The
 * piece's condition follows from the term's, so the users selected are the same.
 */
export function searchCondition(
  term: string,
  pieces?: SearchPieces,
): { sql: string; values: unknown[] } {
  const pattern = `%${escapeLike(term)}%`;
  if (term.includes(SEPARATOR))
    return {
      sql: '(u.email ilike ? or u.username ilike ? or u.full_name ilike ?)',
      values: [pattern, pattern, pattern],
    };
  const piece = pieces?.pieceOf(term) ?? null;
  return piece === null
    ? { sql: `${SEARCH_TEXT} ilike ?`, values: [pattern] }
    : {
        sql: `${SEARCH_TEXT} ilike ? and ${SEARCH_TEXT} ilike ?`,
        values: [`%${escapeLike(piece)}%`, pattern],
      };
}

const GET_BY_ID = sqlStatement(`select ${VIEW_COLUMNS} from users u where u.id = ?`);

/**
 * The WHERE clause of a filter over `users u`, and its values in order; `pieces` as for
 * `searchCondition`.
 */
function filterClause(
  filter: UserFilter,
  pieces?: SearchPieces,
): { sql: string; values: unknown[] } {
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
    const search = searchCondition(filter.search, pieces);
    parts.push(search.sql);
    values.push(...search.values);
  }
  return { sql: parts.length === 0 ? '' : `where ${parts.join(' and ')}`, values };
}

/** Matches of a search counted exactly; past them the total is an estimate (a broad term would visit most of the table). */
export const EXACT_COUNT_LIMIT = 10_000;

/**
 * The number of users with a role and an activity (either may be absent): the `total` of a page
 * without a search. Read from `user_counts` (kept exact by triggers, see
 * `Migration20260105000000_user_counts`): a sum over at most six rows, whatever the number of users.
 */
function countersClause(filter: UserFilter): { sql: string; values: unknown[] } {
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

const orderBy = (
  sort: UserListCriteria['sort'],
  key = SORT_KEYS[sort.field],
  id = 'u.id',
): string => {
  const direction = sort.direction === 'asc' ? 'asc' : 'desc';
  return `order by ${key} ${direction}, ${id} ${direction}`;
};

/** Up to this many estimated matches, a search's page is sorted from its matches, whatever the planner would pick. */
const SORT_MATCHES_UP_TO = 100_000;

/** A keyset condition on (sort key, id): strictly after the position in the sort's direction. */
function afterClause(
  sort: UserListCriteria['sort'],
  after: UserSliceCriteria['after'],
  key: string,
  id: string,
) {
  if (after === undefined) return { sql: '', values: [] as unknown[] };
  const op = sort.direction === 'asc' ? '>' : '<';
  const value = sort.field === 'created_at' ? '?::timestamptz' : '? collate "C"';
  return { sql: `(${key}, ${id}) ${op} (${value}, ?)`, values: [after.key, after.id] as unknown[] };
}

/**
 * The ids of a page or a slice, in order: `limit ? offset ?` (offset only for pages) follows.
 * - `walk`: the sort's index is walked and each row filtered, which the planner picks for no
 *   search or a broad one; a row comparison on (sort key, id) walks the same index, so a deep
 *   slice costs what the first does.
 * - `matches`: a search's matches are found first (the trigram index), then sorted. A search
 *   whose matches bunch up at the far end of the sort order (`user99` by username) would
 *   otherwise walk most of the index, the planner assuming matches are spread evenly.
 */
function idsClause(
  filter: UserFilter,
  sort: UserListCriteria['sort'],
  after: UserSliceCriteria['after'],
  how: 'walk' | 'matches',
  offset: boolean,
  pieces?: SearchPieces,
) {
  // A walk filters the rows of the sort's index one by one: a second condition would only add to each.
  const where = filterClause(filter, how === 'matches' ? pieces : undefined);
  const tail = offset ? 'limit ? offset ?' : 'limit ?';
  if (how === 'walk') {
    const position = afterClause(sort, after, SORT_KEYS[sort.field], 'u.id');
    const conditions = [where.sql.replace(/^where /, ''), position.sql].filter((c) => c !== '');
    const sql = `select u.id from users u ${conditions.length === 0 ? '' : `where ${conditions.join(' and ')}`} ${orderBy(sort)} ${tail}`;
    return { sql, values: [...where.values, ...position.values] };
  }
  const position = afterClause(sort, after, 'm.k', 'm.id');
  const sql = `select m.id from (select u.id, ${SORT_KEYS[sort.field]} as k from users u ${where.sql} offset 0) m
    ${position.sql === '' ? '' : `where ${position.sql}`} ${orderBy(sort, 'm.k', 'm.id')} ${tail}`;
  return { sql, values: [...where.values, ...position.values] };
}

/**
 * A search's first statement (see `MikroOrmUserReadModel.search`): up to `limit + 1` matches, their
 * count, and the page or slice cut from them; `limit ?` (and `offset ?` for a page) follow `values`.
 * `pieces` as for `searchCondition`.
 */
export function searchStatement(
  filter: UserFilter,
  sort: UserListCriteria['sort'],
  after: UserSliceCriteria['after'],
  offset: boolean,
  limit: number,
  pieces?: SearchPieces,
): { statement: SqlStatement; values: unknown[] } {
  const where = filterClause(filter, pieces);
  const position = afterClause(sort, after, 'm.k', 'm.id');
  const page = `select m.id from m ${position.sql === '' ? '' : `where ${position.sql}`} ${orderBy(sort, 'm.k', 'm.id')} ${offset ? 'limit ? offset ?' : 'limit ?'}`;
  const statement = cachedStatement(
    `with m as materialized (select u.id, ${SORT_KEYS[sort.field]} as k from users u ${where.sql} limit ${limit + 1})
     select t.total, p.* from (select count(*) as total from m) t left join lateral (${viewsOf(page, sort)}) p on true`,
  );
  return { statement, values: [...where.values, ...position.values] };
}

/** The views of the users whose ids `ids` gives, in the sort's order. */
const viewsOf = (ids: string, sort: UserListCriteria['sort']): string =>
  `select ${VIEW_COLUMNS} from (${ids}) k join users u on u.id = k.id ${orderBy(sort)}`;

/**
 * Users for the query side: lean SQL with explicit columns, rows mapped to views without entity
 * hydration. Outside a unit of work it reads through the 'read' connection, a replica when one is
 * configured; inside one it reads in the unit's transaction, so a command sees its own writes.
 *
 * A page's ids are read first, and only those rows are read whole: the rows an offset skips cost
 * an index entry each rather than a row.
 */
export class MikroOrmUserReadModel implements UserReadModel {
  private readonly sql: LeanSql;
  private readonly statistics: SearchStatisticsCache;

  /**
   * `exactCountLimit`: matches of a search counted exactly before the total is estimated.
   * `statistics`: the search index's statistics, read from the database (`SEARCH_STATISTICS`)
   * unless given.
   */
  constructor(
    orm: SqlOrm,
    private readonly exactCountLimit = EXACT_COUNT_LIMIT,
    statistics?: SearchStatisticsCache,
  ) {
    this.sql = new LeanSql(orm);
    this.statistics =
      statistics ??
      new SearchStatisticsCache(() =>
        this.sql.all<SearchStatisticsRow>(SEARCH_STATISTICS, [COMMON_SHARE], 'read'),
      );
  }

  async getById(id: number): Promise<UserView | null> {
    const row = await this.sql.one<Row>(GET_BY_ID, [id], 'read');
    return row === null ? null : toUserView(this.sql, row);
  }

  async list({ filter, sort, page, pageSize }: UserListCriteria): Promise<Page<UserView>> {
    const paging = [pageSize, (page - 1) * pageSize];
    if (filter.search === undefined) {
      // One round trip: the total, and the page joined to it (no rows past the end: one row of nulls).
      const total = countersClause(filter);
      const ids = idsClause(filter, sort, undefined, 'walk', true);
      const rows = await this.sql.all<Row & { total: string | number }>(
        cachedStatement(
          `select t.total, p.* from (${total.sql}) t left join lateral (${viewsOf(ids.sql, sort)}) p on true`,
        ),
        [...total.values, ...ids.values, ...paging],
        'read',
      );
      return { items: this.views(rows), total: Number(rows[0]?.total ?? 0) };
    }
    const found = await this.search(filter, sort, undefined, true, paging);
    return found.exact
      ? { items: found.items, total: found.total }
      : { items: found.items, total: found.total, totalExact: false };
  }

  async listAfter({ filter, sort, limit, after }: UserSliceCriteria): Promise<Slice<UserView>> {
    const { items } =
      filter.search === undefined
        ? await this.read(idsClause(filter, sort, after, 'walk', false), sort, [limit + 1])
        : await this.search(filter, sort, after, false, [limit + 1]);
    return { items: items.slice(0, limit), hasMore: items.length > limit };
  }

  private views(rows: ReadonlyArray<Row>): UserView[] {
    return rows.filter((row) => row.id !== null).map((row) => toUserView(this.sql, row));
  }

  private async read(
    ids: { sql: string; values: unknown[] },
    sort: UserListCriteria['sort'],
    paging: unknown[],
  ) {
    return {
      items: this.views(
        await this.sql.all<Row>(
          cachedStatement(viewsOf(ids.sql, sort)),
          [...ids.values, ...paging],
          'read',
        ),
      ),
    };
  }

  /**
   * A page or slice of a search, and how many users match. One statement finds up to one past
   * `exactCountLimit` matches (through the trigram index), counts them and cuts the page from
   * them: when they are all the matches, that is the answer. Past the limit the total is the
   * planner's estimate, and the page is read again, from the matches sorted or by walking the
   * sort's index (see `idsClause`).
   */
  private async search(
    filter: UserFilter,
    sort: UserListCriteria['sort'],
    after: UserSliceCriteria['after'],
    offset: boolean,
    paging: unknown[],
  ): Promise<{ items: UserView[]; total: number; exact: boolean }> {
    const pieces = await this.statistics.get();
    const first = searchStatement(filter, sort, after, offset, this.exactCountLimit, pieces);
    const rows = await this.sql.all<Row & { total: string | number }>(
      first.statement,
      [...first.values, ...paging],
      'read',
    );
    const counted = Number(rows[0]?.total ?? 0);
    if (counted <= this.exactCountLimit)
      return { items: this.views(rows), total: counted, exact: true };
    const total = await this.estimate(filter, counted);
    const { items } = await this.read(
      idsClause(
        filter,
        sort,
        after,
        total <= SORT_MATCHES_UP_TO ? 'matches' : 'walk',
        offset,
        pieces,
      ),
      sort,
      paging,
    );
    return { items, total, exact: false };
  }

  /**
   * The planner's estimate of a search's matches, from the statistics ANALYZE keeps on the search
   * index's expression (one selectivity for the joined text, not three added up): at least the
   * `counted` already seen, at most the users the other filters let through.
   */
  private async estimate(filter: UserFilter, counted: number): Promise<number> {
    // The term's condition alone: the planner would take a piece's as independent of it and multiply.
    const where = filterClause(filter);
    const [plan] = await this.sql.all<{ 'QUERY PLAN': unknown }>(
      cachedStatement(`explain (format json) select 1 from users u ${where.sql}`),
      where.values,
      'read',
    );
    const text = plan?.['QUERY PLAN'];
    const parsed = (typeof text === 'string' ? JSON.parse(text) : text) as Array<{
      Plan: { 'Plan Rows': number };
    }>;
    const ceiling = countersClause(filter);
    const [all] = await this.sql.all<{ total: string | number }>(
      cachedStatement(ceiling.sql),
      ceiling.values,
      'read',
    );
    return Math.min(
      Number(all?.total ?? counted),
      Math.max(counted, Math.round(parsed[0]?.Plan['Plan Rows'] ?? 0)),
    );
  }
}
