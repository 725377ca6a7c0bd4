import { inject, injectable } from 'tsyringe';
import { Order } from '../../../domain/order/order.js';
import { mayPlaceOrder } from '../../../domain/order/order-policy.js';
import type { CommandHandler } from '../../bus.js';
import { userNotFound } from '../../not-found.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { ORDER_REPOSITORY, type OrderRepository } from '../../ports/order-repository.js';
import { toOrderView, type OrderView } from '../../ports/order-view.js';
import { USER_READ_MODEL, type UserReadModel } from '../../ports/user-read-model.js';
import type { PlaceOrderCommand } from './place-order.command.js';

/**
 * The user itself or an admin places an order for an existing user. The user's row is not locked:
 * the store refuses an order for a user removed meanwhile (`not_found`), as the foreign key does.
 */
@injectable()
export class PlaceOrderHandler implements CommandHandler<PlaceOrderCommand, OrderView> {
  constructor(
    @inject(ORDER_REPOSITORY) private readonly orders: OrderRepository,
    @inject(USER_READ_MODEL) private readonly users: UserReadModel,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, userId, input }: PlaceOrderCommand): Promise<OrderView> {
    mayPlaceOrder(actor, userId);
    if ((await this.users.getById(userId)) === null) throw userNotFound(userId);
    const draft = Order.place(
      { userId, currency: input.currency, items: input.items },
      this.clock.now(),
    );
    return toOrderView(await this.orders.add(draft));
  }
}
