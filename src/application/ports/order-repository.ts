import type { NewOrder, Order } from '../../domain/order/order.js';
import { token } from './token.js';

/**
 * The write side's store of orders. Inside a unit of work `findById` locks the order's row until
 * the unit ends, so a status change reads, checks and writes without anyone else moving the
 * order in between.
 *
 * An order belongs to a stored user: `add` for a user that does not exist (or that is removed
 * while the order is being added) throws `not_found` (`User with id N not found`), and removing a
 * user removes the user's orders with it (`UserRepository.remove`).
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
