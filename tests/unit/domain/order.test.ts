import { expect } from 'chai';
import fc from 'fast-check';
import { DomainError } from '../../../src/domain/shared/errors.js';
import type { Actor } from '../../../src/domain/user/role.js';
import { Order, type OrderItem, type OrderProps } from '../../../src/domain/order/order.js';
import {
  authorizeOrderStatusChange,
  mayAttemptOrderStatusChange,
  mayPlaceOrder,
  mayReadOrders,
} from '../../../src/domain/order/order-policy.js';
import {
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  moversOf,
  nextStatuses,
  type OrderStatus,
} from '../../../src/domain/order/order-status.js';
import {
  UNIT_PRICE_MAX,
  currencyProblem,
  itemCountProblem,
  quantityProblem,
  skuProblem,
  totalCents,
  unitPriceProblem,
} from '../../../src/domain/order/order-rules.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const t1 = new Date('2026-01-02T00:00:00.000Z');

const OWNER_ID = 1;
const owner: Actor = { id: OWNER_ID, role: 'user' };
const ownerModerator: Actor = { id: OWNER_ID, role: 'moderator' };
const ownerAdmin: Actor = { id: OWNER_ID, role: 'admin' };
const stranger: Actor = { id: 2, role: 'user' };
const moderator: Actor = { id: 3, role: 'moderator' };
const admin: Actor = { id: 4, role: 'admin' };

const anOrder = (props: Partial<OrderProps> = {}): Order =>
  Order.restore({
    id: 7,
    userId: OWNER_ID,
    status: 'pending',
    currency: 'EUR',
    items: [{ sku: 'BOOK-1', quantity: 2, unitPriceCents: 1999 }],
    totalCents: 3998,
    createdAt: t0,
    updatedAt: t0,
    version: 1,
    ...props,
  });

function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

/** What happens when `actor` asks to move an order from `from` to `to`: the policy first, then the order. */
function attempt(
  actor: Actor,
  from: OrderStatus,
  to: OrderStatus,
): 'allowed' | 'forbidden' | 'conflict' {
  const order = anOrder({ status: from });
  try {
    mayAttemptOrderStatusChange(actor, order.userId);
    authorizeOrderStatusChange(actor, order, to);
    const next = order.changeStatus(to, t1);
    expect(next.status).to.equal(to);
    return 'allowed';
  } catch (error) {
    if (error instanceof DomainError && (error.kind === 'forbidden' || error.kind === 'conflict'))
      return error.kind;
    throw error;
  }
}

describe('domain: order status machine', () => {
  const ALLOWED: ReadonlyArray<[OrderStatus, OrderStatus]> = [
    ['pending', 'paid'],
    ['pending', 'cancelled'],
    ['paid', 'shipped'],
    ['paid', 'cancelled'],
    ['shipped', 'delivered'],
  ];
  const inTable = (from: OrderStatus, to: OrderStatus) =>
    ALLOWED.some(([f, t]) => f === from && t === to);

  it('has exactly the moves of the contract, and who may make each', () => {
    expect(ORDER_TRANSITIONS).to.deep.equal({
      pending: { paid: ['admin'], cancelled: ['owner', 'admin'] },
      paid: { shipped: ['admin'], cancelled: ['admin'] },
      shipped: { delivered: ['admin'] },
      delivered: {},
      cancelled: {},
    });
    expect(nextStatuses('pending')).to.deep.equal(['paid', 'cancelled']);
    expect(nextStatuses('delivered')).to.deep.equal([]);
  });

  it('every pair of statuses, for every kind of caller: allowed, forbidden (403) or a conflict (409)', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const label = `${from} -> ${to}`;
        if (!inTable(from, to)) {
          // Not in the table, the same status included: a conflict whoever asks (who may try at all).
          for (const actor of [owner, ownerModerator, ownerAdmin, admin])
            expect(attempt(actor, from, to), `${label} by ${JSON.stringify(actor)}`).to.equal(
              'conflict',
            );
          expect(moversOf(from, to), label).to.equal(null);
          continue;
        }
        const ownerMay = from === 'pending' && to === 'cancelled';
        expect(attempt(admin, from, to), `${label} by an admin`).to.equal('allowed');
        expect(attempt(ownerAdmin, from, to), `${label} by an admin who owns it`).to.equal(
          'allowed',
        );
        expect(attempt(owner, from, to), `${label} by the owner`).to.equal(
          ownerMay ? 'allowed' : 'forbidden',
        );
        expect(
          attempt(ownerModerator, from, to),
          `${label} by an owner who is a moderator`,
        ).to.equal(ownerMay ? 'allowed' : 'forbidden');
      }
    }
  });

  it('moderators and other users may not change someone else’s order at all, whatever the move', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        expect(attempt(moderator, from, to), `${from} -> ${to}`).to.equal('forbidden');
        expect(attempt(stranger, from, to), `${from} -> ${to}`).to.equal('forbidden');
      }
    }
  });

  it('a refused move names both statuses; a forbidden one names the role', () => {
    expect(
      thrown(() => anOrder({ status: 'delivered' }).changeStatus('cancelled', t1)).message,
    ).to.equal('Cannot change order status from delivered to cancelled');
    expect(thrown(() => anOrder({ status: 'paid' }).changeStatus('paid', t1)).message).to.equal(
      'Cannot change order status from paid to paid',
    );
    expect(thrown(() => authorizeOrderStatusChange(owner, anOrder(), 'paid')).message).to.equal(
      'Insufficient permissions. Required role: admin',
    );
    expect(thrown(() => mayAttemptOrderStatusChange(moderator, OWNER_ID)).message).to.equal(
      'Insufficient permissions. Required role: admin',
    );
  });

  it('a move bumps the version and updated_at and keeps everything else', () => {
    const order = anOrder();
    const paid = order.changeStatus('paid', t1);
    expect(paid).to.be.instanceOf(Order);
    expect(paid).to.deep.include({
      id: 7,
      userId: OWNER_ID,
      status: 'paid',
      currency: 'EUR',
      totalCents: 3998,
      version: 2,
    });
    expect(paid.updatedAt).to.equal(t1);
    expect(paid.createdAt).to.equal(t0);
    expect(paid.items).to.deep.equal(order.items);
    expect(order.status, 'the original is unchanged').to.equal('pending');
  });
});

