import { expect } from 'chai';
import { Order } from '../../../src/domain/order/order.js';
import { erasePersonalValues, maskEmail } from '../../../src/domain/shared/domain-event.js';
import { User, userChanges } from '../../../src/domain/user/user.js';
import { aUser as aNewUser, at } from '../../support/builders.js';

const t0 = at(0);
const t1 = at(86_400);

const aUser = (): User =>
  User.restore({
    ...aNewUser({ email: 'ada@example.com', username: 'ada', fullName: 'Ada' }),
    id: 7,
  });

describe('domain events', () => {
  it('masks an email to its first character and its domain', () => {
    expect(maskEmail('ada@example.com')).to.equal('a***@example.com');
    expect(maskEmail('x@y.io')).to.equal('x***@y.io');
    expect(maskEmail('not-an-email')).to.equal('***');
  });

  it('a restored user has no events, and they are not among its properties', () => {
    const user = aUser();
    expect(user.events).to.deep.equal([]);
    expect(Object.keys(user.changeProfile({ fullName: 'Ada L.' }, t1))).to.not.include('events');
  });

  it('a profile change records user.updated with values, the email masked', () => {
    const next = aUser().changeProfile(
      { email: 'Zed@Example.com', fullName: null, username: 'ada' },
      t1,
    );
    expect(next.events).to.deep.equal([
      {
        action: 'user.updated',
        subjectType: 'user',
        subjectId: '7',
        changes: {
          email: { from: 'a***@example.com', to: 'z***@example.com' },
          full_name: { from: 'Ada', to: null },
        },
      },
    ]);
  });

  it('a change that changes nothing records nothing', () => {
    const user = aUser();
    expect(user.changeProfile({ username: 'ada' }, t1).events).to.deep.equal([]);
    expect(user.changeAccess({ role: 'user', isActive: true }, 1, t1).events).to.deep.equal([]);
  });

  it('profile and access changed by one command make one event, from the first value to the last', () => {
    const next = aUser()
      .changeProfile({ username: 'ada_2' }, t1)
      .changeAccess({ role: 'moderator' }, 1, t1)
      .changeProfile({ username: 'ada_3' }, t1);
    expect(next.events).to.have.length(1);
    expect(next.events[0]!.changes).to.deep.equal({
      username: { from: 'ada', to: 'ada_3' },
      role: { from: 'user', to: 'moderator' },
    });
  });

  it('a password change records user.password_changed with no changes: never a hash', () => {
    const next = aUser().changePassword('$argon2id$new-hash', t1);
    expect(next.events.map((e) => e.action)).to.deep.equal(['user.password_changed']);
    expect(JSON.stringify(next.events)).to.not.contain('argon2');
    expect(JSON.stringify(userChanges(aUser(), next))).to.equal('{}');
  });

  it('a user without its events is otherwise the same user', () => {
    const next = aUser().changeProfile({ fullName: 'Other' }, t1);
    const clean = next.withoutEvents();
    expect(clean.events).to.deep.equal([]);
    expect({ ...clean }).to.deep.equal({ ...next });
  });

  it('an order status change records order.status_changed from and to', () => {
    const order = Order.restore({
      id: 3,
      userId: 7,
      status: 'pending',
      currency: 'EUR',
      items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }],
      totalCents: 1,
      createdAt: t0,
      updatedAt: t0,
      version: 1,
    });
    const paid = order.changeStatus('paid', t1);
    expect(paid.events).to.deep.equal([
      {
        action: 'order.status_changed',
        subjectType: 'order',
        subjectId: '3',
        changes: { status: { from: 'pending', to: 'paid' } },
      },
    ]);
    expect(paid.withoutEvents().events).to.deep.equal([]);
  });

  it('erasure empties the values of email, username and full name and keeps the rest', () => {
    expect(
      erasePersonalValues({
        email: { from: 'a***@x.io', to: 'b***@x.io' },
        username: { from: 'a', to: 'b' },
        role: { from: 'user', to: 'admin' },
      }),
    ).to.deep.equal({ email: {}, username: {}, role: { from: 'user', to: 'admin' } });
    expect(erasePersonalValues(null)).to.equal(null);
  });
});
