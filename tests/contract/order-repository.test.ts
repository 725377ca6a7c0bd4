import { expect } from 'chai';
import { Order } from '../../src/domain/order/order.js';
import { aUser, at, changed } from '../support/builders.js';
import { anItem, anOrder, changedOrder } from '../support/order-builders.js';
import { describeStorages, useStorage } from '../support/storage.js';
import { expectDomainError, latch, rejectionOf, Rollback, sleep } from './helpers.js';

/** The fields of an order as plain data, for deep comparisons. */
const props = (order: Order | null) =>
  order === null ? null : { ...order, items: order.items.map((item) => ({ ...item })) };

describeStorages('OrderRepository contract', (target) => {
  const store = useStorage(target);
  const orders = () => store().orders;
  const run = <T>(work: () => Promise<T>) => store().unitOfWork.run(work);
  const addUser = async () => (await store().users.add(aUser())).id;
  const ordersOf = async (userId: number) =>
    (await store().orderReadModel.list({ userId, filter: {}, page: 1, pageSize: 100 })).items.map(
      (view) => view.id,
    );

  describe('add and find', () => {
    it('stores a new order with its items, in their order, under a new positive id', async () => {
      const userId = await addUser();
      const items = [
        anItem({ sku: 'ZED-9', quantity: 3, unitPriceCents: 250 }),
        anItem({ sku: 'a_1', quantity: 1000, unitPriceCents: 0 }),
        anItem({ sku: 'M-2', quantity: 1, unitPriceCents: 1_000_000_000_000 }),
      ];
      const draft = anOrder(userId, { items, currency: 'JPY', totalCents: 1_000_000_000_750 });
      const added = await orders().add(draft);
      expect(added).to.be.instanceOf(Order);
      expect(added.id).to.be.a('number').and.to.be.greaterThan(0);
      expect(props(added)).to.deep.equal({ ...draft, id: added.id });
      const found = await orders().findById(added.id);
      expect(found).to.be.instanceOf(Order);
      expect(props(found)).to.deep.equal(props(added));
      expect(found?.items.map((item) => item.sku)).to.deep.equal(['ZED-9', 'a_1', 'M-2']);
    });

    it('keeps totals beyond 32 bits exactly, up to Number.MAX_SAFE_INTEGER, and the times to the millisecond', async () => {
      const userId = await addUser();
      const draft = anOrder(userId, {
        items: [anItem({ quantity: 1, unitPriceCents: 999_999_999_999 })],
        totalCents: Number.MAX_SAFE_INTEGER,
        createdAt: new Date('2026-03-04T05:06:07.891Z'),
        updatedAt: new Date('2026-05-06T07:08:09.123Z'),
      });
      const found = await orders().findById((await orders().add(draft)).id);
      expect(found?.totalCents).to.equal(Number.MAX_SAFE_INTEGER);
      expect(found?.items[0]?.unitPriceCents).to.equal(999_999_999_999);
      expect(found?.createdAt.toISOString()).to.equal('2026-03-04T05:06:07.891Z');
      expect(found?.updatedAt.toISOString()).to.equal('2026-05-06T07:08:09.123Z');
    });

    it('stores every status the table knows', async () => {
      const userId = await addUser();
      for (const status of ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const) {
        const added = await orders().add(anOrder(userId, { status }));
        expect((await orders().findById(added.id))?.status, status).to.equal(status);
      }
    });

    it('gives each order its own id and finds nothing for an unknown one', async () => {
      const userId = await addUser();
      const first = await orders().add(anOrder(userId));
      const second = await orders().add(anOrder(userId));
      expect(second.id).to.be.greaterThan(first.id);
      expect(await orders().findById(second.id + 1000)).to.equal(null);
    });

    it('returns orders the caller cannot change in the store by mutating them', async () => {
      const userId = await addUser();
      const added = await orders().add(anOrder(userId));
      const found = await orders().findById(added.id);
      found?.createdAt.setUTCFullYear(1999);
      expect(() => ((found?.items[0] as { sku: string }).sku = 'CHANGED')).to.throw(TypeError);
      const again = await orders().findById(added.id);
      expect(again?.createdAt.getUTCFullYear()).to.equal(added.createdAt.getUTCFullYear());
      expect(again?.items[0]?.sku).to.equal(added.items[0]?.sku);
    });
  });

  describe('the order belongs to a stored user', () => {
    it('refuses an order of a user that does not exist, with not_found, and stores nothing', async () => {
      const userId = await addUser();
      const error = await rejectionOf(orders().add(anOrder(userId + 1000)));
      expectDomainError(error, 'not_found', `User with id ${userId + 1000} not found`);
      const next = await orders().add(anOrder(userId));
      expect(await ordersOf(userId)).to.deep.equal([next.id]);
    });

    it('refuses an order of a user removed earlier in the same unit', async () => {
      const userId = await addUser();
      await run(async () => {
        await store().users.remove(userId);
        expectDomainError(
          await rejectionOf(orders().add(anOrder(userId))),
          'not_found',
          `User with id ${userId} not found`,
        );
      });
      expect(await store().users.findById(userId)).to.equal(null);
    });
  });

  describe('no half order', () => {
    it('stores nothing of an order whose second item the store refuses (a CHECK of the schema)', async () => {
      const userId = await addUser();
      const draft = anOrder(userId, {
        items: [anItem({ quantity: 1 }), anItem({ quantity: 5000 })],
      });
      const error = await rejectionOf(orders().add(draft));
      expect(error).to.be.instanceOf(Error);
      expect(await ordersOf(userId)).to.deep.equal([]);
      // The store is still usable, and the next order has exactly its own items.
      const next = await orders().add(anOrder(userId, { items: [anItem({ sku: 'ONLY' })] }));
      expect((await orders().findById(next.id))?.items.map((item) => item.sku)).to.deep.equal([
        'ONLY',
      ]);
    });

    it('inside a unit, a refused order leaves the unit usable and the rest of the unit commits', async () => {
      const userId = await addUser();
      const kept = await run(async () => {
        await rejectionOf(
          orders().add(anOrder(userId, { items: [anItem(), anItem({ unitPriceCents: -1 })] })),
        );
        return orders().add(anOrder(userId));
      });
      expect(await ordersOf(userId)).to.deep.equal([kept.id]);
      expect((await orders().findById(kept.id))?.items).to.have.length(2);
    });

    it('rolls the order and its items back with the unit that added it', async () => {
      const userId = await addUser();
      let id = 0;
      const error = await rejectionOf(
        run(async () => {
          id = (await orders().add(anOrder(userId))).id;
          expect(await orders().findById(id), 'seen inside the unit').to.not.equal(null);
          throw new Rollback();
        }),
      );
      expect(error).to.be.instanceOf(Rollback);
      expect(await orders().findById(id)).to.equal(null);
      expect(await ordersOf(userId)).to.deep.equal([]);
    });
  });

  describe('update', () => {
    it('stores the new status, updated_at and version', async () => {
      const userId = await addUser();
      const added = await orders().add(anOrder(userId));
      const paid = changedOrder(added, { status: 'paid', updatedAt: at(77_777) });
      expect(props(await orders().update(paid))).to.deep.equal(props(paid));
      expect(props(await orders().findById(added.id))).to.deep.equal(props(paid));
    });

    it('never rewrites the items, the total, the currency, the owner or the creation time', async () => {
      const userId = await addUser();
      const otherUser = await addUser();
      const added = await orders().add(anOrder(userId));
      await orders().update(
        changedOrder(added, {
          status: 'paid',
          items: [anItem({ sku: 'OTHER' })],
          totalCents: 1,
          currency: 'USD',
          userId: otherUser,
          createdAt: at(1),
        }),
      );
      const found = await orders().findById(added.id);
      expect(found?.status).to.equal('paid');
      expect(found?.version).to.equal(added.version + 1);
      expect(props(found)).to.deep.include({
        items: props(added)?.items,
        totalCents: added.totalCents,
        currency: 'EUR',
        userId,
        createdAt: added.createdAt,
      });
    });

    it('changes no other order', async () => {
      const userId = await addUser();
      const first = await orders().add(anOrder(userId));
      const second = await orders().add(anOrder(userId));
      await orders().update(changedOrder(first, { status: 'cancelled' }));
      expect(props(await orders().findById(second.id))).to.deep.equal(props(second));
    });

    it('fails with not_found for an order that is not stored', async () => {
      const userId = await addUser();
      const added = await orders().add(anOrder(userId));
      await store().users.remove(userId);
      expectDomainError(
        await rejectionOf(orders().update(changedOrder(added, { status: 'paid' }))),
        'not_found',
        `Order with id ${added.id} not found`,
      );
      expect(await orders().findById(added.id)).to.equal(null);
    });
  });

  describe('removing a user removes the user’s orders, in the same unit', () => {
    it('removes every order of the user and only theirs', async () => {
      const ada = await addUser();
      const bob = await addUser();
      const adas = [
        await orders().add(anOrder(ada)),
        await orders().add(anOrder(ada, { status: 'delivered' })),
      ];
      const bobs = await orders().add(anOrder(bob));
      await store().users.remove(ada);
      for (const order of adas) expect(await orders().findById(order.id)).to.equal(null);
      expect(await store().orderReadModel.getById(adas[0]!.id)).to.equal(null);
      expect(await ordersOf(ada)).to.deep.equal([]);
      expect(props(await orders().findById(bobs.id))).to.deep.equal(props(bobs));
      // The freed id is not reused, and new orders of others keep their items.
      const next = await orders().add(anOrder(bob));
      expect(next.id).to.be.greaterThan(bobs.id);
      expect((await orders().findById(next.id))?.items).to.have.length(2);
    });

    it('shows the user and the orders gone together inside the unit, and keeps both when it rolls back', async () => {
      const ada = await addUser();
      const order = await orders().add(anOrder(ada));
      const error = await rejectionOf(
        run(async () => {
          await store().users.remove(ada);
          expect(await store().users.findById(ada)).to.equal(null);
          expect(await orders().findById(order.id)).to.equal(null);
          expect(await ordersOf(ada)).to.deep.equal([]);
          throw new Rollback();
        }),
      );
      expect(error).to.be.instanceOf(Rollback);
      expect(await store().users.findById(ada)).to.not.equal(null);
      expect(props(await orders().findById(order.id))).to.deep.equal(props(order));
      expect(await ordersOf(ada)).to.deep.equal([order.id]);
    });

    it('commits the removal of both with the unit', async () => {
      const ada = await addUser();
      const order = await orders().add(anOrder(ada));
      await run(() => store().users.remove(ada));
      expect(await store().users.findById(ada)).to.equal(null);
      expect(await orders().findById(order.id)).to.equal(null);
    });
  });

  describe('concurrency', () => {
    it('loses no status change when concurrent units read, change and write the same order', async () => {
      const userId = await addUser();
      const added = await orders().add(anOrder(userId));
      // Each unit reads the order (locking it), then writes the next version: none may read a stale one.
      const bumps = Array.from({ length: 8 }, (_, i) =>
        run(async () => {
          const current = await orders().findById(added.id);
          if (current === null) throw new Error('the order went missing');
          await orders().update(
            changedOrder(current, { status: i % 2 === 0 ? 'paid' : 'pending' }),
          );
          return current.version;
        }),
      );
      const seen = await Promise.all(bumps);
      expect([...seen].sort((a, b) => a - b)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await orders().findById(added.id))?.version).to.equal(added.version + 8);
    });
  });
});

