import { expect } from 'chai';
import { EMAIL_TAKEN, USERNAME_TAKEN } from '../../src/application/ports/user-repository.js';
import { User } from '../../src/domain/user/user.js';
import { aUser, anAdmin, at, changed, withRole } from '../support/builders.js';
import { describeStorages, useStorage } from '../support/storage.js';
import { expectDomainError, rejectionOf } from './helpers.js';

/** The fields of a user as plain data, for deep comparisons. */
const props = (user: User | null) => (user === null ? null : { ...user });

describeStorages('UserRepository contract', (target) => {
  const store = useStorage(target);
  const users = () => store().users;
  const total = async () =>
    (
      await store().userReadModel.list({
        filter: {},
        sort: { field: 'created_at', direction: 'asc' },
        page: 1,
        pageSize: 100,
      })
    ).total;

  describe('add and find', () => {
    it('stores a new user under a new positive id and gives back every field', async () => {
      const draft = aUser({
        email: 'ada@example.com',
        username: 'Ada_L',
        fullName: 'Ada Lovelace',
        role: 'moderator',
      });
      const added = await users().add(draft);
      expect(added).to.be.instanceOf(User);
      expect(added.id).to.be.a('number').and.to.be.greaterThan(0);
      expect(props(added)).to.deep.equal({ ...draft, id: added.id });
      expect(props(await users().findById(added.id))).to.deep.equal(props(added));
    });

    it('keeps a null full name, an inactive flag and the times to the millisecond', async () => {
      const draft = aUser({
        fullName: null,
        isActive: false,
        createdAt: new Date('2026-03-04T05:06:07.891Z'),
        updatedAt: new Date('2026-05-06T07:08:09.123Z'),
      });
      const found = await users().findById((await users().add(draft)).id);
      expect(found?.fullName).to.equal(null);
      expect(found?.isActive).to.equal(false);
      expect(found?.createdAt.toISOString()).to.equal('2026-03-04T05:06:07.891Z');
      expect(found?.updatedAt.toISOString()).to.equal('2026-05-06T07:08:09.123Z');
    });

    it('gives each user its own id and never hands out a removed one again', async () => {
      const first = await users().add(aUser());
      const second = await users().add(aUser());
      expect(second.id).to.not.equal(first.id);
      await users().remove(second.id);
      const third = await users().add(aUser());
      expect([first.id, second.id]).to.not.include(third.id);
      expect(third.id).to.be.greaterThan(second.id);
    });

    it('finds nothing for an unknown id', async () => {
      await users().add(aUser());
      expect(await users().findById(987_654)).to.equal(null);
    });

    it('returns users the caller cannot change in the store by mutating them', async () => {
      const added = await users().add(aUser());
      const found = await users().findById(added.id);
      found?.createdAt.setUTCFullYear(1999);
      expect((await users().findById(added.id))?.createdAt.getUTCFullYear()).to.equal(
        added.createdAt.getUTCFullYear(),
      );
    });
  });

  describe('findByLogin', () => {
    it('finds a user by email or by username, whatever the case', async () => {
      const ada = await users().add(aUser({ email: 'ada@example.com', username: 'AdaL' }));
      await users().add(aUser({ email: 'bob@example.com', username: 'bob' }));
      for (const login of ['ada@example.com', 'ADA@Example.COM', 'AdaL', 'adal', 'ADAL']) {
        expect((await users().findByLogin(login))?.id, login).to.equal(ada.id);
      }
    });

    it('finds nothing for an unknown login or a mere part of one', async () => {
      await users().add(aUser({ email: 'ada@example.com', username: 'ada' }));
      for (const login of ['nobody', 'ad', 'ada@example', 'nobody@example.com']) {
        expect(await users().findByLogin(login), login).to.equal(null);
      }
    });
  });

  describe('uniqueness', () => {
    it('refuses an email already registered, whatever its case', async () => {
      await users().add(aUser({ email: 'ada@example.com', username: 'ada' }));
      const error = await rejectionOf(
        users().add(aUser({ email: 'ADA@example.com', username: 'someone_else' })),
      );
      expectDomainError(error, 'conflict', EMAIL_TAKEN);
      expect(await total()).to.equal(1);
    });

    it('refuses a username already taken, whatever its case', async () => {
      await users().add(aUser({ email: 'ada@example.com', username: 'Ada' }));
      const error = await rejectionOf(
        users().add(aUser({ email: 'other@example.com', username: 'aDA' })),
      );
      expectDomainError(error, 'conflict', USERNAME_TAKEN);
      expect(await users().findByLogin('other@example.com')).to.equal(null);
    });

    it('names the email when both are taken', async () => {
      await users().add(aUser({ email: 'ada@example.com', username: 'ada' }));
      expectDomainError(
        await rejectionOf(users().add(aUser({ email: 'ada@example.com', username: 'ADA' }))),
        'conflict',
        EMAIL_TAKEN,
      );
    });

    it('refuses an update to another user’s email or username, and changes nothing', async () => {
      await users().add(aUser({ email: 'ada@example.com', username: 'ada' }));
      const bob = await users().add(aUser({ email: 'bob@example.com', username: 'bob' }));
      expectDomainError(
        await rejectionOf(users().update(changed(bob, { email: 'ADA@EXAMPLE.COM' }))),
        'conflict',
        EMAIL_TAKEN,
      );
      expectDomainError(
        await rejectionOf(users().update(changed(bob, { username: 'Ada' }))),
        'conflict',
        USERNAME_TAKEN,
      );
      expect(props(await users().findById(bob.id))).to.deep.equal(props(bob));
    });

    it('lets a user keep its own email and username, or change their case', async () => {
      const ada = await users().add(aUser({ email: 'ada@example.com', username: 'ada' }));
      const renamed = changed(ada, { username: 'ADA', fullName: 'Ada Byron' });
      await users().update(renamed);
      expect(props(await users().findById(ada.id))).to.deep.equal(props(renamed));
    });

    it('frees an email and a username when their user is removed', async () => {
      const ada = await users().add(aUser({ email: 'ada@example.com', username: 'ada' }));
      await users().remove(ada.id);
      const again = await users().add(aUser({ email: 'ada@example.com', username: 'ADA' }));
      expect((await users().findByLogin('ada'))?.id).to.equal(again.id);
    });
  });

  describe('update', () => {
    it('stores every field of the changed user and returns it', async () => {
      const ada = await users().add(aUser());
      const next = changed(ada, {
        email: 'new@example.com',
        username: 'renamed',
        fullName: null,
        passwordHash: 'another-hash',
        role: 'admin',
        isActive: false,
        updatedAt: at(99_999),
        version: ada.version + 3,
      });
      expect(props(await users().update(next))).to.deep.equal(props(next));
      expect(props(await users().findById(ada.id))).to.deep.equal(props(next));
      expect((await users().findByLogin('renamed'))?.id).to.equal(ada.id);
      expect(await users().findByLogin(ada.email)).to.equal(null);
    });

    it('changes no other user', async () => {
      const ada = await users().add(aUser());
      const bob = await users().add(aUser());
      await users().update(changed(ada, { fullName: 'Changed' }));
      expect(props(await users().findById(bob.id))).to.deep.equal(props(bob));
    });

    it('fails with not_found for a user that is not stored', async () => {
      const ada = await users().add(aUser());
      await users().remove(ada.id);
      expectDomainError(
        await rejectionOf(users().update(changed(ada, { fullName: 'Ghost' }))),
        'not_found',
        `User with id ${ada.id} not found`,
      );
      expect(await users().findById(ada.id)).to.equal(null);
    });
  });

  describe('remove', () => {
    it('removes the user and only that user', async () => {
      const ada = await users().add(aUser());
      const bob = await users().add(aUser());
      await users().remove(ada.id);
      expect(await users().findById(ada.id)).to.equal(null);
      expect(await users().findByLogin(ada.username)).to.equal(null);
      expect(props(await users().findById(bob.id))).to.deep.equal(props(bob));
      expect(await total()).to.equal(1);
    });

    it('does nothing for an unknown id', async () => {
      const ada = await users().add(aUser());
      await users().remove(ada.id + 1000);
      expect(await total()).to.equal(1);
    });
  });

  describe('countActiveAdminsExcept', () => {
    it('counts active admins only, leaving out the one given', async () => {
      const first = await users().add(anAdmin());
      const second = await users().add(anAdmin());
      await users().add(anAdmin({ isActive: false }));
      const moderator = await users().add(withRole('moderator'));
      await users().add(withRole('user'));
      expect(await users().countActiveAdminsExcept(null)).to.equal(2);
      expect(await users().countActiveAdminsExcept(first.id)).to.equal(1);
      expect(await users().countActiveAdminsExcept(second.id)).to.equal(1);
      expect(await users().countActiveAdminsExcept(moderator.id)).to.equal(2);
      expect(await users().countActiveAdminsExcept(123_456)).to.equal(2);
    });

    it('follows demotions, deactivations and removals', async () => {
      const first = await users().add(anAdmin());
      const second = await users().add(anAdmin());
      const third = await users().add(anAdmin());
      await users().update(changed(first, { role: 'user' }));
      await users().update(changed(second, { isActive: false }));
      expect(await users().countActiveAdminsExcept(null)).to.equal(1);
      await users().remove(third.id);
      expect(await users().countActiveAdminsExcept(null)).to.equal(0);
    });

    it('is zero in an empty store', async () => {
      expect(await users().countActiveAdminsExcept(null)).to.equal(0);
    });
  });
});
