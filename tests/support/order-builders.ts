/** Small builders for orders: only what a test cares about is spelled out. */
import type { NewOrder, Order, OrderItem, OrderProps } from '../../src/domain/order/order.js';
import { Order as OrderAggregate } from '../../src/domain/order/order.js';
import { at } from './builders.js';

let sequence = 0;

export const anItem = (overrides: Partial<OrderItem> = {}): OrderItem => {
  sequence += 1;
  return { sku: `SKU-${sequence}`, quantity: 1, unitPriceCents: 100 * sequence, ...overrides };
};

/** A new pending order of `userId`, its total computed from its items unless told otherwise. */
export function anOrder(userId: number, overrides: Partial<NewOrder> = {}): NewOrder {
  sequence += 1;
  const items = overrides.items ?? [
    anItem({ quantity: 2, unitPriceCents: 1999 }),
    anItem({ sku: `B_${sequence}`, quantity: 1, unitPriceCents: 500 }),
  ];
  const created = overrides.createdAt ?? at(sequence);
  return {
    userId,
    status: 'pending',
    currency: 'EUR',
    items,
    totalCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
    createdAt: created,
    updatedAt: created,
    version: 1,
    ...overrides,
  };
}

/** The stored order with some fields changed and the version bumped, as the domain would. */
export const changedOrder = (order: Order, changes: Partial<Omit<OrderProps, 'id'>>): Order =>
  OrderAggregate.restore({
    ...order,
    updatedAt: at(10_000),
    version: order.version + 1,
    ...changes,
  });
