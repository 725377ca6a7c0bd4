import { inject, injectable } from 'tsyringe';
import { mayReadOrders } from '../../../domain/order/order-policy.js';
import type { QueryHandler } from '../../bus.js';
import { orderNotFound, userNotFound } from '../../not-found.js';
import { ORDER_READ_MODEL, type OrderReadModel } from '../../ports/order-read-model.js';
import type { OrderView } from '../../ports/order-view.js';
import { USER_READ_MODEL, type UserReadModel } from '../../ports/user-read-model.js';
import type { GetOrderQuery } from './get-order.query.js';

/**
 * One order under its user's path. Someone else's orders are 403 before anything is read; a
 * missing user is 404 for the user; an order of another user is 404 for the order, exactly as if
 * it did not exist.
 */
@injectable()
export class GetOrderHandler implements QueryHandler<GetOrderQuery, OrderView> {
  constructor(
    @inject(ORDER_READ_MODEL) private readonly orders: OrderReadModel,
    @inject(USER_READ_MODEL) private readonly users: UserReadModel,
  ) {}

  async execute({ actor, userId, orderId }: GetOrderQuery): Promise<OrderView> {
    mayReadOrders(actor, userId);
    if ((await this.users.getById(userId)) === null) throw userNotFound(userId);
    const order = await this.orders.getById(orderId);
    if (order === null || order.userId !== userId) throw orderNotFound(orderId);
    return order;
  }
}
