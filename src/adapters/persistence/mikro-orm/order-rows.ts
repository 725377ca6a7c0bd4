import type { SqlEntityManager } from '@mikro-orm/knex';
import type { OrderItem, OrderProps } from '../../../domain/order/order.js';
import type { OrderStatus } from '../../../domain/order/order-status.js';
import { OrderItemRecord } from './entities/order.entity.js';

/** The columns of `orders` both the repository and the read model read, by property name. */
export const ORDER_COLUMNS = [
  'o.id',
  'o.userId',
  'o.status',
  'o.currency',
  'o.totalCents',
  'o.createdAt',
  'o.updatedAt',
  'o.version',
] as const;

/** An `orders` row as a mapped query returns it: the foreign key as the user's id. */
export interface OrderRow {
  readonly id: number;
  readonly userId: number;
  readonly status: OrderStatus;
  readonly currency: string;
  readonly totalCents: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

interface ItemRow {
  readonly orderId: number;
  readonly position: number;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/**
 * The lines of the given orders, each order's in position order, in one statement. Rows are read
 * without hydration (no identity map, no references): plain values in, plain values out.
 */
export async function itemsOf(
  em: SqlEntityManager,
  orderIds: readonly number[],
  connection: 'read' | 'write',
): Promise<Map<number, OrderItem[]>> {
  const byOrder = new Map<number, OrderItem[]>(orderIds.map((id) => [id, []]));
  if (orderIds.length === 0) return byOrder;
  const rows = (await em
    .createQueryBuilder(OrderItemRecord, 'i', connection)
    .select(['i.orderId', 'i.position', 'i.sku', 'i.quantity', 'i.unitPriceCents'])
    .where({ orderId: { $in: [...orderIds] } })
    .orderBy([{ orderId: 'asc' }, { position: 'asc' }])
    .execute('all', true)) as ItemRow[];
  for (const row of rows) {
    byOrder
      .get(Number(row.orderId))
      ?.push({ sku: row.sku, quantity: row.quantity, unitPriceCents: Number(row.unitPriceCents) });
  }
  return byOrder;
}

/** An order's props from its row and its lines. */
export const toOrderProps = (row: OrderRow, items: readonly OrderItem[]): OrderProps => ({
  id: row.id,
  userId: Number(row.userId),
  status: row.status,
  currency: row.currency,
  items,
  totalCents: Number(row.totalCents),
  createdAt: new Date(row.createdAt),
  updatedAt: new Date(row.updatedAt),
  version: row.version,
});
