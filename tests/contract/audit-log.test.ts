import { expect } from 'chai';
import { DomainEvents } from '../../src/application/audit/domain-events.js';
import { runWithContext } from '../../src/application/audit/command-context.js';
import {
  AUDIT_EXACT_COUNT_LIMIT,
  type AuditEvent,
  type AuditFilter,
  type AuditLog,
  type NewAuditEvent,
} from '../../src/application/ports/audit-log.js';
import { FixedClock } from '../../src/adapters/clock/fixed-clock.js';
import { EMAIL_TAKEN } from '../../src/application/ports/user-repository.js';
import { aUser, at } from '../support/builders.js';
import { describeStorages, useStorage } from '../support/storage.js';
import { expectDomainError, outcomes, rejectionOf, Rollback } from './helpers.js';

/** An event at `seconds` past the builders' epoch; everything else as given or plain. */
const anEvent = (seconds: number, overrides: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
  occurredAt: at(seconds),
  action: 'user.updated',
  actorId: 1,
  subjectType: 'user',
  subjectId: '2',
  requestId: `req-${seconds}`,
  ip: '203.0.113.7',
  changes: { full_name: { from: 'Ada', to: 'Ada L.' } },
  ...overrides,
});

describeStorages('AuditLog contract', (target) => {
  const store = useStorage(target);
  const log = () => store().auditLog;
  const all = async (filter: AuditFilter = {}): Promise<AuditEvent[]> =>
    (await log().list({ filter, page: 1, pageSize: 100 })).items as AuditEvent[];
  const requestIds = async (filter: AuditFilter = {}) =>
    (await all(filter)).map((e) => e.requestId);

  describe('append and list', () => {
    it('keeps every field as written and lists newest first, ties by id', async () => {
      await log().append([anEvent(1), anEvent(3)]);
      await log().append([
        anEvent(2, { changes: null, ip: null, requestId: null, actorId: null, subjectId: null }),
      ]);
      await log().append([anEvent(3, { requestId: 'later-same-time' })]);
      const events = await all();
      expect(events.map((e) => e.requestId)).to.deep.equal([
        'later-same-time',
        'req-3',
        null,
        'req-1',
      ]);
      expect(events[3]).to.deep.include({
        action: 'user.updated',
        actorId: 1,
        subjectType: 'user',
        subjectId: '2',
        ip: '203.0.113.7',
      });
      expect(events[3]!.occurredAt.toISOString()).to.equal(at(1).toISOString());
      expect(events[3]!.changes).to.deep.equal({ full_name: { from: 'Ada', to: 'Ada L.' } });
      expect(events[2]).to.deep.include({
        actorId: null,
        subjectId: null,
        ip: null,
        requestId: null,
        changes: null,
      });
      const ids = events.map((e) => Number(e.id));
      expect(ids[0]).to.be.greaterThan(ids[1]!);
    });

    it('filters by actor, subject, action and time, each alone and together', async () => {
      await log().append([
        anEvent(1, {
          requestId: 'a',
          actorId: 1,
          subjectType: 'user',
          subjectId: '7',
          action: 'user.updated',
        }),
        anEvent(2, {
          requestId: 'b',
          actorId: 2,
          subjectType: 'order',
          subjectId: '7',
          action: 'order.placed',
        }),
        anEvent(3, {
          requestId: 'c',
          actorId: 1,
          subjectType: 'session',
          subjectId: '0f8c7a4e-4a38-4a5e-9d53-3c1f3ab0f1aa',
          action: 'session.started',
        }),
        anEvent(4, {
          requestId: 'd',
          actorId: null,
          subjectType: 'user',
          subjectId: '8',
          action: 'auth.sign_in_failed',
        }),
      ]);
      expect(await requestIds({ actorId: 1 })).to.deep.equal(['c', 'a']);
      expect(await requestIds({ subjectType: 'user' })).to.deep.equal(['d', 'a']);
      expect(await requestIds({ subjectType: 'order', subjectId: '7' })).to.deep.equal(['b']);
      expect(await requestIds({ subjectId: '7' })).to.deep.equal(['b', 'a']);
      expect(await requestIds({ action: 'session.started' })).to.deep.equal(['c']);
      // since is inclusive, until exclusive.
      expect(await requestIds({ since: at(2), until: at(4) })).to.deep.equal(['c', 'b']);
      expect(await requestIds({ actorId: 1, since: at(2) })).to.deep.equal(['c']);
      expect(await requestIds({ actorId: 3 })).to.deep.equal([]);
    });

    it('pages with an exact total, and slices after a position without overlap', async () => {
      for (let i = 1; i <= 7; i += 1) await log().append([anEvent(i % 3, { requestId: `r${i}` })]);
      const page1 = await log().list({ filter: {}, page: 1, pageSize: 3 });
      const page3 = await log().list({ filter: {}, page: 3, pageSize: 3 });
      expect(page1.total).to.equal(7);
      expect(page1.totalExact).to.equal(true);
      expect(page3.items).to.have.length(1);
      const walked: string[] = [];
      let slice = await log().listAfter({ filter: {}, limit: 3 });
      walked.push(...slice.items.map((e) => e.requestId!));
      while (slice.hasMore) {
        const last = slice.items.at(-1)!;
        slice = await log().listAfter({
          filter: {},
          limit: 3,
          after: { key: last.occurredAt.toISOString(), id: Number(last.id) },
        });
        walked.push(...slice.items.map((e) => e.requestId!));
      }
      expect(walked).to.deep.equal(await requestIds());
      expect(walked).to.have.length(7);
      expect((await log().list({ filter: {}, page: 9, pageSize: 3 })).items).to.deep.equal([]);
    });
  });

  describe('a large log', () => {
    it(`counts a page's total exactly up to ${AUDIT_EXACT_COUNT_LIMIT} matches, and estimates it past that`, async function () {
      this.timeout(60_000);
      for (let chunk = 0; chunk < 11; chunk += 1) {
        await log().append(
          Array.from({ length: 1000 }, (_, i) =>
            anEvent(chunk * 1000 + i, { action: i === 0 ? 'user.deleted' : 'user.updated' }),
          ),
        );
      }
      const few = await log().list({ filter: { action: 'user.deleted' }, page: 1, pageSize: 5 });
      expect(few).to.deep.include({ total: 11, totalExact: true });
      const many = await log().list({ filter: {}, page: 1, pageSize: 5 });
      expect(many.items.map((e) => e.requestId)).to.deep.equal([
        'req-10999',
        'req-10998',
        'req-10997',
        'req-10996',
        'req-10995',
      ]);
      if (many.totalExact) expect(many.total).to.equal(11_000);
      else expect(many.total).to.be.greaterThan(AUDIT_EXACT_COUNT_LIMIT);
      // Only the in-memory store counts everything; the databases stop at the bound.
      expect(many.totalExact).to.equal(target.name === 'in-memory');
    });
  });

  describe('atomicity with the change', () => {
    it('writes nothing when the unit of work fails after the event', async () => {
      await store().users.add(aUser({ email: 'taken@example.com' }));
      const error = await rejectionOf(
        store().unitOfWork.run(async () => {
          await store().users.add(aUser({ username: 'inside' }));
          await log().append([anEvent(1, { requestId: 'rolled-back' })]);
          // The write after the event fails: the unit, event included, is undone.
          await store().users.add(aUser({ email: 'taken@example.com' }));
        }),
      );
      expectDomainError(error, 'conflict', EMAIL_TAKEN);
      expect(await store().users.findByLogin('inside')).to.equal(null);
      expect(await all()).to.deep.equal([]);
    });

    it('writes the events recorded in a unit with its change, stamped with the command context', async () => {
      const events = new DomainEvents(log(), new FixedClock(at(50)));
      const uow = events.auditing(store().unitOfWork);
      const context = { actorId: 9, requestId: 'req-ctx', ip: '198.51.100.4' };
      await runWithContext(context, () =>
        uow.run(async () => {
          const user = await store().users.add(aUser({ username: 'committed' }));
          events.record({
            action: 'user.registered',
            subjectType: 'user',
            subjectId: String(user.id),
            actorId: user.id,
          });
        }),
      );
      const [event] = await all();
      expect(event).to.deep.include({
        action: 'user.registered',
        actorId: 9,
        requestId: 'req-ctx',
        ip: '198.51.100.4',
      });
      expect(event!.occurredAt.toISOString()).to.equal(at(50).toISOString());
      expect(await store().users.findByLogin('committed')).to.not.equal(null);
    });

    it('writes neither the event nor the change when the work throws after recording', async () => {
      const events = new DomainEvents(log(), new FixedClock(at(50)));
      const uow = events.auditing(store().unitOfWork);
      const error = await rejectionOf(
        uow.run(async () => {
          await store().users.add(aUser({ username: 'never' }));
          events.record({ action: 'user.registered', subjectType: 'user', subjectId: '1' });
          throw new Rollback();
        }),
      );
      expect(error).to.be.instanceOf(Rollback);
      expect(await store().users.findByLogin('never')).to.equal(null);
      expect(await all()).to.deep.equal([]);
    });

    it('undoes the change when its event cannot be written', async () => {
      const failing: AuditLog = {
        ...log(),
        append: () => Promise.reject(new Error('the audit write failed')),
      };
      const events = new DomainEvents(failing, new FixedClock(at(50)));
      const error = await rejectionOf(
        events.auditing(store().unitOfWork).run(async () => {
          await store().users.add(aUser({ username: 'unaudited' }));
          events.record({ action: 'user.registered', subjectType: 'user', subjectId: '1' });
        }),
      );
      expect(String(error)).to.contain('the audit write failed');
      expect(await store().users.findByLogin('unaudited')).to.equal(null);
    });

    it('refuses an event recorded outside a unit of work, which would be lost', () => {
      const events = new DomainEvents(log(), new FixedClock(at(50)));
      expect(() =>
        events.record({ action: 'user.deleted', subjectType: 'user', subjectId: '1' }),
      ).to.throw(/unit of work/);
    });
  });

  describe('erasure', () => {
    it('keeps the events about a user and their ids, without their personal values', async () => {
      const changes = {
        email: { from: 'a***@example.com', to: 'b***@example.com' },
        username: { from: 'ada', to: 'ada2' },
        full_name: { from: 'Ada', to: null },
        role: { from: 'user', to: 'moderator' },
      };
      await log().append([
        anEvent(1, { requestId: 'about', actorId: 1, subjectId: '7', changes }),
        anEvent(2, {
          requestId: 'by',
          actorId: 7,
          subjectType: 'order',
          subjectId: '3',
          changes: { status: { from: 'pending', to: 'paid' } },
        }),
        anEvent(3, { requestId: 'other', actorId: 1, subjectId: '8', changes }),
      ]);
      const before = await all();
      expect(await log().eraseUser(7)).to.equal(2);
      const after = await all();
      expect(after.map((e) => e.id)).to.deep.equal(before.map((e) => e.id));
      const byRequest = new Map(after.map((e) => [e.requestId, e]));
      expect(byRequest.get('about')).to.deep.include({
        ip: null,
        subjectId: '7',
        actorId: 1,
        action: 'user.updated',
      });
      expect(byRequest.get('about')!.changes).to.deep.equal({
        email: {},
        username: {},
        full_name: {},
        role: { from: 'user', to: 'moderator' },
      });
      expect(byRequest.get('by')).to.deep.include({ ip: null, actorId: 7 });
      expect(byRequest.get('by')!.changes).to.deep.equal({
        status: { from: 'pending', to: 'paid' },
      });
      expect(byRequest.get('other')).to.deep.include({ ip: '203.0.113.7' });
      expect(byRequest.get('other')!.changes).to.deep.equal(changes);
    });
  });

  describe('pruning', () => {
    it('deletes at most a batch of the events before the bound, oldest first', async () => {
      for (let i = 1; i <= 5; i += 1) await log().append([anEvent(i, { requestId: `r${i}` })]);
      expect(await log().pruneBatch(at(4), 2)).to.equal(2);
      expect(await requestIds()).to.deep.equal(['r5', 'r4', 'r3']);
      expect(await log().pruneBatch(at(4), 2)).to.equal(1);
      expect(await log().pruneBatch(at(4), 2)).to.equal(0);
      expect(await requestIds()).to.deep.equal(['r5', 'r4']);
    });

    it('lets pruners run at once without deleting an event twice or failing', async () => {
      await log().append(Array.from({ length: 30 }, (_, i) => anEvent(i, { requestId: `r${i}` })));
      const { values, errors } = await outcomes([0, 1, 2].map(() => log().pruneBatch(at(20), 5)));
      expect(errors).to.deep.equal([]);
      const pruned = values.reduce((a, b) => a + b, 0);
      expect(await all()).to.have.length(30 - pruned);
      expect(pruned).to.be.at.most(15);
    });
  });
});
