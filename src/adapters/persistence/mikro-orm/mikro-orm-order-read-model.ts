import type { QueryBuilder, SqlEntityManager } from '@mikro-orm/knex';
import { raw } from '@mikro-orm/core';
import type {
  OrderFilter,
  OrderListCriteria,
  OrderReadModel,
  OrderSliceCriteria,
} from '../../../application/ports/order-read-model.js';
import type { OrderView } from '../../../application/ports/order-view.js';
import type { Page, Slice } from '../../../application/ports/views.js';
import { OrderRecord } from './entities/order.entity.js';
import { transactionEntityManager, type SqlOrm } from './mikro-orm-context.js';
import { ORDER_COLUMNS, itemsOf, toOrderProps, type OrderRow } from './order-rows.js';

/**
 * Orders for the query side: lean SQL with explicit columns, rows mapped to views without entity
 * hydration. A page is three statements: the count, the page of orders (newest first, on the
 * index `(user_id, created_at desc, id desc)`), and the lines of just those orders. Outside a unit
 * of work it reads through the 'read' connection, a replica when one is configured; inside one it
 * reads in the unit's transaction, so a command sees its own writes.
 */
export class MikroOrmOrderReadModel implements OrderReadModel {
  constructor(private readonly orm: SqlOrm) {}

  async getById(id: number): Promise<OrderView | null> {
    const { em, connection } = this.context();
    const row = (await this.query(em, connection)
      .select([...ORDER_COLUMNS])
      .where({ id })
      .execute('get', true)) as OrderRow | undefined | null;
    if (row === undefined || row === null) return null;
    const items = await itemsOf(em, [row.id], connection);
    return toOrderProps(row, items.get(row.id) ?? []);
  }

  async list({ userId, filter, page, pageSize }: OrderListCriteria): Promise<Page<OrderView>> {
    const { em, connection } = this.context();
    const [total, rows] = await Promise.all([
      this.filtered(em, connection, userId, filter).getCount('o.id'),
      this.filtered(em, connection, userId, filter)
        .select([...ORDER_COLUMNS])
        .orderBy([{ createdAt: 'desc' }, { id: 'desc' }])
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute('all', true) as Promise<OrderRow[]>,
    ]);
    const items = await itemsOf(
      em,
      rows.map((row) => row.id),
      connection,
    );
    return { items: rows.map((row) => toOrderProps(row, items.get(row.id) ?? [])), total };
  }

  async listAfter({ userId, filter, limit, after }: OrderSliceCriteria): Promise<Slice<OrderView>> {
    const { em, connection } = this.context();
    const qb = this.filtered(em, connection, userId, filter).select([...ORDER_COLUMNS]);
    // The same index as the ORDER BY: a deep slice costs what the first does.
    if (after !== undefined)
      qb.andWhere(raw('(o.created_at, o.id) < (?::timestamptz, ?)', [after.key, after.id]));
    const rows = (await qb
      .orderBy([{ createdAt: 'desc' }, { id: 'desc' }])
      .limit(limit + 1)
      .execute('all', true)) as OrderRow[];
    const page = rows.slice(0, limit);
    const items = await itemsOf(
      em,
      page.map((row) => row.id),
      connection,
    );
    return {
      items: page.map((row) => toOrderProps(row, items.get(row.id) ?? [])),
      hasMore: rows.length > limit,
    };
  }

  private filtered(
    em: SqlEntityManager,
    connection: 'read' | 'write',
    userId: number,
    filter: OrderFilter,
  ): QueryBuilder<OrderRecord> {
    const qb = this.query(em, connection).where({ userId });
    if (filter.status !== undefined) qb.andWhere({ status: filter.status });
    return qb;
  }

  private query(em: SqlEntityManager, connection: 'read' | 'write'): QueryBuilder<OrderRecord> {
    return em.createQueryBuilder(OrderRecord, 'o', connection);
  }

  /** The unit's EntityManager on the primary inside a unit of work; a fork on the read side outside. */
  private context(): { em: SqlEntityManager; connection: 'read' | 'write' } {
    const tx = transactionEntityManager(this.orm);
    return tx !== undefined
      ? { em: tx, connection: 'write' }
      : { em: this.orm.em.fork(), connection: 'read' };
  }
}
