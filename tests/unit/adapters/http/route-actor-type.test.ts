import { expect } from 'chai';
import { defineRoute } from '../../../../src/adapters/http/kit/route.js';
import type { Actor } from '../../../../src/domain/user/role.js';

// The checks here are made by the compiler: the build fails when a route's `auth` stops typing its handler's `actor`.
const needsActor = (actor: Actor): number => actor.id;
const base = {
  method: 'GET',
  path: '/x',
  tag: 't',
  summary: 's',
  success: { status: 200, description: 'ok' },
} as const;

describe('route declaration: the auth option types the actor', () => {
  it('gives a non-null actor where a token is required, a nullable one elsewhere', () => {
    const required = defineRoute({
      ...base,
      auth: 'required',
      handle: async ({ actor }) => ({ status: 200, body: needsActor(actor) }),
    });
    const optional = defineRoute({
      ...base,
      auth: 'optional',
      // @ts-expect-error an optional token leaves the actor nullable
      handle: async ({ actor }) => ({ status: 200, body: needsActor(actor) }),
    });
    const open = defineRoute({
      ...base,
      auth: 'public',
      handle: async ({ actor }) => {
        const none: null = actor;
        return { status: 200, body: none };
      },
    });
    expect([required.auth, optional.auth, open.auth]).to.deep.equal([
      'required',
      'optional',
      'public',
    ]);
  });
});