describe('domain: order access policy', () => {
  const outcome = (fn: () => void) => {
    try {
      fn();
      return 'allowed';
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'forbidden') return 'forbidden';
      throw error;
    }
  };

  it('placing: the user itself and admins; not moderators, not other users', () => {
    expect(
      [owner, ownerModerator, admin].map((a) => outcome(() => mayPlaceOrder(a, OWNER_ID))),
    ).to.deep.equal(['allowed', 'allowed', 'allowed']);
    expect(
      [stranger, moderator].map((a) => outcome(() => mayPlaceOrder(a, OWNER_ID))),
    ).to.deep.equal(['forbidden', 'forbidden']);
  });

  it('reading: the user itself, moderators and admins; not other users', () => {
    expect(
      [owner, moderator, admin].map((a) => outcome(() => mayReadOrders(a, OWNER_ID))),
    ).to.deep.equal(['allowed', 'allowed', 'allowed']);
    expect(outcome(() => mayReadOrders(stranger, OWNER_ID))).to.equal('forbidden');
  });
});

describe('domain: placing an order', () => {
  const item = (over: Partial<OrderItem> = {}): OrderItem => ({
    sku: 'BOOK-1',
    quantity: 2,
    unitPriceCents: 1999,
    ...over,
  });

  it('places a pending order, version 1, with the total computed in cents', () => {
    const draft = Order.place(
      {
        userId: 5,
        currency: 'EUR',
        items: [item(), item({ sku: 'PEN_2', quantity: 3, unitPriceCents: 250 })],
      },
      t0,
    );
    expect(draft).to.deep.include({
      userId: 5,
      status: 'pending',
      currency: 'EUR',
      totalCents: 3998 + 750,
      version: 1,
    });
    expect(draft.createdAt).to.equal(t0);
    expect(draft.updatedAt).to.equal(t0);
    expect(draft.items.map((i) => i.sku)).to.deep.equal(['BOOK-1', 'PEN_2']);
  });

  it('copies and freezes the items it is given', () => {
    const items = [item()];
    const draft = Order.place({ userId: 5, currency: 'EUR', items }, t0);
    items[0] = item({ sku: 'CHANGED' });
    expect(draft.items[0]?.sku).to.equal('BOOK-1');
    expect(Object.isFrozen(draft.items) && Object.isFrozen(draft.items[0])).to.equal(true);
  });

  it('names every bad field, with the item paths of the contract', () => {
    const error = thrown(() =>
      Order.place(
        {
          userId: 5,
          currency: 'eur',
          items: [
            item(),
            item({ sku: 'bad sku', quantity: 0, unitPriceCents: -1 }),
            item({ quantity: 1.5 }),
          ],
        },
        t0,
      ),
    );
    expect(error.kind).to.equal('validation');
    expect(error.details?.map((d) => d.field)).to.deep.equal([
      'currency',
      'items.1.sku',
      'items.1.quantity',
      'items.1.unit_price_cents',
      'items.2.quantity',
    ]);
  });

  it('1 to 100 items', () => {
    expect(
      thrown(() => Order.place({ userId: 5, currency: 'EUR', items: [] }, t0)).details,
    ).to.deep.equal([{ field: 'items', message: 'An order has 1 to 100 items' }]);
    expect(
      Order.place(
        { userId: 5, currency: 'EUR', items: Array.from({ length: 100 }, () => item()) },
        t0,
      ).items,
    ).to.have.length(100);
    expect(
      thrown(() =>
        Order.place(
          { userId: 5, currency: 'EUR', items: Array.from({ length: 101 }, () => item()) },
          t0,
        ),
      ).details?.[0]?.field,
    ).to.equal('items');
  });

  it('refuses a total past Number.MAX_SAFE_INTEGER, exactly at the boundary', () => {
    // 9 x 10^15 + 7 x 10^12 + 199_254_740_991 is exactly Number.MAX_SAFE_INTEGER; one more cent is not.
    const big = [
      ...Array.from({ length: 9 }, () => item({ quantity: 1000, unitPriceCents: UNIT_PRICE_MAX })),
      item({ quantity: 7, unitPriceCents: UNIT_PRICE_MAX }),
    ];
    const remainder = 199_254_740_991;
    const fits = Order.place(
      {
        userId: 5,
        currency: 'EUR',
        items: [...big, item({ quantity: 1, unitPriceCents: remainder })],
      },
      t0,
    );
    expect(fits.totalCents).to.equal(Number.MAX_SAFE_INTEGER);
    const error = thrown(() =>
      Order.place(
        {
          userId: 5,
          currency: 'EUR',
          items: [...big, item({ quantity: 1, unitPriceCents: remainder + 1 })],
        },
        t0,
      ),
    );
    expect(error.kind).to.equal('validation');
    expect(error.details).to.deep.equal([
      {
        field: 'items',
        message: `The order total must not exceed ${Number.MAX_SAFE_INTEGER} cents`,
      },
    ]);
  });
});

