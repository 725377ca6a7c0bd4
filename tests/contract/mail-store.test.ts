/**
 * The outbox (OutboxQueue) and the mail tokens (EmailTokenRepository), on every store: mails
 * commit and roll back with their unit of work; claims lease each mail to one claim, keep each
 * recipient's mails in order, and never hand one mail to two claims at once; settling needs the
 * claim; a mail belongs to the account it is about, whatever its address; tokens spend their
 * predecessors and are spent once.
 */
import { expect } from 'chai';
import type { Mail } from '../../src/application/ports/outbox.js';
import type { StoredEmailToken } from '../../src/application/ports/email-tokens.js';
import type { User } from '../../src/domain/user/user.js';
import { aUser, at } from '../support/builders.js';
import { describeStorages, useStorage } from '../support/storage.js';
import { outcomes, rejectionOf, Rollback } from './helpers.js';

const LEASE = 60_000;

/** A mail about no account (`userId` null), unless one is given. */
const mail = (to: string, n: number, userId: number | null = null): Mail => ({
  kind: 'password_changed',
  to,
  userId,
  data: { username: `user${n}` },
});

describeStorages('Outbox contract', (target) => {
  const store = useStorage(target);
  const outbox = () => store().outbox;

  it('keeps a mail queued in a unit of work only when the unit commits', async () => {
    await store().unitOfWork.run(async () => outbox().enqueue(mail('kept@example.com', 1), at(1)));
    await rejectionOf(
      store().unitOfWork.run(async () => {
        await outbox().enqueue(mail('lost@example.com', 2), at(1));
        throw new Rollback();
      }),
    );
    const claimed = await outbox().claim(at(2), LEASE, 10);
    expect(claimed.map((c) => c.mail)).to.deep.equal([mail('kept@example.com', 1)]);
    expect(claimed[0]!.createdAt).to.deep.equal(at(1));
    expect(claimed[0]!.attempts).to.equal(1);
  });

  it('claims only what is due, in the order it was queued, one mail per recipient at a time', async () => {
    await outbox().enqueue(mail('a@example.com', 1), at(1));
    await outbox().enqueue(mail('b@example.com', 2), at(1));
    await outbox().enqueue(mail('a@example.com', 3), at(1));
    expect(await outbox().claim(at(0), LEASE, 10)).to.deep.equal([]);
    const first = await outbox().claim(at(2), LEASE, 10);
    expect(first.map((c) => c.mail.data)).to.deep.equal([
      { username: 'user1' },
      { username: 'user2' },
    ]);
    // The second mail to a@ waits while the first is pending, leased or not.
    expect(await outbox().claim(at(2), LEASE, 10)).to.deep.equal([]);
    expect(await outbox().markSent(first[0]!.id, first[0]!.claimId, at(3))).to.equal(true);
    const second = await outbox().claim(at(3), LEASE, 10);
    expect(second.map((c) => c.mail.data)).to.deep.equal([{ username: 'user3' }]);
  });

  it('a rescheduled mail keeps the later mails of its recipient waiting until it is sent', async () => {
    await outbox().enqueue(mail('a@example.com', 1), at(1));
    await outbox().enqueue(mail('a@example.com', 2), at(1));
    const [first] = await outbox().claim(at(1), LEASE, 10);
    expect(await outbox().reschedule(first!.id, first!.claimId, at(10), '451 try later')).to.equal(
      true,
    );
    expect(await outbox().claim(at(5), LEASE, 10)).to.deep.equal([]);
    const again = await outbox().claim(at(10), LEASE, 10);
    expect(again.map((c) => [c.mail.data, c.attempts])).to.deep.equal([[{ username: 'user1' }, 2]]);
  });

  it('limits a claim to its batch size', async () => {
    for (let i = 0; i < 5; i += 1) await outbox().enqueue(mail(`r${i}@example.com`, i), at(1));
    expect(await outbox().claim(at(1), LEASE, 2)).to.have.length(2);
    expect(await outbox().claim(at(1), LEASE, 10)).to.have.length(3);
  });

  it('leases a claimed mail: nobody else claims it until the lease ends, then it is claimed again', async () => {
    await outbox().enqueue(mail('a@example.com', 1), at(1));
    const [first] = await outbox().claim(at(1), LEASE, 10);
    expect(await outbox().claim(new Date(at(1).getTime() + LEASE - 1), LEASE, 10)).to.deep.equal(
      [],
    );
    const [again] = await outbox().claim(new Date(at(1).getTime() + LEASE), LEASE, 10);
    expect(again!.id).to.equal(first!.id);
    expect(again!.claimId).to.not.equal(first!.claimId);
    // The lapsed claim can no longer settle the mail; the new one can.
    expect(await outbox().markSent(first!.id, first!.claimId, at(100))).to.equal(false);
    expect(await outbox().markSent(again!.id, again!.claimId, at(100))).to.equal(true);
    expect(await outbox().markSent(again!.id, again!.claimId, at(100))).to.equal(false);
  });

  it('hands each mail to one of many claims made at the same moment', async () => {
    for (let i = 0; i < 30; i += 1)
      await outbox().enqueue(mail(`r${i % 10}@example.com`, i), at(1));
    const { values, errors } = await outcomes(
      Array.from({ length: 6 }, () => outbox().claim(at(1), LEASE, 4)),
    );
    expect(errors).to.deep.equal([]);
    const ids = values.flat().map((c) => c.id);
    expect(new Set(ids).size).to.equal(ids.length);
    // At most one mail per recipient is out at a time.
    const recipients = values.flat().map((c) => c.mail.to);
    expect(new Set(recipients).size).to.equal(recipients.length);
  });

  it('sent and failed mails leave the backlog and lose their data; stats count what waits', async () => {
    expect(await outbox().stats()).to.deep.equal({ backlog: 0, oldestPendingAt: null });
    await outbox().enqueue(
      {
        kind: 'verify_email',
        to: 'a@example.com',
        userId: null,
        data: { username: 'a', token: 'secret-token' },
      },
      at(1),
    );
    await outbox().enqueue(mail('b@example.com', 2), at(2));
    await outbox().enqueue(mail('c@example.com', 3), at(3));
    expect(await outbox().stats()).to.deep.equal({ backlog: 3, oldestPendingAt: at(1) });
    const [a, b] = await outbox().claim(at(5), LEASE, 2);
    expect(await outbox().markSent(a!.id, a!.claimId, at(6))).to.equal(true);
    expect(await outbox().markFailed(b!.id, b!.claimId, at(6), '550 no such mailbox')).to.equal(
      true,
    );
    expect(await outbox().stats()).to.deep.equal({ backlog: 1, oldestPendingAt: at(3) });
    // Settled mails are never claimed again, whatever the time.
    const rest = await outbox().claim(at(1_000_000), LEASE, 10);
    expect(rest.map((c) => c.mail.to)).to.deep.equal(['c@example.com']);
  });

  /** Queues one mail per entry at `at(seconds)`; `settle` sends or fails it at once. Pending ones are queued last, so no claim takes them. */
  async function queue(
    entries: ReadonlyArray<{
      to: string;
      seconds: number;
      settle?: 'sent' | 'failed';
      userId?: number;
    }>,
  ): Promise<void> {
    const ordered = [
      ...entries.filter((e) => e.settle !== undefined),
      ...entries.filter((e) => e.settle === undefined),
    ];
    for (const [n, entry] of ordered.entries()) {
      await outbox().enqueue(mail(entry.to, n, entry.userId ?? null), at(entry.seconds));
      if (entry.settle === undefined) continue;
      const [claimed] = await outbox().claim(at(entry.seconds), LEASE, 1);
      expect(claimed!.mail.to).to.equal(entry.to);
      const settled =
        entry.settle === 'sent'
          ? await outbox().markSent(claimed!.id, claimed!.claimId, at(entry.seconds))
          : await outbox().markFailed(
              claimed!.id,
              claimed!.claimId,
              at(entry.seconds),
              '550 no such mailbox',
            );
      expect(settled).to.equal(true);
    }
  }

  it('prunes the oldest sent and failed mails queued before the cutoff, a batch at a time, and never a pending one', async () => {
    const ada = await store().users.add(aUser());
    await queue([
      { to: ada.email, seconds: 1, userId: ada.id },
      // Queued in another order than their ages: the oldest go first whatever their ids.
      { to: 'c@example.com', seconds: 4, settle: 'sent' },
      { to: 'a@example.com', seconds: 2, settle: 'sent' },
      { to: 'b@example.com', seconds: 3, settle: 'failed' },
      { to: 'd@example.com', seconds: 10, settle: 'sent' },
    ]);
    expect(await outbox().pruneBatch(at(10), 2)).to.equal(2);
    // Those were the mails of 2 and 3 seconds: none older than 4 seconds is left.
    expect(await outbox().pruneBatch(at(4), 10)).to.equal(0);
    expect(await outbox().pruneBatch(at(10), 2)).to.equal(1);
    expect(await outbox().pruneBatch(at(10), 2)).to.equal(0);
    // The mail queued at the cutoff stays until a later one; the pending mail stays whatever its age.
    expect(await outbox().pruneBatch(at(11), 10)).to.equal(1);
    expect(await outbox().pruneBatch(at(1_000_000), 10)).to.equal(0);
    expect(await outbox().stats()).to.deep.equal({ backlog: 1, oldestPendingAt: at(1) });
    expect((await outbox().pendingOf(ada)).map((m) => m.createdAt)).to.deep.equal([at(1)]);
  });

  it('keeps whose mail it is, and refuses a mail about an account that does not exist', async () => {
    const ada = await store().users.add(aUser());
    await outbox().enqueue(mail('old@example.com', 1, ada.id), at(1));
    await outbox().enqueue(mail('anyone@example.com', 2), at(1));
    const claimed = await outbox().claim(at(1), LEASE, 10);
    expect(claimed.map((c) => c.mail)).to.deep.equal([
      mail('old@example.com', 1, ada.id),
      mail('anyone@example.com', 2),
    ]);
    expect(
      await rejectionOf(outbox().enqueue(mail('ghost@example.com', 3, ada.id + 1000), at(1))),
    ).to.be.instanceOf(Error);
    expect(await outbox().stats()).to.deep.equal({ backlog: 2, oldestPendingAt: at(1) });
  });

  it('lists the pending mails about an account, to any of its addresses, oldest first, with kind and time only', async () => {
    const ada = await store().users.add(aUser());
    const bob = await store().users.add(aUser());
    await queue([
      { to: ada.email, seconds: 1, settle: 'sent', userId: ada.id },
      { to: bob.email, seconds: 2, userId: bob.id },
    ]);
    await outbox().enqueue(
      {
        kind: 'verify_email',
        to: ada.email,
        userId: ada.id,
        data: { username: 'a', token: 'secret-token' },
      },
      at(3),
    );
    // To the address ada had before a change, about ada.
    await outbox().enqueue(
      {
        kind: 'email_changed',
        to: 'ada-before@example.com',
        userId: ada.id,
        data: { username: 'a', newEmail: ada.email },
      },
      at(4),
    );
    // Rows without an account (as queued before the outbox recorded it) count by address.
    await outbox().enqueue(mail(ada.email, 9), at(5));
    await outbox().enqueue(mail('ada-before@example.com', 10), at(6));
    expect(await outbox().pendingOf(ada)).to.deep.equal([
      { kind: 'verify_email', createdAt: at(3), status: 'pending' },
      { kind: 'email_changed', createdAt: at(4), status: 'pending' },
      { kind: 'password_changed', createdAt: at(5), status: 'pending' },
    ]);
    expect(await outbox().pendingOf(bob)).to.deep.equal([
      { kind: 'password_changed', createdAt: at(2), status: 'pending' },
    ]);
    expect(
      await outbox().pendingOf({ id: bob.id + 1000, email: 'nobody@example.com' }),
    ).to.deep.equal([]);
  });

  it('a unit of work reads back the mails and tokens it queued, and a write of it rolled back alone keeps them', async () => {
    const ada = await store().users.add(aUser({ email: 'ada@example.com' }));
    const tokens = store().emailTokens;
    const issued: Omit<StoredEmailToken, 'spentAt'> = {
      selector: 'unit1',
      verifierHash: 'hash-of-unit1',
      purpose: 'verify_email',
      userId: ada.id,
      email: ada.email,
      createdAt: at(1),
      expiresAt: at(100),
    };
    await store().unitOfWork.run(async () => {
      await outbox().enqueue(mail('first@example.com', 1, ada.id), at(1));
      await tokens.issue(issued, at(1));
      expect((await outbox().pendingOf(ada)).map((m) => m.createdAt)).to.deep.equal([at(1)]);
      expect(await tokens.find('unit1')).to.deep.equal({ ...issued, spentAt: null });
      await outbox().enqueue(mail('second@example.com', 2, ada.id), at(2));
      // A failed write in the unit (a savepoint, on SQL) does not take the queued mails with it.
      expect(
        await rejectionOf(store().users.add(aUser({ email: 'ADA@example.com' }))),
      ).to.have.property('kind', 'conflict');
      await outbox().enqueue(mail('third@example.com', 3, ada.id), at(3));
    });
    const claimed = await outbox().claim(at(10), LEASE, 10);
    expect(claimed.map((c) => c.mail.to)).to.deep.equal([
      'first@example.com',
      'second@example.com',
      'third@example.com',
    ]);
    expect(await tokens.find('unit1')).to.deep.equal({ ...issued, spentAt: null });
  });

  it("keeps the order of a unit of work's mails, queued one after another", async () => {
    await store().unitOfWork.run(async () => {
      for (let n = 1; n <= 4; n += 1) await outbox().enqueue(mail(`to${n}@example.com`, n), at(1));
    });
    const claimed = await outbox().claim(at(2), LEASE, 10);
    expect(claimed.map((c) => c.mail.to)).to.deep.equal(
      [1, 2, 3, 4].map((n) => `to${n}@example.com`),
    );
    expect(claimed.map((c) => c.id)).to.deep.equal(
      [...claimed.map((c) => c.id)].sort((a, b) => a - b),
    );
  });

  it('a mail queued in a unit of work about an account the unit then erases goes with the account', async () => {
    const ada = await store().users.add(aUser());
    await store().unitOfWork.run(async () => {
      await outbox().enqueue(mail(ada.email, 1, ada.id), at(1));
      await store().emailTokens.issue(
        {
          selector: 'gone1',
          verifierHash: 'hash-of-gone1',
          purpose: 'password_reset',
          userId: ada.id,
          email: ada.email,
          createdAt: at(1),
          expiresAt: at(100),
        },
        at(1),
      );
      await store().users.remove(ada.id);
    });
    expect(await outbox().stats()).to.deep.equal({ backlog: 0, oldestPendingAt: null });
    expect(await store().emailTokens.find('gone1')).to.equal(null);
  });

  it('fails the unit of work of a mail about an account that does not exist, and keeps nothing of it', async () => {
    const ada = await store().users.add(aUser());
    const error = await rejectionOf(
      store().unitOfWork.run(async () => {
        await outbox().enqueue(mail('kept@example.com', 1), at(1));
        await outbox().enqueue(mail('ghost@example.com', 2, ada.id + 1000), at(1));
      }),
    );
    expect(error).to.be.instanceOf(Error);
    expect(await outbox().stats()).to.deep.equal({ backlog: 0, oldestPendingAt: null });
  });

  it('erasing a user deletes every mail about it, to any address, pending or settled, in the unit of work of the erasure', async () => {
    const ada = await store().users.add(aUser());
    const bob = await store().users.add(aUser());
    await queue([
      { to: ada.email, seconds: 1, settle: 'sent', userId: ada.id },
      { to: 'ada-before@example.com', seconds: 2, settle: 'sent', userId: ada.id },
      { to: bob.email, seconds: 3, settle: 'sent', userId: bob.id },
      // Without an account: ada's current address goes with her, another address stays.
      { to: ada.email, seconds: 4, settle: 'sent' },
      { to: 'other@example.com', seconds: 5, settle: 'sent' },
      { to: ada.email, seconds: 6, userId: ada.id },
      { to: 'ada-before@example.com', seconds: 7, userId: ada.id },
      { to: ada.email, seconds: 8 },
      { to: bob.email, seconds: 9, userId: bob.id },
      { to: 'other@example.com', seconds: 10 },
    ]);
    await rejectionOf(
      store().unitOfWork.run(async () => {
        await store().users.remove(ada.id);
        throw new Rollback();
      }),
    );
    expect(await outbox().pendingOf(ada)).to.have.length(3);
    await store().unitOfWork.run(async () => store().users.remove(ada.id));
    expect(await outbox().pendingOf(ada)).to.deep.equal([]);
    expect(await outbox().stats()).to.deep.equal({ backlog: 2, oldestPendingAt: at(9) });
    const left = await outbox().claim(at(1_000_000), LEASE, 10);
    expect(left.map((c) => c.mail.to)).to.deep.equal([bob.email, 'other@example.com']);
    // Of the settled mails only bob's and the other address's are left to prune.
    expect(await outbox().pruneBatch(at(1_000_000), 10)).to.equal(2);
  });
});