// Two transactions at once need a server: PGlite has one connection, and the in-memory store
// runs units one after another.
describeStorages('OrderRepository beside a unit changing the user', ['postgresql'], (target) => {
  const store = useStorage(target);

  /** A unit that reads (and so locks) the user, holds it until released, then renames it. */
  async function holdUser(id: number, fullName: string): Promise<{ release(): Promise<void> }> {
    const holding = latch();
    const released = latch();
    const unit = store().unitOfWork.run(async () => {
      const locked = await store().users.findById(id);
      holding.open();
      await released.promise;
      await store().users.update(changed(locked!, { fullName }));
    });
    await holding.promise;
    return {
      release: () => {
        released.open();
        return unit;
      },
    };
  }

  it('places an order for a user whose row a unit holds, without waiting for that unit', async () => {
    const user = await store().users.add(aUser());
    const held = await holdUser(user.id, 'Changed while ordering');
    try {
      const placed = await Promise.race([
        store().orders.add(anOrder(user.id)),
        sleep(3_000).then(() => 'waited' as const),
      ]);
      expect(placed, 'the order insert waited for the unit holding its user').to.not.equal(
        'waited',
      );
    } finally {
      await held.release();
    }
    expect((await store().users.findById(user.id))?.fullName).to.equal('Changed while ordering');
    expect(
      (await store().orderReadModel.list({ userId: user.id, filter: {}, page: 1, pageSize: 10 }))
        .total,
    ).to.equal(1);
  });

  it('still makes a second writer of the user wait for the unit holding it', async () => {
    const user = await store().users.add(aUser());
    const held = await holdUser(user.id, 'First');
    let secondRead = false;
    const second = store().unitOfWork.run(async () => {
      const locked = await store().users.findById(user.id);
      secondRead = true;
      await store().users.update(changed(locked!, { fullName: `${locked!.fullName} then second` }));
    });
    try {
      await sleep(300);
      expect(secondRead, 'the second unit read the row while the first held it').to.equal(false);
    } finally {
      await Promise.all([held.release(), second]);
    }
    expect((await store().users.findById(user.id))?.fullName).to.equal('First then second');
  });
});
