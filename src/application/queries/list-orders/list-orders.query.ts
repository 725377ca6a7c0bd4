import type { Actor } from '../../../domain/user/role.js';
import type { OrderListCriteria, OrderSliceCriteria } from '../../ports/order-read-model.js';

/** One use case, two ways to page: numbered pages with a total, or keyset slices. */
export type OrderListing =
  | ({ readonly mode: 'page' } & OrderListCriteria)
  | ({ readonly mode: 'slice' } & OrderSliceCriteria);

export class ListOrdersQuery {
  constructor(
    readonly actor: Actor,
    readonly criteria: OrderListing,
  ) {}
}
