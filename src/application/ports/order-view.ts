import type { OrderItem } from '../../domain/order/order.js';
import type { OrderStatus } from '../../domain/order/order-status.js';

/** What order queries and commands return: plain data, never the aggregate. */
export interface OrderView {
  readonly id: number;
  readonly userId: number;
  readonly status: OrderStatus;
  readonly currency: string;
  /** In the order they were placed in. */
  readonly items: readonly OrderItem[];
  readonly totalCents: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The source of the ETag. */
  readonly version: number;
}

export const toOrderView = (o: OrderView): OrderView => ({
  id: o.id,
  userId: o.userId,
  status: o.status,
  currency: o.currency,
  items: o.items.map((item) => ({
    sku: item.sku,
    quantity: item.quantity,
    unitPriceCents: item.unitPriceCents,
  })),
  totalCents: o.totalCents,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
  version: o.version,
});
