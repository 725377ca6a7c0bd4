/**
 * The SessionRepository and AuthReadModel contracts, on every store: sessions and their refresh
 * tokens, rotation as a compare-and-set, revocation, the cascade from users, and the one read
 * behind every authenticated request.
 */
import { expect } from 'chai';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { NewSession } from '../../src/application/ports/session-repository.js';
import type { Session, SessionDevice } from '../../src/domain/session/session.js';
import type { User } from '../../src/domain/user/user.js';
import { aUser, at } from '../support/builders.js';
import { describeStorages, useStorage } from '../support/storage.js';
import { expectDomainError, outcomes, rejectionOf, rendezvous, Rollback } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HOUR = 3_600_000;
const SIGN_IN: SessionDevice = {
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
  ip: '203.0.113.7',
};
const DEVICE: SessionDevice = { userAgent: 'curl/8.5.0', ip: '2001:db8::1' };

/** A refresh token's hash as the service stores it (any distinct string would do). */
const aHash = (): string => createHash('sha256').update(randomBytes(32)).digest('base64url');

/** A session of the user begun at `begun`, lasting a day, with milliseconds to check their round trip. */
const draft = (
  user: User,
  begun = new Date(at(100).getTime() + 123),
  device: SessionDevice = SIGN_IN,
): NewSession => ({
  userId: user.id,
  createdAt: begun,
  expiresAt: new Date(begun.getTime() + 24 * HOUR),
  device,
});

/** The session as stored: the draft without where it came from. */
const stored = (id: string, { device: _device, ...session }: NewSession): Session => ({
  id,
  ...session,
  revokedAt: null,
});

