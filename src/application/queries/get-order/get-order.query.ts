import type { Actor } from '../../../domain/user/role.js';

export class GetOrderQuery {
  constructor(
    readonly actor: Actor,
    readonly userId: number,
    readonly orderId: number,
  ) {}
}
