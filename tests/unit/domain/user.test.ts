import { expect } from 'chai';
import { DomainError } from '../../../src/domain/shared/errors.js';
import { User, type UserProps } from '../../../src/domain/user/user.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const t1 = new Date('2026-01-02T00:00:00.000Z');

const aUser = (props: Partial<UserProps> = {}): User =>
  User.restore({
    id: 1,
    email: 'ada@example.com',
    username: 'ada',
    fullName: 'Ada',
    passwordHash: 'hash',
    role: 'user',
    isActive: true,
    createdAt: t0,
    updatedAt: t0,
    version: 1,
    passwordChangedAt: null,
    emailVerified: false,
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

describe('domain: User', () => {
  it('registers with a lower-cased email, active, version 1', () => {
    const draft = User.register(
      {
        email: 'Ada@Example.COM',
        username: 'Ada',
        fullName: null,
        passwordHash: 'h',
        role: 'user',
      },
      t0,
    );
    expect(draft).to.include({
      email: 'ada@example.com',
      username: 'Ada',
      isActive: true,
      version: 1,
      role: 'user',
    });
    expect(draft.createdAt).to.equal(t0);
  });

  it('refuses to register invalid fields, naming each', () => {
    const error = thrown(() =>
      User.register(
        { email: 'bad', username: 'x', fullName: 'y'.repeat(101), passwordHash: 'h', role: 'user' },
        t0,
      ),
    );
    expect(error.kind).to.equal('validation');
    expect(error.details?.map((d) => d.field)).to.deep.equal(['email', 'username', 'full_name']);
  });

  it('a profile change bumps the version and updated_at and keeps the rest', () => {
    const next = aUser().changeProfile({ fullName: 'Ada L.', email: 'ADA2@example.com' }, t1);
    expect(next).to.include({
      fullName: 'Ada L.',
      email: 'ada2@example.com',
      username: 'ada',
      version: 2,
    });
    expect(next.updatedAt).to.equal(t1);
    expect(next.createdAt).to.equal(t0);
  });

  it('registers unverified; a new email unverifies, the same email in another case does not', () => {
    expect(
      User.register(
        {
          email: 'a@example.com',
          username: 'ada',
          fullName: null,
          passwordHash: 'h',
          role: 'user',
        },
        t0,
      ).emailVerified,
    ).to.equal(false);
    const verified = aUser().verifyEmail(t1);
    expect(verified).to.include({ emailVerified: true, version: 2 });
    expect(verified.verifyEmail(t1)).to.equal(verified);
    expect(
      verified.changeProfile({ email: 'ADA@example.com', fullName: 'Ada L.' }, t1).emailVerified,
    ).to.equal(true);
    expect(verified.changeProfile({ email: 'ada2@example.com' }, t1)).to.include({
      email: 'ada2@example.com',
      emailVerified: false,
    });
  });

  it('a change that changes nothing keeps the same version', () => {
    const user = aUser();
    expect(user.changeProfile({ fullName: 'Ada' }, t1)).to.equal(user);
    expect(user.changeProfile({}, t1).version).to.equal(1);
    expect(user.changeAccess({ role: 'user' }, 0, t1).version).to.equal(1);
  });

  it('never demotes or deactivates the last active admin', () => {
    const admin = aUser({ role: 'admin' });
    expect(thrown(() => admin.changeAccess({ role: 'moderator' }, 0, t1)).kind).to.equal(
      'conflict',
    );
    expect(thrown(() => admin.changeAccess({ isActive: false }, 0, t1)).kind).to.equal('conflict');
    expect(admin.changeAccess({ role: 'user' }, 1, t1).role).to.equal('user');
    expect(admin.changeAccess({ role: 'admin' }, 0, t1).role).to.equal('admin');
  });

  it('an inactive admin is not the last active admin', () => {
    const inactive = aUser({ role: 'admin', isActive: false });
    expect(inactive.changeAccess({ role: 'user' }, 0, t1).role).to.equal('user');
    expect(() => inactive.assertRemovable(0)).to.not.throw();
  });

  it('a password change stores the hash and its time, and bumps the version', () => {
    const user = aUser();
    const changed = user.changePassword('new-hash', t1);
    expect(changed).to.include({
      passwordHash: 'new-hash',
      passwordChangedAt: t1,
      updatedAt: t1,
      version: 2,
    });
    expect(user.passwordChangedAt).to.equal(null);
    expect(user.changePassword('hash', t1).version, 'even to an equal hash').to.equal(2);
  });

  it('the last active admin cannot be removed', () => {
    expect(thrown(() => aUser({ role: 'admin' }).assertRemovable(0)).message).to.equal(
      'Cannot delete the last active admin',
    );
    expect(() => aUser({ role: 'admin' }).assertRemovable(2)).to.not.throw();
    expect(() => aUser().assertRemovable(0)).to.not.throw();
  });

  it('says which changes take an active admin away, so only those count the other admins', () => {
    const admin = aUser({ role: 'admin' });
    expect(admin.losesActiveAdmin(null)).to.equal(true);
    expect(admin.losesActiveAdmin({ role: 'moderator' })).to.equal(true);
    expect(admin.losesActiveAdmin({ isActive: false })).to.equal(true);
    expect(admin.losesActiveAdmin({ role: 'admin', isActive: true })).to.equal(false);
    expect(admin.losesActiveAdmin({})).to.equal(false);
    expect(aUser().losesActiveAdmin(null)).to.equal(false);
    expect(aUser({ role: 'admin', isActive: false }).losesActiveAdmin({ role: 'user' })).to.equal(
      false,
    );
  });
});
