import { ForeignKeyConstraintViolationException, LockMode } from '@mikro-orm/core';
import { orderNotFound, userNotFound } from '../../../application/not-found.js';
import type { OrderRepository } from '../../../application/ports/order-repository.js';
import { Order, type NewOrder } from '../../../domain/order/order.js';
import { OrderItemRecord, OrderRecord } from './entities/order.entity.js';
import { entityManagerFor, write, type SqlOrm } from './mikro-orm-context.js';
import { ORDER_COLUMNS, itemsOf, toOrderProps, type OrderRow } from './order-rows.js';

/** The foreign key of an order to its user: violated when the user does not exist (any more). */
const USER_FOREIGN_KEY = 'orders_user_id_fkey';

const violatedForeignKey = (error: unknown): string | undefined =>
  error instanceof ForeignKeyConstraintViolationException
    ? ((error as { constraint?: unknown }).constraint as string | undefined)
    : undefined;

/**
 * Orders in PostgreSQL (or PGlite) through MikroORM, with explicit statements as the user
 * repository has them. An order is one `orders` row and its `order_items` rows, inserted in one
 * write (a transaction of its own, or a savepoint inside a unit of work), so no half order is ever
 * stored. Rows are read as plain values (mapped query results), never as tracked entities.
 */
export class MikroOrmOrderRepository implements OrderRepository {
  constructor(private readonly orm: SqlOrm) {}

  async findById(id: number): Promise<Order | null> {
    const { em, inTransaction } = entityManagerFor(this.orm);
    const qb = em
      .createQueryBuilder(OrderRecord, 'o', 'write')
      .select([...ORDER_COLUMNS])
      .where({ id });
    // Inside a unit the order's row stays locked (SELECT ... FOR UPDATE) until the unit ends.
    if (inTransaction) qb.setLockMode(LockMode.PESSIMISTIC_WRITE);
    const row = (await qb.execute('get', true)) as OrderRow | undefined | null;
    if (row === undefined || row === null) return null;
    const items = await itemsOf(em, [id], 'write');
    return Order.restore(toOrderProps(row, items.get(id) ?? []));
  }

  async add(order: NewOrder): Promise<Order> {
    try {
      const id = await write(this.orm, async (em) => {
        const orderId = (await em.insert(OrderRecord, {
          userId: order.userId,
          status: order.status,
          currency: order.currency,
          totalCents: order.totalCents,
          createdAt: order.createdAt,
          updatedAt: order.updatedAt,
          version: order.version,
        })) as number;
        await em.insertMany(
          OrderItemRecord,
          order.items.map((item, position) => ({
            orderId,
            position,
            sku: item.sku,
            quantity: item.quantity,
            unitPriceCents: item.unitPriceCents,
          })),
        );
        return orderId;
      });
      return Order.restore({ ...order, id });
    } catch (error) {
      if (violatedForeignKey(error) === USER_FOREIGN_KEY) throw userNotFound(order.userId);
      throw error;
    }
  }

  async update(order: Order): Promise<Order> {
    // Lines and total are fixed when an order is placed: only what may change is written.
    const changed = await write(this.orm, (em) =>
      em.nativeUpdate(
        OrderRecord,
        { id: order.id },
        { status: order.status, updatedAt: order.updatedAt, version: order.version },
      ),
    );
    if (changed === 0) throw orderNotFound(order.id);
    return order;
  }
}