describeStorages('SessionRepository contract', (target) => {
  const store = useStorage(target);
  const sessions = () => store().sessions;
  let ada: User;
  let bob: User;
  beforeEach(async () => {
    ada = await store().users.add(aUser());
    bob = await store().users.add(aUser());
  });

  const start = async (user: User, begun?: Date): Promise<{ session: Session; hash: string }> => {
    const hash = aHash();
    return { session: await sessions().start(draft(user, begun), hash), hash };
  };

  describe('start and findByRefreshHash', () => {
    it('stores a session under a new UUID and finds it by its refresh token, unspent', async () => {
      const { session, hash } = await start(ada);
      expect(session.id).to.match(UUID);
      expect(session).to.deep.equal(stored(session.id, draft(ada)));
      expect(await sessions().findByRefreshHash(hash)).to.deep.equal({ session, spent: false });
    });

    it('gives every session its own id', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 5; i += 1) ids.add((await start(ada)).session.id);
      expect(ids.size).to.equal(5);
    });

    it('finds nothing for an unknown token', async () => {
      await start(ada);
      expect(await sessions().findByRefreshHash(aHash())).to.equal(null);
    });

    it('refuses a session of a user that does not exist (the foreign key), storing nothing', async () => {
      const hash = aHash();
      const error = await rejectionOf(
        sessions().start({ ...draft(ada), userId: bob.id + 1000 }, hash),
      );
      expectDomainError(error, 'not_found');
      expect(await sessions().findByRefreshHash(hash)).to.equal(null);
    });

    it('drops the user’s revoked and expired sessions when a new one starts, and nothing else', async () => {
      const live = await start(ada, at(0));
      const revoked = await start(ada, at(1));
      const expired = await start(ada, new Date(at(2).getTime() - 48 * HOUR));
      const others = await start(bob, new Date(at(2).getTime() - 48 * HOUR));
      await sessions().revoke(revoked.session.id, at(3));
      await start(ada, at(10));
      expect(await sessions().findByRefreshHash(live.hash)).to.not.equal(null);
      expect(await sessions().findByRefreshHash(revoked.hash)).to.equal(null);
      expect(await sessions().findByRefreshHash(expired.hash)).to.equal(null);
      expect(await sessions().findByRefreshHash(others.hash), 'another user’s').to.not.equal(null);
    });
  });

  describe('rotate', () => {
    it('spends the token and makes the next one current, in the same session', async () => {
      const { session, hash } = await start(ada);
      const next = aHash();
      expect(await sessions().rotate(session.id, hash, next, at(200), DEVICE)).to.equal(true);
      expect(await sessions().findByRefreshHash(hash)).to.deep.equal({ session, spent: true });
      expect(await sessions().findByRefreshHash(next)).to.deep.equal({ session, spent: false });
    });

    it('is a compare-and-set: a spent token, another session’s token or a bad id rotate nothing', async () => {
      const first = await start(ada);
      const other = await start(bob);
      const next = aHash();
      expect(await sessions().rotate(first.session.id, first.hash, next, at(200), DEVICE)).to.equal(
        true,
      );
      const again = aHash();
      expect(
        await sessions().rotate(first.session.id, first.hash, again, at(201), DEVICE),
        'spent',
      ).to.equal(false);
      expect(
        await sessions().rotate(first.session.id, other.hash, again, at(201), DEVICE),
        'another session',
      ).to.equal(false);
      expect(
        await sessions().rotate(randomUUID(), next, again, at(201), DEVICE),
        'unknown session',
      ).to.equal(false);
      expect(
        await sessions().rotate('not-a-uuid', next, again, at(201), DEVICE),
        'malformed id',
      ).to.equal(false);
      expect(await sessions().findByRefreshHash(again)).to.equal(null);
      expect((await sessions().findByRefreshHash(next))?.spent).to.equal(false);
    });

    it('keeps a long chain of rotations, each spent token still recognised', async () => {
      const { session, hash } = await start(ada);
      const chain = [hash];
      for (let i = 0; i < 10; i += 1) {
        const next = aHash();
        expect(
          await sessions().rotate(session.id, chain.at(-1)!, next, at(300 + i), DEVICE),
        ).to.equal(true);
        chain.push(next);
      }
      for (const spent of chain.slice(0, -1))
        expect((await sessions().findByRefreshHash(spent))?.spent).to.equal(true);
      expect((await sessions().findByRefreshHash(chain.at(-1)!))?.spent).to.equal(false);
    });

    it('lets at most one of two concurrent rotations of one token succeed (outside units)', async () => {
      const { session, hash } = await start(ada);
      const [a, b] = [aHash(), aHash()];
      const results = await Promise.all([
        sessions().rotate(session.id, hash, a, at(200), DEVICE),
        sessions().rotate(session.id, hash, b, at(200), DEVICE),
      ]);
      expect(results.filter(Boolean)).to.have.length(1);
      const current = (
        await Promise.all([a, b].map((h) => sessions().findByRefreshHash(h)))
      ).filter((found) => found !== null);
      expect(current).to.have.length(1);
      expect(current[0]!.spent).to.equal(false);
    });

    it('serialises units refreshing one token: the second finds it spent', async () => {
      const { hash } = await start(ada);
      // Both units read before either writes, when the store lets them run side by side.
      const meet = rendezvous(2, 200);
      const refresh = () =>
        store().unitOfWork.run(async () => {
          const found = await sessions().findByRefreshHash(hash);
          await meet.arrive();
          if (found === null || found.spent) return 'spent';
          return (await sessions().rotate(found.session.id, hash, aHash(), at(200), DEVICE))
            ? 'rotated'
            : 'lost';
        });
      const { values, errors } = await outcomes([refresh(), refresh()]);
      expect(errors).to.deep.equal([]);
      // Not 'lost': the lock makes the second read the first one's outcome, not a stale row.
      expect([...values].sort()).to.deep.equal(['rotated', 'spent']);
    });

    it('rolls back with its unit', async () => {
      const { session, hash } = await start(ada);
      const next = aHash();
      const error = await rejectionOf(
        store().unitOfWork.run(async () => {
          expect(await sessions().rotate(session.id, hash, next, at(200), DEVICE)).to.equal(true);
          throw new Rollback();
        }),
      );
      expect(error).to.be.instanceOf(Rollback);
      expect((await sessions().findByRefreshHash(hash))?.spent).to.equal(false);
      expect(await sessions().findByRefreshHash(next)).to.equal(null);
    });
  });

  describe('revoke and revokeAllOfUser', () => {
    it('revokes once: true the first time, false after, and for unknown or malformed ids', async () => {
      const { session, hash } = await start(ada);
      const when = new Date(at(500).getTime() + 7);
      expect(await sessions().revoke(session.id, when)).to.equal(true);
      expect(await sessions().revoke(session.id, at(600))).to.equal(false);
      expect(await sessions().revoke(randomUUID(), at(600))).to.equal(false);
      expect(await sessions().revoke('nope', at(600))).to.equal(false);
      expect((await sessions().findByRefreshHash(hash))?.session.revokedAt?.getTime()).to.equal(
        when.getTime(),
      );
    });

    it('revokes every session of the user not yet revoked, and no one else’s, naming each', async () => {
      const [one, two, three] = [await start(ada), await start(ada), await start(ada)];
      const bobs = await start(bob);
      await sessions().revoke(three.session.id, at(400));
      expect((await sessions().revokeAllOfUser(ada.id, at(500))).sort()).to.deep.equal(
        [one.session.id, two.session.id].sort(),
      );
      for (const { hash } of [one, two])
        expect((await sessions().findByRefreshHash(hash))?.session.revokedAt?.getTime()).to.equal(
          at(500).getTime(),
        );
      expect(
        (await sessions().findByRefreshHash(three.hash))?.session.revokedAt?.getTime(),
        'kept its time',
      ).to.equal(at(400).getTime());
      expect((await sessions().findByRefreshHash(bobs.hash))?.session.revokedAt).to.equal(null);
      expect(await sessions().revokeAllOfUser(ada.id, at(600))).to.deep.equal([]);
    });

    it('names each session once when two calls revoke at the same time', async () => {
      const started = await Promise.all([start(ada), start(ada), start(ada)]);
      const [a, b] = await Promise.all([
        sessions().revokeAllOfUser(ada.id, at(500)),
        sessions().revokeAllOfUser(ada.id, at(500)),
      ]);
      expect([...a, ...b].sort()).to.deep.equal(started.map((s) => s.session.id).sort());
    });
  });

  describe('the cascade from users', () => {
    it('removes a user’s sessions and refresh tokens with the user', async () => {
      const { session, hash } = await start(ada);
      const next = aHash();
      await sessions().rotate(session.id, hash, next, at(200), DEVICE);
      const kept = await start(bob);
      await store().users.remove(ada.id);
      expect(await sessions().findByRefreshHash(hash)).to.equal(null);
      expect(await sessions().findByRefreshHash(next)).to.equal(null);
      expect(await sessions().findByRefreshHash(kept.hash)).to.not.equal(null);
    });
  });
});

