import type { DomainEvent } from '../shared/domain-event.js';
import { DomainError, validationFailed, type FieldIssue } from '../shared/errors.js';
import {
  TOTAL_TOO_LARGE,
  currencyProblem,
  itemCountProblem,
  quantityProblem,
  skuProblem,
  totalCents,
  unitPriceProblem,
} from './order-rules.js';
import { moversOf, type OrderStatus } from './order-status.js';

/** One line of an order. Lines keep the order they were given in. */
export interface OrderItem {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface OrderProps {
  readonly id: number;
  /** The user the order belongs to; orders live and die with their user. */
  readonly userId: number;
  readonly status: OrderStatus;
  /** ISO 4217 code. */
  readonly currency: string;
  readonly items: readonly OrderItem[];
  /** The sum of quantity times unit price over the items, in integer cents; never sent by a caller. */
  readonly totalCents: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Bumped on every change; the source of the ETag. */
  readonly version: number;
}

/** An order not yet stored: the repository gives it its id. */
export type NewOrder = Omit<OrderProps, 'id'>;

function check(issues: FieldIssue[], field: string, problem: string | null): void {
  if (problem !== null) issues.push({ field, message: problem });
}

const freezeItems = (items: readonly OrderItem[]): readonly OrderItem[] =>
  Object.freeze(
    items.map((item) =>
      Object.freeze({
        sku: item.sku,
        quantity: item.quantity,
        unitPriceCents: item.unitPriceCents,
      }),
    ),
  );

/** A stored order was placed. */
export const orderPlaced = (order: OrderProps): DomainEvent => ({
  action: 'order.placed',
  subjectType: 'order',
  subjectId: String(order.id),
  changes: { status: { from: null, to: order.status } },
});

/**
 * The order aggregate: its lines, its total and its status. Its methods return a changed copy;
 * the repository decides when the change is stored. Lines and total are fixed once placed; only
 * the status moves, along the transition table of `order-status.ts`.
 */
export class Order implements OrderProps {
  readonly id!: number;
  readonly userId!: number;
  readonly status!: OrderStatus;
  readonly currency!: string;
  readonly items!: readonly OrderItem[];
  readonly totalCents!: number;
  readonly createdAt!: Date;
  readonly updatedAt!: Date;
  readonly version!: number;
  /** What happened to this order since it was restored (not enumerable: not a property of the order). */
  declare readonly events: readonly DomainEvent[];

  private constructor(props: OrderProps, events: readonly DomainEvent[] = []) {
    Object.assign(this, props, { items: freezeItems(props.items) });
    Object.defineProperty(this, 'events', { value: Object.freeze([...events]), enumerable: false });
  }

  /** The same order with no events pending: what a save returns once it has collected them. */
  withoutEvents(): Order {
    return this.events.length === 0 ? this : new Order(this);
  }

  /** Rebuilds a stored order; adapters use it, so it trusts its input. */
  static restore(props: OrderProps): Order {
    return new Order(props);
  }

  /**
   * A new pending order for `userId`. Every bad field is named (`currency`, `items`,
   * `items.0.sku`, ...); a total past Number.MAX_SAFE_INTEGER is refused on `items`.
   */
  static place(
    input: { userId: number; currency: string; items: readonly OrderItem[] },
    now: Date,
  ): NewOrder {
    const issues: FieldIssue[] = [];
    check(issues, 'currency', currencyProblem(input.currency));
    check(issues, 'items', itemCountProblem(input.items.length));
    input.items.forEach((item, i) => {
      check(issues, `items.${i}.sku`, skuProblem(item.sku));
      check(issues, `items.${i}.quantity`, quantityProblem(item.quantity));
      check(issues, `items.${i}.unit_price_cents`, unitPriceProblem(item.unitPriceCents));
    });
    if (issues.length > 0) throw validationFailed(issues);
    const total = totalCents(input.items);
    if (total === null) throw validationFailed([{ field: 'items', message: TOTAL_TOO_LARGE }]);
    return {
      userId: input.userId,
      status: 'pending',
      currency: input.currency,
      items: freezeItems(input.items),
      totalCents: total,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
  }

  /**
   * The order in status `to`. A move the transition table does not have, the same status
   * included, is a conflict: `Cannot change order status from X to Y`. Who may make the move is
   * the policy's question (`authorizeOrderStatusChange`), asked before this one.
   */
  changeStatus(to: OrderStatus, now: Date): Order {
    if (moversOf(this.status, to) === null) {
      throw new DomainError('conflict', `Cannot change order status from ${this.status} to ${to}`);
    }
    const event: DomainEvent = {
      action: 'order.status_changed',
      subjectType: 'order',
      subjectId: String(this.id),
      changes: { status: { from: this.status, to } },
    };
    return new Order({ ...this, status: to, updatedAt: now, version: this.version + 1 }, [
      ...this.events,
      event,
    ]);
  }
}
