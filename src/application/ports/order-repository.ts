import type { NewOrder, Order } from '../../domain/order/order.js';
import { token } from './injection.js';

/**
 * The write side's store of orders. Inside a unit of work `findById` locks the order's row until
 * the unit ends. `add` for a user that is not stored throws `not_found`.
 */
export interface OrderRepository {
  findById(id: number): Promise<Order | null>;
  /** Stores the order and its items, all of them or nothing, and gives it its id. */
  add(order: NewOrder): Promise<Order>;
  /**
   * Stores the changed status, `updatedAt` and version. Items and total are fixed when an order
   * is placed and are not written again. `not_found` for an order that is not stored.
   */
  update(order: Order): Promise<Order>;
}

export const ORDER_REPOSITORY = token<OrderRepository>('OrderRepository');
