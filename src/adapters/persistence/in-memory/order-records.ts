import type { NewOrder, OrderProps } from '../../../domain/order/order.js';
import { isOrderStatus, type OrderStatus } from '../../../domain/order/order-status.js';
import type { OrderView } from '../../../application/ports/order-view.js';
import { defineTable } from './in-memory-database.js';

/** One line, as the SQL `order_items` row holds it (its position is its index in `items`). */
export interface OrderItemRecord {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/**
 * A row of the in-memory `orders` table. The SQL schema keeps the lines in `order_items`; here
 * they are kept in the order's row, a frozen array in position order, which gives the same
 * all-or-nothing writes and the same cascade (lines go with their order) with no second table.
 */
export interface OrderRecord {
  readonly id: number;
  readonly userId: number;
  readonly status: OrderStatus;
  readonly currency: string;
  readonly items: readonly OrderItemRecord[];
  readonly totalCents: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly version: number;
}

export const ORDERS = defineTable<OrderRecord>({ name: 'orders', unique: {} });

/**
 * The CHECK constraints of the SQL tables (`orders_*_check`, `order_items_*_check`): a row that
 * breaks one is refused by the store, whatever the domain let through. Returns the name of the
 * first constraint broken, or null.
 */
export function brokenOrderCheck(row: Omit<OrderRecord, 'id'>): string | null {
  if (!isOrderStatus(row.status)) return 'orders_status_check';
  if (!/^[A-Z]{3}$/.test(row.currency)) return 'orders_currency_check';
  if (!(row.totalCents >= 0)) return 'orders_total_cents_check';
  for (const item of row.items) {
    // varchar(64): PostgreSQL refuses a longer value too, though not by a named constraint.
    if (item.sku.length > 64) return 'order_items_sku_length';
    if (!(item.quantity >= 1 && item.quantity <= 1000)) return 'order_items_quantity_check';
    if (!(item.unitPriceCents >= 0)) return 'order_items_unit_price_cents_check';
  }
  return null;
}

/** Thrown for a row that breaks a CHECK constraint, as PostgreSQL's error would be: not a caller's error. */
export class CheckViolation extends Error {
  constructor(readonly constraint: string) {
    super(`new row violates check constraint "${constraint}"`);
    this.name = 'CheckViolation';
  }
}

const itemRecords = (items: NewOrder['items']): readonly OrderItemRecord[] =>
  Object.freeze(
    items.map((i) =>
      Object.freeze({ sku: i.sku, quantity: i.quantity, unitPriceCents: i.unitPriceCents }),
    ),
  );

/** The columns of an order, without the id the table gives it. */
export const toOrderRecord = (order: NewOrder): Omit<OrderRecord, 'id'> => ({
  userId: order.userId,
  status: order.status,
  currency: order.currency,
  items: itemRecords(order.items),
  totalCents: order.totalCents,
  createdAt: order.createdAt.getTime(),
  updatedAt: order.updatedAt.getTime(),
  version: order.version,
});

export const toOrderProps = (row: OrderRecord): OrderProps => toOrderView(row);

export const toOrderView = (row: OrderRecord): OrderView => ({
  id: row.id,
  userId: row.userId,
  status: row.status,
  currency: row.currency,
  items: row.items.map((i) => ({
    sku: i.sku,
    quantity: i.quantity,
    unitPriceCents: i.unitPriceCents,
  })),
  totalCents: row.totalCents,
  createdAt: new Date(row.createdAt),
  updatedAt: new Date(row.updatedAt),
  version: row.version,
});