describeStorages('AuthReadModel contract', (target) => {
  const store = useStorage(target);
  const auth = () => store().authReadModel;
  let ada: User;
  let bob: User;
  beforeEach(async () => {
    ada = await store().users.add(aUser({ role: 'moderator' }));
    bob = await store().users.add(aUser());
  });

  it('gives the user’s role, activity and password change with the token’s session', async () => {
    const session = await store().sessions.start(draft(ada), aHash());
    const user = await store().userReadModel.getById(ada.id);
    expect(await auth().getAuthContext(ada.id, session.id)).to.deep.equal({
      role: 'moderator',
      isActive: true,
      passwordChangedAt: null,
      session,
      user,
    });
  });

  it('gives the user’s view as the user read model gives it, in the same read, with or without a session', async () => {
    await store().users.update(
      (await store().users.findById(ada.id))!.changeAccess(
        { role: 'admin', isActive: false },
        1,
        at(650),
      ),
    );
    const view = await store().userReadModel.getById(ada.id);
    expect(view).to.deep.include({ id: ada.id, role: 'admin', isActive: false, version: 2 });
    expect((await auth().getAuthContext(ada.id, randomUUID()))?.user).to.deep.equal(view);
    const session = await store().sessions.start(draft(ada), aHash());
    expect((await auth().getAuthContext(ada.id, session.id))?.user).to.deep.equal(view);
  });

  it('follows changes of the account and of the session', async () => {
    const session = await store().sessions.start(draft(ada), aHash());
    const changedAt = new Date(at(700).getTime() + 9);
    await store().users.update(
      (await store().users.findById(ada.id))!.changePassword('new-hash', changedAt),
    );
    await store().users.update(
      (await store().users.findById(ada.id))!.changeAccess(
        { role: 'user', isActive: false },
        1,
        at(701),
      ),
    );
    await store().sessions.revoke(session.id, at(702));
    const context = await auth().getAuthContext(ada.id, session.id);
    expect(context).to.deep.include({ role: 'user', isActive: false });
    expect(context?.user).to.deep.equal(await store().userReadModel.getById(ada.id));
    expect(context?.passwordChangedAt?.getTime()).to.equal(changedAt.getTime());
    expect(context?.session?.revokedAt?.getTime()).to.equal(at(702).getTime());
  });

  it('gives no session for an unknown or malformed id, or for another user’s session', async () => {
    const bobs = await store().sessions.start(draft(bob), aHash());
    for (const sessionId of [randomUUID(), 'not-a-uuid', '', bobs.id]) {
      const context = await auth().getAuthContext(ada.id, sessionId);
      expect(context?.role, sessionId).to.equal('moderator');
      expect(context?.session, sessionId).to.equal(null);
    }
  });

  it('gives null for a user that does not exist, or no longer does', async () => {
    const session = await store().sessions.start(draft(ada), aHash());
    expect(await auth().getAuthContext(bob.id + 1000, session.id)).to.equal(null);
    await store().users.remove(ada.id);
    expect(await auth().getAuthContext(ada.id, session.id)).to.equal(null);
  });

  it('sees a unit’s own writes inside it', async () => {
    await store().unitOfWork.run(async () => {
      const session = await store().sessions.start(draft(ada), aHash());
      await store().sessions.revoke(session.id, at(800));
      expect(
        (await auth().getAuthContext(ada.id, session.id))?.session?.revokedAt?.getTime(),
      ).to.equal(at(800).getTime());
    });
  });
});

