import type { OrderItem } from '../../../domain/order/order.js';
import type { Actor } from '../../../domain/user/role.js';

/** POST /users/{id}/orders: a new pending order for the user; the total is computed, never given. */
export class PlaceOrderCommand {
  constructor(
    readonly actor: Actor,
    readonly userId: number,
    readonly input: { readonly currency: string; readonly items: readonly OrderItem[] },
  ) {}
}
