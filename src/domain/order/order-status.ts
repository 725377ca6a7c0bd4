/**
 * The life of an order: its statuses and the one table of the moves between them, with who may
 * make each move. Nothing else in the service decides which status may follow which.
 */
export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const isOrderStatus = (value: unknown): value is OrderStatus =>
  typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);

/**
 * Who may make a move: `owner` is the user the order belongs to (whatever that user's role),
 * `admin` any admin. Moderators read orders but never change them.
 */
export type OrderMover = 'owner' | 'admin';

/**
 * THE transition table. A move that is not here, the same status included, is refused whoever
 * asks; a move that is here is made only by the movers it names.
 */
export const ORDER_TRANSITIONS: Readonly<
  Record<OrderStatus, Readonly<Partial<Record<OrderStatus, readonly OrderMover[]>>>>
> = {
  pending: { paid: ['admin'], cancelled: ['owner', 'admin'] },
  paid: { shipped: ['admin'], cancelled: ['admin'] },
  shipped: { delivered: ['admin'] },
  delivered: {},
  cancelled: {},
};

/** Who may move an order from `from` to `to`, or null when the table has no such move. */
export function moversOf(from: OrderStatus, to: OrderStatus): readonly OrderMover[] | null {
  return ORDER_TRANSITIONS[from][to] ?? null;
}

/** The statuses an order in `from` may move to (by anyone). */
export const nextStatuses = (from: OrderStatus): OrderStatus[] =>
  ORDER_STATUSES.filter((to) => moversOf(from, to) !== null);
