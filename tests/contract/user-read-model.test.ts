import { expect } from 'chai';
import {
  userPosition,
  type UserFilter,
  type UserListCriteria,
  type UserPosition,
  type UserSortField,
} from '../../src/application/ports/user-read-model.js';
import type { SortDirection } from '../../src/application/ports/views.js';
import type { User } from '../../src/domain/user/user.js';
import { aUser, at, changed } from '../support/builders.js';
import { describeStorages, useStorage } from '../support/storage.js';

const VIEW_KEYS = [
  'id',
  'email',
  'username',
  'fullName',
  'role',
  'isActive',
  'emailVerified',
  'createdAt',
  'updatedAt',
  'version',
];

describeStorages('UserReadModel contract', (target) => {
  const store = useStorage(target);
  const readModel = () => store().userReadModel;

  /**
   * Six users chosen so that each order and filter tells adapters apart: three share a creation
   * time; usernames differ in case and hold `_`, which sorts before letters in code point order
   * (a collation that skips punctuation would put `al_x` after `alice`); emails hold `+ . _ %`;
   * full names hold `%`, `_` and a backslash.
   */
  let u: Record<'ada' | 'bob' | 'alx' | 'alb' | 'alice' | 'carol', User>;
  beforeEach(async () => {
    const add = (draft: Parameters<typeof aUser>[0]) => store().users.add(aUser(draft));
    const ada = await add({
      email: 'ada@example.com',
      username: 'ada',
      fullName: 'Ada Lovelace',
      role: 'admin',
      emailVerified: true,
      createdAt: at(10),
    });
    const bob = await add({
      email: 'a_b@example.com',
      username: 'Bob',
      fullName: 'Robert 100% Smith',
      isActive: false,
      createdAt: at(20),
    });
    const alx = await add({
      email: 'a+c@sample.org',
      username: 'al_x',
      fullName: null,
      role: 'moderator',
      createdAt: at(20),
    });
    const alb = await add({
      email: 'a.d@example.com',
      username: 'Alb',
      fullName: 'Back\\slash Person',
      createdAt: at(30),
    });
    const alice = await add({
      email: 'zed%z@example.com',
      username: 'ALICE',
      fullName: 'Alice Under_score',
      createdAt: at(5),
    });
    const carol = await add({
      email: 'carol@example.com',
      username: 'carol',
      fullName: 'Carol Caret',
      role: 'admin',
      isActive: false,
      createdAt: at(20),
    });
    u = { ada, bob, alx, alb, alice, carol };
  });

  const criteria = (over: Partial<UserListCriteria> = {}): UserListCriteria => ({
    filter: {},
    sort: { field: 'created_at', direction: 'asc' },
    page: 1,
    pageSize: 50,
    ...over,
  });
  const ids = async (over: Partial<UserListCriteria> = {}) =>
    (await readModel().list(criteria(over))).items.map((v) => v.id);
  const sorted = (field: UserSortField, direction: SortDirection) =>
    ids({ sort: { field, direction } });
  const filtered = (filter: UserFilter) => ids({ filter });

  describe('listAfter (keyset slices)', () => {
    async function walk(
      field: UserSortField,
      direction: SortDirection,
      filter: UserFilter = {},
      limit = 2,
    ): Promise<number[]> {
      const seen: number[] = [];
      let after: UserPosition | undefined;
      for (let step = 0; step < 20; step += 1) {
        const slice = await readModel().listAfter({
          filter,
          sort: { field, direction },
          limit,
          ...(after === undefined ? {} : { after }),
        });
        expect(slice.items.length).to.be.at.most(limit);
        seen.push(...slice.items.map((v) => v.id));
        if (!slice.hasMore) return seen;
        after = userPosition(slice.items.at(-1)!, field);
      }
      throw new Error('the walk did not end');
    }

    for (const field of ['created_at', 'username', 'email'] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        it(`walks the same order as list: ${field} ${direction}`, async () => {
          expect(await walk(field, direction)).to.deep.equal(await sorted(field, direction));
          expect(await walk(field, direction, {}, 1)).to.deep.equal(await sorted(field, direction));
        });
      }
    }

    it('applies the filters', async () => {
      expect(await walk('username', 'asc', { isActive: true })).to.deep.equal(
        await ids({ filter: { isActive: true }, sort: { field: 'username', direction: 'asc' } }),
      );
      expect(await walk('email', 'desc', { search: 'AL' })).to.deep.equal(
        await ids({ filter: { search: 'AL' }, sort: { field: 'email', direction: 'desc' } }),
      );
    });

    it('continues after a position whose user was removed, and sees users added after it', async () => {
      const first = await readModel().listAfter({
        filter: {},
        sort: { field: 'created_at', direction: 'asc' },
        limit: 3,
      });
      const last = first.items.at(-1)!;
      await store().users.remove(last.id);
      const late = await store().users.add(aUser({ createdAt: at(99) }));
      const rest = await readModel().listAfter({
        filter: {},
        sort: { field: 'created_at', direction: 'asc' },
        limit: 50,
        after: userPosition(last, 'created_at'),
      });
      const all = await sorted('created_at', 'asc');
      const seen = new Set(first.items.map((v) => v.id));
      expect(rest.items.map((v) => v.id)).to.deep.equal(all.filter((id) => !seen.has(id)));
      expect(rest.hasMore).to.equal(false);
      expect(rest.items.map((v) => v.id).at(-1)).to.equal(late.id);
    });
  });

  describe('getById', () => {
    it('gives the view of a user: every field but the password hash and its change time', async () => {
      const view = await readModel().getById(u.ada.id);
      expect(view).to.have.all.keys(...VIEW_KEYS);
      const { passwordHash: _hash, passwordChangedAt: _changed, ...expected } = { ...u.ada };
      expect(view).to.deep.equal(expected);
    });

    it('gives null for an unknown id', async () => {
      expect(await readModel().getById(u.carol.id + 1000)).to.equal(null);
    });

    it('keeps times to the millisecond, in lists too', async () => {
      const created = new Date('2026-02-03T04:05:06.789Z');
      const updated = new Date('2026-02-03T04:05:07.001Z');
      const user = await store().users.add(aUser({ createdAt: created, updatedAt: updated }));
      const view = await readModel().getById(user.id);
      expect(view?.createdAt.toISOString()).to.equal(created.toISOString());
      expect(view?.updatedAt.toISOString()).to.equal(updated.toISOString());
      const listed = (
        await readModel().list(
          criteria({ sort: { field: 'created_at', direction: 'desc' }, pageSize: 1 }),
        )
      ).items[0];
      expect(listed?.createdAt.toISOString()).to.equal(created.toISOString());
    });

    it('follows updates and removals', async () => {
      await store().users.update(changed(u.bob, { fullName: 'Bobby', isActive: true }));
      await store().users.remove(u.ada.id);
      expect(await readModel().getById(u.bob.id)).to.include({
        fullName: 'Bobby',
        isActive: true,
        version: u.bob.version + 1,
      });
      expect(await readModel().getById(u.ada.id)).to.equal(null);
    });
  });

  describe('list: order', () => {
    it('sorts by creation time, ties broken by id in the same direction', async () => {
      const { ada, bob, alx, alb, alice, carol } = u;
      expect(await sorted('created_at', 'asc')).to.deep.equal(
        [alice, ada, bob, alx, carol, alb].map((x) => x.id),
      );
      expect(await sorted('created_at', 'desc')).to.deep.equal(
        [alb, carol, alx, bob, ada, alice].map((x) => x.id),
      );
    });

    it('sorts by username regardless of case, in code point order', async () => {
      const { ada, bob, alx, alb, alice, carol } = u;
      expect(await sorted('username', 'asc')).to.deep.equal(
        [ada, alx, alb, alice, bob, carol].map((x) => x.id),
      );
      expect(await sorted('username', 'desc')).to.deep.equal(
        [carol, bob, alice, alb, alx, ada].map((x) => x.id),
      );
    });

    it('sorts by email in code point order', async () => {
      const { ada, bob, alx, alb, alice, carol } = u;
      expect(await sorted('email', 'asc')).to.deep.equal(
        [alx, alb, bob, ada, carol, alice].map((x) => x.id),
      );
      expect(await sorted('email', 'desc')).to.deep.equal(
        [alice, carol, ada, bob, alb, alx].map((x) => x.id),
      );
    });

    it('gives views with the same fields as getById', async () => {
      const page = await readModel().list(criteria());
      for (const view of page.items) expect(view).to.deep.equal(await readModel().getById(view.id));
    });
  });

  describe('list: filters', () => {
    it('filters by role', async () => {
      expect(await filtered({ role: 'admin' })).to.deep.equal([u.ada.id, u.carol.id]);
      expect(await filtered({ role: 'moderator' })).to.deep.equal([u.alx.id]);
      expect(await filtered({ role: 'user' })).to.deep.equal([u.alice.id, u.bob.id, u.alb.id]);
    });

    it('filters by activity', async () => {
      expect(await filtered({ isActive: false })).to.deep.equal([u.bob.id, u.carol.id]);
      expect(await filtered({ isActive: true })).to.deep.equal([
        u.alice.id,
        u.ada.id,
        u.alx.id,
        u.alb.id,
      ]);
    });

    it('searches email, username and full name as substrings, regardless of case', async () => {
      expect(await filtered({ search: 'SAMPLE' })).to.deep.equal([u.alx.id]);
      expect(await filtered({ search: 'lovelace' })).to.deep.equal([u.ada.id]);
      expect(await filtered({ search: 'alice' })).to.deep.equal([u.alice.id]);
      expect(await filtered({ search: 'CAR' })).to.deep.equal([u.carol.id]);
      expect(await filtered({ search: 'al' })).to.deep.equal([u.alice.id, u.alx.id, u.alb.id]);
      expect(await filtered({ search: 'nobody' })).to.deep.equal([]);
    });

    it('takes % and _ in a search literally', async () => {
      expect(await filtered({ search: '%' })).to.deep.equal([u.alice.id, u.bob.id]);
      expect(await filtered({ search: '_' })).to.deep.equal([u.alice.id, u.bob.id, u.alx.id]);
      expect(await filtered({ search: 'a_c' })).to.deep.equal([]);
      expect(await filtered({ search: '100%' })).to.deep.equal([u.bob.id]);
      expect(await filtered({ search: '0%_' })).to.deep.equal([]);
    });

    it('takes a backslash in a search literally', async () => {
      expect(await filtered({ search: '\\' })).to.deep.equal([u.alb.id]);
      expect(await filtered({ search: 'k\\s' })).to.deep.equal([u.alb.id]);
      expect(await filtered({ search: '\\%' })).to.deep.equal([]);
    });

    it('combines filters, and the total counts what they let through', async () => {
      const page = await readModel().list(
        criteria({
          filter: { role: 'user', isActive: true, search: 'A' },
          sort: { field: 'username', direction: 'desc' },
        }),
      );
      expect(page.items.map((v) => v.id)).to.deep.equal([u.alice.id, u.alb.id]);
      expect(page.total).to.equal(2);
    });
  });

  describe('list: pages', () => {
    it('cuts the order into pages that neither overlap nor skip', async () => {
      const all = await sorted('created_at', 'desc');
      const pages = [];
      for (const page of [1, 2, 3]) {
        const result = await readModel().list(
          criteria({ sort: { field: 'created_at', direction: 'desc' }, page, pageSize: 2 }),
        );
        expect(result.total).to.equal(6);
        expect(result.items).to.have.length(2);
        pages.push(...result.items.map((v) => v.id));
      }
      expect(pages).to.deep.equal(all);
    });

    it('gives a short last page', async () => {
      const result = await readModel().list(
        criteria({ sort: { field: 'username', direction: 'asc' }, page: 2, pageSize: 4 }),
      );
      expect(result.items.map((v) => v.id)).to.deep.equal([u.bob.id, u.carol.id]);
      expect(result.total).to.equal(6);
    });

    it('gives no items but the right total past the last page', async () => {
      expect(await readModel().list(criteria({ page: 4, pageSize: 2 }))).to.deep.equal({
        items: [],
        total: 6,
      });
      expect(
        await readModel().list(criteria({ filter: { role: 'admin' }, page: 2, pageSize: 2 })),
      ).to.deep.equal({ items: [], total: 2 });
    });

    it('gives an empty page and a zero total when nothing matches', async () => {
      expect(
        await readModel().list(criteria({ filter: { role: 'moderator', isActive: false } })),
      ).to.deep.equal({ items: [], total: 0 });
    });
  });

  // The SQL stores keep unfiltered and role/activity totals in counters maintained by triggers;
  // whatever the writes, every total must equal what a count of the rows gives.
  describe('list: totals stay exact through every write', () => {
    const totals = async () => {
      const total = async (filter: UserFilter) =>
        (await readModel().list(criteria({ filter, pageSize: 1 }))).total;
      return {
        all: await total({}),
        admins: await total({ role: 'admin' }),
        activeAdmins: await total({ role: 'admin', isActive: true }),
        inactive: await total({ isActive: false }),
        users: await total({ role: 'user' }),
        search: await total({ search: 'example.com' }),
      };
    };

    it('counts additions, role and activity changes, profile edits and removals', async () => {
      expect(await totals()).to.deep.equal({
        all: 6,
        admins: 2,
        activeAdmins: 1,
        inactive: 2,
        users: 3,
        search: 5,
      });
      await store().users.add(aUser({ role: 'admin' }));
      await store().users.update(changed(u.bob, { role: 'admin', isActive: true }));
      await store().users.update(changed(u.alb, { fullName: 'Only The Name' }));
      await store().users.remove(u.carol.id);
      expect(await totals()).to.deep.equal({
        all: 6,
        admins: 3,
        activeAdmins: 3,
        inactive: 0,
        users: 2,
        search: 5,
      });
    });

    it('leaves the totals as they were when a unit of work rolls back', async () => {
      const before = await totals();
      const failure = new Error('roll back');
      const rolledBack = store().unitOfWork.run(async () => {
        await store().users.add(aUser({ role: 'moderator', isActive: false }));
        await store().users.update(changed(u.ada, { isActive: false }));
        await store().users.remove(u.alx.id);
        throw failure;
      });
      await rolledBack.then(
        () => expect.fail('the unit should have failed'),
        (error: unknown) => expect(error).to.equal(failure),
      );
      expect(await totals()).to.deep.equal(before);
    });

    it('counts users added and removed concurrently', async () => {
      const added = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store().users.add(aUser({ isActive: i % 2 === 0 }))),
      );
      await Promise.all(added.slice(0, 5).map((user) => store().users.remove(user.id)));
      expect((await totals()).all).to.equal(6 + 15);
      expect(
        (await readModel().list(criteria({ filter: { isActive: false }, pageSize: 1 }))).total,
      ).to.equal(2 + added.slice(5).filter((x) => !x.isActive).length);
    });

    it('sees the totals of its own writes inside a unit of work', async () => {
      await store().unitOfWork.run(async () => {
        await store().users.add(aUser({ role: 'moderator' }));
        expect(
          (await readModel().list(criteria({ filter: { role: 'moderator' } }))).total,
        ).to.equal(2);
      });
    });
  });
});