describe('domain: order field rules', () => {
  it('currency: three upper-case letters, an ISO 4217 code in use', () => {
    for (const ok of ['EUR', 'USD', 'JPY', 'CHF']) expect(currencyProblem(ok), ok).to.equal(null);
    for (const bad of ['eur', 'EU', 'EURO', 'E1R', '', ' EUR'])
      expect(currencyProblem(bad), bad).to.equal(
        'Currency must be three upper-case letters (ISO 4217)',
      );
    expect(currencyProblem('ABC')).to.equal('Unknown ISO 4217 currency code: ABC');
  });

  it('sku: 1 to 64 letters, digits, - and _', () => {
    for (const ok of ['A', 'BOOK-1', 'a_b-C9', 'x'.repeat(64)])
      expect(skuProblem(ok), ok).to.equal(null);
    expect(skuProblem('')).to.match(/1 to 64/);
    expect(skuProblem('x'.repeat(65))).to.match(/1 to 64/);
    for (const bad of ['has space', 'dot.ted', 'slash/', 'ümlaut'])
      expect(skuProblem(bad), bad).to.match(/letters, digits/);
  });

  it('quantity 1 to 1000 and unit price 0 to 10^12, integers only; 1 to 100 items', () => {
    expect([1, 1000].map(quantityProblem)).to.deep.equal([null, null]);
    for (const bad of [0, 1001, 1.5, -1, Number.NaN])
      expect(quantityProblem(bad), String(bad)).to.equal('Must be an integer from 1 to 1000');
    expect([0, UNIT_PRICE_MAX].map(unitPriceProblem)).to.deep.equal([null, null]);
    for (const bad of [-1, UNIT_PRICE_MAX + 1, 0.5])
      expect(unitPriceProblem(bad), String(bad)).to.not.equal(null);
    expect([1, 100].map(itemCountProblem)).to.deep.equal([null, null]);
    expect([0, 101].map(itemCountProblem)).to.deep.equal([
      'An order has 1 to 100 items',
      'An order has 1 to 100 items',
    ]);
  });

  it('property: the total is the exact sum of the lines whenever it is a safe integer, and null otherwise', () => {
    const line = fc.record({
      quantity: fc.integer({ min: 1, max: 1000 }),
      unitPriceCents: fc.integer({ min: 0, max: UNIT_PRICE_MAX }),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 100 }), (items) => {
        const exact = items.reduce(
          (sum, i) => sum + BigInt(i.quantity) * BigInt(i.unitPriceCents),
          0n,
        );
        const total = totalCents(items);
        if (exact > BigInt(Number.MAX_SAFE_INTEGER)) expect(total).to.equal(null);
        else expect(total).to.equal(Number(exact));
      }),
    );
  });
});
