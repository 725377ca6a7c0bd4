import { expect } from 'chai';
import {
  orderPosition,
  type OrderFilter,
  type OrderListCriteria,
  type OrderPosition,
} from '../../src/application/ports/order-read-model.js';
import type { Order } from '../../src/domain/order/order.js';
import { aUser, at } from '../support/builders.js';
import { anItem, anOrder, changedOrder } from '../support/order-builders.js';
import { describeStorages, useStorage } from '../support/storage.js';

const VIEW_KEYS = [
  'id',
  'userId',
  'status',
  'currency',
  'items',
  'totalCents',
  'createdAt',
  'updatedAt',
  'version',
];

describeStorages('OrderReadModel contract', (target) => {
  const store = useStorage(target);
  const readModel = () => store().orderReadModel;

  /**
   * Seven orders of Ada, chosen so that each order and filter tells adapters apart: three share a
   * creation time (ties go to the higher id first), the newest was added before an older one (so
   * id order and time order differ), and statuses are mixed. Bob has one order of his own.
   */
  let ada: number;
  let bob: number;
  let o: Order[];
  let bobs: Order;
  beforeEach(async () => {
    ada = (await store().users.add(aUser())).id;
    bob = (await store().users.add(aUser())).id;
    const add = (over: Parameters<typeof anOrder>[1]) => store().orders.add(anOrder(ada, over));
    o = [
      await add({ createdAt: at(100), status: 'pending' }), // o0
      await add({ createdAt: at(300), status: 'paid' }), // o1: the newest
      await add({ createdAt: at(200), status: 'pending' }), // o2
      await add({ createdAt: at(200), status: 'cancelled' }), // o3
      await add({ createdAt: at(200), status: 'pending' }), // o4
      await add({ createdAt: at(50), status: 'delivered', items: [anItem({ sku: 'ONE' })] }), // o5: the oldest
      await add({ createdAt: at(150), status: 'shipped' }), // o6
    ];
    bobs = await store().orders.add(anOrder(bob, { createdAt: at(250) }));
  });

  const criteria = (over: Partial<OrderListCriteria> = {}): OrderListCriteria => ({
    userId: ada,
    filter: {},
    page: 1,
    pageSize: 50,
    ...over,
  });
  const ids = async (over: Partial<OrderListCriteria> = {}) =>
    (await readModel().list(criteria(over))).items.map((view) => view.id);
  const idsOf = (...indexes: number[]) => indexes.map((i) => o[i]!.id);
  const NEWEST_FIRST = [1, 4, 3, 2, 6, 0, 5];

  describe('listAfter (keyset slices)', () => {
    async function walk(userId: number, filter: OrderFilter = {}, limit = 2): Promise<number[]> {
      const seen: number[] = [];
      let after: OrderPosition | undefined;
      for (let step = 0; step < 20; step += 1) {
        const slice = await readModel().listAfter({
          userId,
          filter,
          limit,
          ...(after === undefined ? {} : { after }),
        });
        expect(slice.items.length).to.be.at.most(limit);
        seen.push(...slice.items.map((view) => view.id));
        if (!slice.hasMore) return seen;
        after = orderPosition(slice.items.at(-1)!);
      }
      throw new Error('the walk did not end');
    }

    it('walks newest first, ties to the higher id, exactly as list does, whatever the slice size', async () => {
      for (const limit of [1, 2, 3, 7, 50])
        expect(await walk(ada, {}, limit), `limit ${limit}`).to.deep.equal(idsOf(...NEWEST_FIRST));
    });

    it('applies the status filter and keeps to one user', async () => {
      expect(await walk(ada, { status: 'pending' })).to.deep.equal(
        await ids({ filter: { status: 'pending' } }),
      );
      expect(await walk(bob)).to.deep.equal([bobs.id]);
    });

    it('gives full views, items included', async () => {
      const slice = await readModel().listAfter({ userId: ada, filter: {}, limit: 1 });
      expect(slice.items[0]).to.deep.equal(await readModel().getById(o[1]!.id));
      expect(slice.hasMore).to.equal(true);
    });
  });

  describe('getById', () => {
    it('gives the view of an order: every field, its items in their order', async () => {
      const view = await readModel().getById(o[1]!.id);
      expect(view).to.have.all.keys(...VIEW_KEYS);
      expect(view).to.deep.equal({ ...o[1], items: o[1]!.items.map((item) => ({ ...item })) });
    });

    it('gives null for an unknown id', async () => {
      expect(await readModel().getById(bobs.id + 1000)).to.equal(null);
    });

    it('follows status changes and the removal of the owner', async () => {
      await store().orders.update(changedOrder(o[0]!, { status: 'paid' }));
      expect(await readModel().getById(o[0]!.id)).to.include({
        status: 'paid',
        version: o[0]!.version + 1,
      });
      await store().users.remove(ada);
      expect(await readModel().getById(o[0]!.id)).to.equal(null);
      expect(await readModel().getById(bobs.id)).to.not.equal(null);
    });
  });

  describe('list', () => {
    it('lists one user’s orders only, newest first, ties broken by the higher id', async () => {
      expect(await ids()).to.deep.equal(idsOf(...NEWEST_FIRST));
      expect(await ids({ userId: bob })).to.deep.equal([bobs.id]);
    });

    it('gives views with the same fields as getById, items included', async () => {
      const page = await readModel().list(criteria());
      for (const view of page.items) expect(view).to.deep.equal(await readModel().getById(view.id));
      expect(
        page.items.find((view) => view.id === o[5]!.id)?.items.map((item) => item.sku),
      ).to.deep.equal(['ONE']);
    });

    it('filters by status', async () => {
      expect(await ids({ filter: { status: 'pending' } })).to.deep.equal(idsOf(4, 2, 0));
      expect(await ids({ filter: { status: 'paid' } })).to.deep.equal(idsOf(1));
      expect(await ids({ filter: { status: 'delivered' } })).to.deep.equal(idsOf(5));
      expect(await ids({ userId: bob, filter: { status: 'paid' } })).to.deep.equal([]);
    });

    it('pages without overlap or gap, with the total of the whole list', async () => {
      const seen: number[] = [];
      for (let page = 1; page <= 3; page += 1) {
        const result = await readModel().list(criteria({ page, pageSize: 3 }));
        expect(result.total).to.equal(7);
        seen.push(...result.items.map((view) => view.id));
      }
      expect(seen).to.deep.equal(idsOf(...NEWEST_FIRST));
      const filtered = await readModel().list(
        criteria({ filter: { status: 'pending' }, page: 2, pageSize: 2 }),
      );
      expect(filtered).to.deep.include({ total: 3 });
      expect(filtered.items.map((view) => view.id)).to.deep.equal(idsOf(0));
    });

    it('gives an empty page past the end, with the total', async () => {
      expect(await readModel().list(criteria({ page: 5, pageSize: 3 }))).to.deep.equal({
        items: [],
        total: 7,
      });
    });

    it('is empty, with total 0, for a user with no orders or no such user', async () => {
      const carol = (await store().users.add(aUser())).id;
      expect(await readModel().list(criteria({ userId: carol }))).to.deep.equal({
        items: [],
        total: 0,
      });
      expect(await readModel().list(criteria({ userId: carol + 1000 }))).to.deep.equal({
        items: [],
        total: 0,
      });
    });

    it('sees the unit’s own writes inside a unit of work', async () => {
      await store().unitOfWork.run(async () => {
        const added = await store().orders.add(anOrder(ada, { createdAt: at(999) }));
        expect((await ids())[0]).to.equal(added.id);
        expect(await readModel().getById(added.id)).to.not.equal(null);
      });
    });
  });
});
