import { inject, injectable } from 'tsyringe';
import { mayReadOrders } from '../../../domain/order/order-policy.js';
import type { QueryHandler } from '../../bus.js';
import { userNotFound } from '../../not-found.js';
import { ORDER_READ_MODEL, type OrderReadModel } from '../../ports/order-read-model.js';
import type { OrderView } from '../../ports/order-view.js';
import { USER_READ_MODEL, type UserReadModel } from '../../ports/user-read-model.js';
import type { Page, Slice } from '../../ports/views.js';
import type { ListOrdersQuery } from './list-orders.query.js';

/** A user's orders, newest first: the user itself, moderators and admins; 404 for a missing user. */
export type OrderList =
  | ({ readonly mode: 'page' } & Page<OrderView>)
  | ({ readonly mode: 'slice' } & Slice<OrderView>);

@injectable()
export class ListOrdersHandler implements QueryHandler<ListOrdersQuery, OrderList> {
  constructor(
    @inject(ORDER_READ_MODEL) private readonly orders: OrderReadModel,
    @inject(USER_READ_MODEL) private readonly users: UserReadModel,
  ) {}

  async execute({ actor, criteria }: ListOrdersQuery): Promise<OrderList> {
    mayReadOrders(actor, criteria.userId);
    if ((await this.users.getById(criteria.userId)) === null) throw userNotFound(criteria.userId);
    if (criteria.mode === 'page') return { mode: 'page', ...(await this.orders.list(criteria)) };
    return { mode: 'slice', ...(await this.orders.listAfter(criteria)) };
  }
}
