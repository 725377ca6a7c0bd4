import type { OrderStatus } from '../../../domain/order/order-status.js';
import type { Actor } from '../../../domain/user/role.js';
import type { ExpectedVersions } from '../../preconditions.js';

/** PATCH /users/{id}/orders/{order_id} `{"status": ...}`. */
export class ChangeOrderStatusCommand {
  constructor(
    readonly actor: Actor,
    readonly userId: number,
    readonly orderId: number,
    readonly status: OrderStatus,
    readonly expectedVersions?: ExpectedVersions,
  ) {}
}
