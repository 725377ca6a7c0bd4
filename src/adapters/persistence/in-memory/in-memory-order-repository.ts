import { orderNotFound, userNotFound } from '../../../application/not-found.js';
import type { OrderRepository } from '../../../application/ports/order-repository.js';
import { Order, type NewOrder } from '../../../domain/order/order.js';
import type { InMemoryDatabase } from './in-memory-database.js';
import {
  CheckViolation,
  ORDERS,
  brokenOrderCheck,
  toOrderProps,
  toOrderRecord,
} from './order-records.js';
import { USERS } from './tables.js';

/**
 * Orders in the in-memory database. The foreign key of the SQL schema (an order's user must
 * exist) and its CHECK constraints are checked in the same atomic write as the insert, so the
 * store refuses what PostgreSQL refuses. Inside a unit of work the unit holds the writer lock
 * from start to end, which covers the row lock `findById` promises.
 */
export class InMemoryOrderRepository implements OrderRepository {
  constructor(private readonly db: InMemoryDatabase) {}

  async findById(id: number): Promise<Order | null> {
    const row = this.db.rows(ORDERS).get(id);
    return row === undefined ? null : Order.restore(toOrderProps(row));
  }

  async add(order: NewOrder): Promise<Order> {
    const row = await this.db.write((tx) => {
      const values = toOrderRecord(order);
      const broken = brokenOrderCheck(values);
      if (broken !== null) throw new CheckViolation(broken);
      if (!tx.rows(USERS).has(order.userId)) throw userNotFound(order.userId);
      return tx.insert(ORDERS, values);
    });
    return Order.restore(toOrderProps(row));
  }

  async update(order: Order): Promise<Order> {
    const found = await this.db.write((tx) => {
      const stored = tx.rows(ORDERS).get(order.id);
      if (stored === undefined) return false;
      // Only what may change after placing is written, as the SQL adapter's UPDATE does.
      return tx.update(ORDERS, {
        ...stored,
        status: order.status,
        updatedAt: order.updatedAt.getTime(),
        version: order.version,
      });
    });
    if (!found) throw orderNotFound(order.id);
    return order;
  }
}
