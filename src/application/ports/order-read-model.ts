import type { OrderStatus } from '../../domain/order/order-status.js';
import type { OrderView } from './order-view.js';
import { token } from './injection.js';
import type { Page, PageRequest, Slice } from './views.js';

export interface OrderFilter {
  readonly status?: OrderStatus;
}

/**
 * One user's orders, newest first: `created_at` descending, ties broken by id descending, so
 * pages never overlap. The index `(user_id, created_at desc, id desc)` serves exactly this order.
 */
export interface OrderListCriteria extends PageRequest {
  readonly userId: number;
  readonly filter: OrderFilter;
}

/** Where a keyset list of orders stands: the created_at (ISO) and id of the last order seen. */
export interface OrderPosition {
  readonly key: string;
  readonly id: number;
}

export interface OrderSliceCriteria {
  readonly userId: number;
  readonly filter: OrderFilter;
  readonly limit: number;
  readonly after?: OrderPosition;
}

export const orderPosition = (order: OrderView): OrderPosition => ({
  key: order.createdAt.toISOString(),
  id: order.id,
});

/** The query side's view of orders: lean reads that return views. */
export interface OrderReadModel {
  getById(id: number): Promise<OrderView | null>;
  /** Offset pages with a total (API v1). */
  list(criteria: OrderListCriteria): Promise<Page<OrderView>>;
  /** Keyset slices, newest first (API v2): up to `limit` orders after `after`, and whether more follow. */
  listAfter(criteria: OrderSliceCriteria): Promise<Slice<OrderView>>;
}

export const ORDER_READ_MODEL = token<OrderReadModel>('OrderReadModel');