describeStorages('SessionReadModel contract', (target) => {
  const store = useStorage(target);
  const read = () => store().sessionReadModel;
  let ada: User;
  let bob: User;
  beforeEach(async () => {
    ada = await store().users.add(aUser());
    bob = await store().users.add(aUser());
  });

  const startAt = async (
    user: User,
    begun: Date,
    device: SessionDevice = SIGN_IN,
  ): Promise<{ session: Session; hash: string }> => {
    const hash = aHash();
    return { session: await store().sessions.start(draft(user, begun, device), hash), hash };
  };

  it('gives null for a user that does not exist, and no sessions for one who has none', async () => {
    expect(await read().sessionsOfUser(bob.id + 1000)).to.equal(null);
    expect(await read().sessionsOfUser(ada.id)).to.deep.equal({
      passwordChangedAt: null,
      sessions: [],
    });
  });

  it('gives each session with where its sign-in came from, last used when it began, newest first, the user’s only', async () => {
    const older = await startAt(ada, new Date(at(100).getTime() + 1));
    const newer = await startAt(ada, new Date(at(200).getTime() + 2), DEVICE);
    await startAt(bob, at(300));
    const found = await read().sessionsOfUser(ada.id);
    expect(found?.sessions).to.deep.equal([
      { ...newer.session, lastUsedAt: newer.session.createdAt, ...DEVICE },
      { ...older.session, lastUsedAt: older.session.createdAt, ...SIGN_IN },
    ]);
  });

  it('keeps an unknown user agent and address as null, and 256 characters of any script', async () => {
    const wide = { userAgent: 'é'.repeat(200) + '日本語'.repeat(18) + 'xy', ip: 'fe80::1%eth0' };
    expect(Array.from(wide.userAgent)).to.have.length(256);
    await startAt(ada, at(100), { userAgent: null, ip: null });
    await startAt(ada, at(200), wide);
    const [second, first] = (await read().sessionsOfUser(ada.id))!.sessions;
    expect(second).to.deep.include(wide);
    expect(first).to.deep.include({ userAgent: null, ip: null });
  });

  it('moves last use and device to a rotation’s, and leaves them when the rotation fails', async () => {
    const { session, hash } = await startAt(ada, at(100));
    const used = new Date(at(250).getTime() + 5);
    expect(await store().sessions.rotate(session.id, hash, aHash(), used, DEVICE)).to.equal(true);
    expect(
      await store().sessions.rotate(session.id, hash, aHash(), at(300), SIGN_IN),
      'spent',
    ).to.equal(false);
    const [view] = (await read().sessionsOfUser(ada.id))!.sessions;
    expect(view).to.deep.include({ ...DEVICE, createdAt: session.createdAt });
    expect(view?.lastUsedAt.getTime()).to.equal(used.getTime());
  });

  it('lists ended sessions with their end, and the last password change that supersedes older ones', async () => {
    const { session } = await startAt(ada, at(100));
    await store().sessions.revoke(session.id, at(150));
    const changedAt = new Date(at(160).getTime() + 3);
    await store().users.update(
      (await store().users.findById(ada.id))!.changePassword('new-hash', changedAt),
    );
    const found = await read().sessionsOfUser(ada.id);
    expect(found?.passwordChangedAt?.getTime()).to.equal(changedAt.getTime());
    expect(found?.sessions.map((s) => s.revokedAt?.getTime())).to.deep.equal([at(150).getTime()]);
  });

  it('sees a unit’s own writes inside it, and nothing of a unit rolled back', async () => {
    const { session, hash } = await startAt(ada, at(100));
    const error = await rejectionOf(
      store().unitOfWork.run(async () => {
        expect(await store().sessions.rotate(session.id, hash, aHash(), at(200), DEVICE)).to.equal(
          true,
        );
        expect((await read().sessionsOfUser(ada.id))?.sessions[0]).to.deep.include(DEVICE);
        throw new Rollback();
      }),
    );
    expect(error).to.be.instanceOf(Rollback);
    expect((await read().sessionsOfUser(ada.id))?.sessions[0]).to.deep.include({
      ...SIGN_IN,
      lastUsedAt: session.createdAt,
    });
  });

  it('gives null once the user is removed with their sessions', async () => {
    await startAt(ada, at(100));
    await store().users.remove(ada.id);
    expect(await read().sessionsOfUser(ada.id)).to.equal(null);
  });
});
