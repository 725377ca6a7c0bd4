import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { ORDER_STATUSES, type OrderStatus } from '../../../../domain/order/order-status.js';

/**
 * A row of the `orders` table as MikroORM sees it. It never leaves the adapter: the repository
 * maps it to the domain's `Order`, the read model to an `OrderView`. The user is held as its id
 * (the foreign key column), not as an entity: the adapters never load a user through an order.
 */
export class OrderRecord {
  id!: number;
  userId!: number;
  status!: OrderStatus;
  /** ISO 4217, `char(3)`. */
  currency!: string;
  /** `bigint`, read back as a number: the domain keeps totals within Number.MAX_SAFE_INTEGER. */
  totalCents!: number;
  createdAt!: Date;
  updatedAt!: Date;
  /** The domain's version (the ETag source), written as given: not MikroORM's optimistic lock. */
  version!: number;
}

/** A row of `order_items`: one line of an order, at its position (0, 1, ...) in the order. */
export class OrderItemRecord {
  orderId!: number;
  position!: number;
  sku!: string;
  quantity!: number;
  unitPriceCents!: number;
}

/**
 * The mappings mirror the migration to the constraint, so that MikroORM's schema diff against a
 * migrated database is empty (a test checks it). The relations name their targets by entity name
 * rather than by import, so that this file and `user.entity.ts` (which lists every entity) do not
 * import each other.
 */
export const OrderSchema = new EntitySchema<OrderRecord>({
  class: OrderRecord,
  tableName: 'orders',
  indexes: [
    {
      name: 'orders_user_id_created_at_id_idx',
      expression:
        'create index "orders_user_id_created_at_id_idx" on "orders" ("user_id", "created_at" desc, "id" desc)',
    },
  ],
  checks: [
    { name: 'orders_currency_check', expression: `currency ~ '^[A-Z]{3}$'` },
    { name: 'orders_total_cents_check', expression: 'total_cents >= 0' },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true, generated: 'identity' },
    userId: {
      kind: 'm:1',
      entity: 'UserRecord',
      fieldName: 'user_id',
      foreignKeyName: 'orders_user_id_fkey',
      deleteRule: 'cascade',
      updateRule: 'no action',
      cascade: [],
    },
    status: { type: 'text', enum: true, items: () => [...ORDER_STATUSES] },
    currency: { type: 'string', columnType: 'char(3)' },
    totalCents: { type: new BigIntType('number'), columnType: 'bigint' },
    createdAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    updatedAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    version: { type: 'integer' },
  },
});

export const OrderItemSchema = new EntitySchema<OrderItemRecord>({
  class: OrderItemRecord,
  tableName: 'order_items',
  checks: [
    { name: 'order_items_position_check', expression: 'position >= 0' },
    { name: 'order_items_quantity_check', expression: 'quantity >= 1 and quantity <= 1000' },
    { name: 'order_items_unit_price_cents_check', expression: 'unit_price_cents >= 0' },
  ],
  properties: {
    orderId: {
      kind: 'm:1',
      entity: 'OrderRecord',
      primary: true,
      fieldName: 'order_id',
      foreignKeyName: 'order_items_order_id_fkey',
      deleteRule: 'cascade',
      updateRule: 'no action',
      cascade: [],
    },
    position: { type: 'integer', primary: true },
    sku: { type: 'string', length: 64 },
    quantity: { type: 'integer' },
    unitPriceCents: { type: new BigIntType('number'), columnType: 'bigint' },
  },
});
