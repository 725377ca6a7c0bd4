import type { OrderView } from '../../../application/ports/order-view.js';
import {
  CURRENCY_PATTERN,
  ITEMS_MAX,
  ITEMS_MIN,
  ITEM_COUNT_MESSAGE,
  QUANTITY_MAX,
  QUANTITY_MIN,
  SKU_MAX,
  SKU_PATTERN,
  UNIT_PRICE_MAX,
  currencyProblem,
  skuProblem,
} from '../../../domain/order/order-rules.js';
import { ORDER_STATUSES } from '../../../domain/order/order-status.js';
import { array, integer, object, oneOf, text } from '../kit/codecs/codec.js';
import {
  MAX_ID,
  PAGE_DEFAULTS,
  PAGE_SPECS,
  SLICE_DEFAULTS,
  SLICE_SPECS,
  enumParam,
  idParam,
  params,
} from '../kit/codecs/params.js';

export const Currency = text(
  'Currency',
  {
    minLength: 3,
    maxLength: 3,
    pattern: CURRENCY_PATTERN.source,
    examples: ['EUR'],
    description: 'An ISO 4217 currency code in use.',
  },
  currencyProblem,
);
export const Sku = text(
  'Sku',
  {
    minLength: 1,
    maxLength: SKU_MAX,
    pattern: SKU_PATTERN.source,
    examples: ['BOOK-1'],
    description: 'Letters, digits, `-` and `_`.',
  },
  skuProblem,
);
export const Quantity = integer('Quantity', QUANTITY_MIN, QUANTITY_MAX, { examples: [2] });
export const UnitPriceCents = integer('UnitPriceCents', 0, UNIT_PRICE_MAX, {
  examples: [1999],
  description: "In integer cents of the order's currency.",
});
export const OrderStatusCodec = oneOf('OrderStatus', ORDER_STATUSES);

export const OrderItemBody = object('OrderItem', {
  sku: Sku,
  quantity: Quantity,
  unit_price_cents: UnitPriceCents,
});

/**
 * A new order: the currency and 1 to 100 items. Everything else (`total_cents`, `status`, `id`,
 * `user_id`, `created_at`, any unknown name) is the service's to set: sending it is 422.
 */
export const PlaceOrderBody = object(
  'OrderCreate',
  {
    currency: Currency,
    items: array('OrderItems', OrderItemBody, {
      min: ITEMS_MIN,
      max: ITEMS_MAX,
      message: ITEM_COUNT_MESSAGE,
    }),
  },
  {},
  'A new order. The total (`total_cents`) is computed by the service and cannot be sent; the order starts `pending`.',
);

export const ChangeOrderStatusBody = object(
  'OrderStatusChange',
  { status: OrderStatusCodec },
  {},
  '`pending -> paid | cancelled`, `paid -> shipped | cancelled`, `shipped -> delivered`. The owner may only cancel a pending order; every other move is for admins.',
);

export const UserOrdersParams = params('UserOrdersParams', { id: idParam('user id') }, {}, ['id']);
export const OrderIdParams = params(
  'OrderIdParams',
  { id: idParam('user id'), order_id: idParam('order id') },
  {},
  ['id', 'order_id'],
);

export const ListOrdersQueryCodec = params(
  'ListOrdersQuery',
  { ...PAGE_SPECS, status: enumParam('status', ORDER_STATUSES, 'Only orders in this status') },
  { ...PAGE_DEFAULTS },
);

/** Version 2: keyset pages. */
export const ListOrdersSliceQueryCodec = params(
  'ListOrdersSliceQuery',
  { ...SLICE_SPECS, status: enumParam('status', ORDER_STATUSES, 'Only orders in this status') },
  { ...SLICE_DEFAULTS },
);

/** The order representation of the contract. */
export const presentOrder = (o: OrderView) => ({
  id: o.id,
  user_id: o.userId,
  status: o.status,
  currency: o.currency,
  items: o.items.map((item) => ({
    sku: item.sku,
    quantity: item.quantity,
    unit_price_cents: item.unitPriceCents,
  })),
  total_cents: o.totalCents,
  created_at: o.createdAt.toISOString(),
  updated_at: o.updatedAt.toISOString(),
});

export const OrderSchema = {
  type: 'object',
  required: [
    'id',
    'user_id',
    'status',
    'currency',
    'items',
    'total_cents',
    'created_at',
    'updated_at',
  ],
  properties: {
    id: { type: 'integer', minimum: 1, maximum: MAX_ID, examples: [7] },
    user_id: { type: 'integer', minimum: 1, maximum: MAX_ID, examples: [1] },
    status: { type: 'string', enum: ORDER_STATUSES },
    currency: {
      type: 'string',
      minLength: 3,
      maxLength: 3,
      pattern: CURRENCY_PATTERN.source,
      examples: ['EUR'],
    },
    items: {
      type: 'array',
      minItems: ITEMS_MIN,
      maxItems: ITEMS_MAX,
      items: {
        type: 'object',
        required: ['sku', 'quantity', 'unit_price_cents'],
        properties: {
          sku: {
            type: 'string',
            minLength: 1,
            maxLength: SKU_MAX,
            pattern: SKU_PATTERN.source,
            examples: ['BOOK-1'],
          },
          quantity: {
            type: 'integer',
            minimum: QUANTITY_MIN,
            maximum: QUANTITY_MAX,
            examples: [2],
          },
          unit_price_cents: {
            type: 'integer',
            minimum: 0,
            maximum: UNIT_PRICE_MAX,
            examples: [1999],
          },
        },
      },
    },
    total_cents: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      examples: [3998],
      description: 'Computed by the service.',
    },
    created_at: { type: 'string', format: 'date-time', maxLength: 30 },
    updated_at: { type: 'string', format: 'date-time', maxLength: 30 },
  },
} as const;
