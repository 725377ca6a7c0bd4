import { raw } from '@mikro-orm/core';
import type { QueryBuilder } from '@mikro-orm/knex';
import type { UserFilter, UserListCriteria, UserReadModel, UserSortField } from '../../../application/ports/user-read-model.js';
import type { Page, UserView } from '../../../application/ports/views.js';
import { UserRecord } from './entities/user.entity.js';
import { transactionEntityManager, type SqlOrm } from './mikro-orm-context.js';

/** The view's columns; the password hash is never read on this side. */
const VIEW_COLUMNS = [
  'u.id',
  'u.email',
  'u.username',
  'u.fullName',
  'u.role',
  'u.isActive',
  'u.createdAt',
  'u.updatedAt',
  'u.version',
] as const;

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

type Row = Omit<UserRecord, 'passwordHash'>;

const toView = (row: Row): UserView => ({
  id: row.id,
  email: row.email,
  username: row.username,
  fullName: row.fullName,
  role: row.role,
  isActive: row.isActive,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  version: row.version,
});

/**
 * Users for the query side: lean SQL with explicit columns, rows mapped to views without entity
 * hydration. Outside a unit of work it reads through the 'read' connection, a replica when one is
 * configured; inside one it reads in the unit's transaction, so a command sees its own writes.
 */
export class MikroOrmUserReadModel implements UserReadModel {
  constructor(private readonly orm: SqlOrm) {}

  async getById(id: number): Promise<UserView | null> {
    const row = (await this.query().select([...VIEW_COLUMNS]).where({ id }).execute('get', true)) as Row | undefined;
    return row === undefined || row === null ? null : toView(row);
  }

  async list({ filter, sort, page, pageSize }: UserListCriteria): Promise<Page<UserView>> {
    const [total, rows] = await Promise.all([
      this.filtered(filter).getCount('u.id'),
      this.filtered(filter)
        .select([...VIEW_COLUMNS])
        .orderBy([{ [raw(SORT_KEYS[sort.field])]: sort.direction }, { id: sort.direction }])
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute('all', true) as Promise<Row[]>,
    ]);
    return { items: rows.map(toView), total };
  }

  private filtered(filter: UserFilter): QueryBuilder<UserRecord> {
    const qb = this.query();
    if (filter.role !== undefined) qb.andWhere({ role: filter.role });
    if (filter.isActive !== undefined) qb.andWhere({ isActive: filter.isActive });
    if (filter.search !== undefined) {
      const pattern = `%${escapeLike(filter.search)}%`;
      qb.andWhere({ $or: [{ email: { $ilike: pattern } }, { username: { $ilike: pattern } }, { fullName: { $ilike: pattern } }] });
    }
    return qb;
  }

  private query(): QueryBuilder<UserRecord> {
    const tx = transactionEntityManager(this.orm);
    if (tx !== undefined) return tx.createQueryBuilder(UserRecord, 'u', 'write');
    return this.orm.em.fork().createQueryBuilder(UserRecord, 'u', 'read');
  }
}