describeStorages('EmailTokenRepository contract', (target) => {
  const store = useStorage(target);
  const tokens = () => store().emailTokens;
  let ada: User;
  beforeEach(async () => {
    ada = await store().users.add(aUser());
  });

  const token = (
    selector: string,
    overrides: Partial<StoredEmailToken> = {},
  ): Omit<StoredEmailToken, 'spentAt'> => ({
    selector,
    verifierHash: `hash-of-${selector}`,
    purpose: 'password_reset',
    userId: ada.id,
    email: ada.email,
    createdAt: at(1),
    expiresAt: at(1801),
    ...overrides,
  });

  it('stores a token and finds it by its selector, unspent', async () => {
    await tokens().issue(token('s1'), at(1));
    expect(await tokens().find('s1')).to.deep.equal({ ...token('s1'), spentAt: null });
    expect(await tokens().find('nope')).to.equal(null);
  });

  // Alone, each issue is its statement; in one unit of work they are held and written together.
  for (const [how, within] of [
    ['one by one', (work: () => Promise<void>) => work()],
    ['in one unit of work', (work: () => Promise<void>) => store().unitOfWork.run(work)],
  ] as const) {
    it(`spends the user's live tokens of the same purpose when a new one is issued ${how}, and only those`, async () => {
      await within(async () => {
        await tokens().issue(token('reset1'), at(1));
        await tokens().issue(token('verify1', { purpose: 'verify_email' }), at(1));
        await tokens().issue(token('reset2'), at(2));
      });
      expect((await tokens().find('reset1'))!.spentAt).to.deep.equal(at(2));
      expect((await tokens().find('verify1'))!.spentAt).to.equal(null);
      expect((await tokens().find('reset2'))!.spentAt).to.equal(null);
    });
  }

  it('spends a token once, even when asked at the same moment', async () => {
    await tokens().issue(token('s1'), at(1));
    const spent = await Promise.all(Array.from({ length: 5 }, () => tokens().spend('s1', at(3))));
    expect(spent.filter(Boolean)).to.have.length(1);
    expect((await tokens().find('s1'))!.spentAt).to.deep.equal(at(3));
    expect(await tokens().spend('unknown', at(3))).to.equal(false);
  });

  it("lists the user's live tokens, oldest first, without selector or hash", async () => {
    const bob = await store().users.add(aUser());
    await tokens().issue(token('reset1'), at(1));
    await tokens().issue(
      token('verify1', { purpose: 'verify_email', createdAt: at(2), expiresAt: at(100) }),
      at(2),
    );
    await tokens().issue(token('reset2', { createdAt: at(3), expiresAt: at(1803) }), at(3));
    await tokens().issue(token('bobs', { userId: bob.id, email: bob.email }), at(1));
    expect(await tokens().liveOf(ada.id, at(50))).to.deep.equal([
      { purpose: 'verify_email', createdAt: at(2), expiresAt: at(100) },
      { purpose: 'password_reset', createdAt: at(3), expiresAt: at(1803) },
    ]);
    // Expired at its expiry; spent ones never listed.
    expect(await tokens().liveOf(ada.id, at(100))).to.deep.equal([
      { purpose: 'password_reset', createdAt: at(3), expiresAt: at(1803) },
    ]);
    await tokens().spend('reset2', at(101));
    expect(await tokens().liveOf(ada.id, at(101))).to.deep.equal([]);
  });

  it('goes with its user', async () => {
    await tokens().issue(token('s1'), at(1));
    await store().users.remove(ada.id);
    expect(await tokens().find('s1')).to.equal(null);
  });
});
