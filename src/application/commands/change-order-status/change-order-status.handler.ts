import { inject, injectable } from 'tsyringe';
import {
  authorizeOrderStatusChange,
  mayAttemptOrderStatusChange,
} from '../../../domain/order/order-policy.js';
import type { CommandHandler } from '../../bus.js';
import { orderNotFound, userNotFound } from '../../not-found.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { ORDER_REPOSITORY, type OrderRepository } from '../../ports/order-repository.js';
import { toOrderView, type OrderView } from '../../ports/order-view.js';
import { USER_READ_MODEL, type UserReadModel } from '../../ports/user-read-model.js';
import { assertVersion } from '../../preconditions.js';
import type { ChangeOrderStatusCommand } from './change-order-status.command.js';

/**
 * Moves an order along the transition table, in the contract's order of checks: who could try at
 * all (403), the user and the order under that user (404), who may make this move (403),
 * `If-Match` on the locked row (412), and whether the table has the move (409).
 */
@injectable()
export class ChangeOrderStatusHandler
  implements CommandHandler<ChangeOrderStatusCommand, OrderView>
{
  constructor(
    @inject(ORDER_REPOSITORY) private readonly orders: OrderRepository,
    @inject(USER_READ_MODEL) private readonly users: UserReadModel,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({
    actor,
    userId,
    orderId,
    status,
    expectedVersions,
  }: ChangeOrderStatusCommand): Promise<OrderView> {
    mayAttemptOrderStatusChange(actor, userId);
    if ((await this.users.getById(userId)) === null) throw userNotFound(userId);
    const order = await this.orders.findById(orderId);
    // Another user's order is not found under this user's path: its existence is not disclosed.
    if (order === null || order.userId !== userId) throw orderNotFound(orderId);
    authorizeOrderStatusChange(actor, order, status);
    assertVersion(order.version, expectedVersions);
    return toOrderView(await this.orders.update(order.changeStatus(status, this.clock.now())));
  }
}
