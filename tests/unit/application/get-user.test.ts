/**
 * GetUser answers a question about the caller from the account the request's authentication read
 * (`Caller.self`), and reads the read model for anyone else.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import type { Caller } from '../../../src/application/caller.js';
import type { UserReadModel } from '../../../src/application/ports/user-read-model.js';
import type { UserView } from '../../../src/application/ports/views.js';
import { GetUserHandler } from '../../../src/application/queries/get-user/get-user.handler.js';
import { GetUserQuery } from '../../../src/application/queries/get-user/get-user.query.js';
import type { Actor } from '../../../src/domain/user/role.js';
import { at } from '../../support/builders.js';

const view = (id: number, overrides: Partial<UserView> = {}): UserView => ({
  id,
  email: `u${id}@example.com`,
  username: `user${id}`,
  fullName: null,
  role: 'user',
  isActive: true,
  emailVerified: false,
  createdAt: at(1),
  updatedAt: at(2),
  version: 1,
  ...overrides,
});

/** A read model of fixed views that counts its reads. */
function readModel(views: readonly UserView[]): UserReadModel & { reads: number[] } {
  const reads: number[] = [];
  return {
    reads,
    async getById(id) {
      reads.push(id);
      return views.find((v) => v.id === id) ?? null;
    },
    list: () => Promise.reject(new Error('not used')),
    listAfter: () => Promise.reject(new Error('not used')),
  };
}

describe('GetUserHandler', () => {
  it('answers the caller about itself from the account its authentication read, without a read', async () => {
    const users = readModel([view(7, { fullName: 'stored' })]);
    const caller: Caller = { id: 7, role: 'user', self: view(7, { fullName: 'as authenticated' }) };
    const user = await new GetUserHandler(users).execute(new GetUserQuery(caller, 7));
    expect(user.fullName).to.equal('as authenticated');
    expect(users.reads).to.deep.equal([]);
  });

  it('reads anyone else, and the caller too when the actor carries no account', async () => {
    const users = readModel([view(7), view(8)]);
    const admin: Caller = { id: 7, role: 'admin', self: view(7, { role: 'admin' }) };
    expect((await new GetUserHandler(users).execute(new GetUserQuery(admin, 8))).id).to.equal(8);
    const bare: Actor = { id: 7, role: 'user' };
    expect((await new GetUserHandler(users).execute(new GetUserQuery(bare, 7))).id).to.equal(7);
    expect(users.reads).to.deep.equal([8, 7]);
  });

  it('never answers with an account that is not the one asked for', async () => {
    const users = readModel([view(7)]);
    const odd = { id: 7, role: 'user', self: view(9) } as Caller;
    expect((await new GetUserHandler(users).execute(new GetUserQuery(odd, 7))).id).to.equal(7);
    expect(users.reads).to.deep.equal([7]);
  });

  it('still refuses another user’s id to a plain user, before any read', async () => {
    const users = readModel([view(7), view(8)]);
    const caller: Caller = { id: 7, role: 'user', self: view(7) };
    let error: unknown;
    try {
      await new GetUserHandler(users).execute(new GetUserQuery(caller, 8));
    } catch (e) {
      error = e;
    }
    expect(error).to.have.property('kind', 'forbidden');
    expect(users.reads).to.deep.equal([]);
  });
});
