/**
 * A typed client from the generated types (tests/client/schema.d.ts) and openapi-fetch, against
 * the service on a real port. This file is compiled with the rest of the tests, so a change of
 * the document that breaks a client's calls breaks the build.
 */
import { expect } from 'chai';
import createClient from 'openapi-fetch';
import { ADMIN, PASSWORD } from '../support/api.js';
import { serveApi, type ServedApi } from '../support/served-api.js';
import type { components, paths } from './schema.js';

type User = components['schemas']['UserPage']['items'][number];

describe('Typed client (openapi-fetch on the generated types)', function () {
  this.timeout(60_000);
  let served: ServedApi;
  let token: string;

  before(async () => {
    served = await serveApi();
  });
  after(async () => served?.close());

  const client = () => createClient<paths>({ baseUrl: served.baseUrl });
  const signedIn = () =>
    createClient<paths>({ baseUrl: served.baseUrl, headers: { Authorization: `Bearer ${token}` } });

  it('signs in: POST /api/v1/auth/token', async () => {
    const { data, error, response } = await client().POST('/api/v1/auth/token', {
      body: { username: ADMIN.username, password: ADMIN.password },
    });
    expect(error, JSON.stringify(error)).to.equal(undefined);
    expect(response.status).to.equal(200);
    const tokenType: 'bearer' = data!.token_type;
    expect(tokenType).to.equal('bearer');
    expect(data!.expires_in).to.be.greaterThan(0);
    token = data!.access_token;
  });

  it('reads the caller: GET /api/v1/users/me', async () => {
    const { data, response } = await signedIn().GET('/api/v1/users/me');
    expect(response.status).to.equal(200);
    const me: User = data!;
    expect(me.username).to.equal(ADMIN.username);
    expect(me.role).to.equal('admin');
  });

  it('creates users: POST /api/v1/users', async () => {
    for (const username of ['typed_ada', 'typed_grace']) {
      const { data, response } = await signedIn().POST('/api/v1/users', {
        body: {
          email: `${username}@example.com`,
          username,
          password: PASSWORD,
          full_name: null,
          role: 'moderator',
        },
      });
      expect(response.status).to.equal(201);
      expect(response.headers.get('Location')).to.equal(`/api/v1/users/${data!.id}`);
      expect(data!.role).to.equal('moderator');
    }
  });

  it('pages a v2 list by cursor: GET /api/v2/users?limit=', async () => {
    const api = signedIn();
    const first = await api.GET('/api/v2/users', {
      params: { query: { limit: 2, sort: 'username' } },
    });
    expect(first.response.status).to.equal(200);
    expect(first.data!.items.map((u) => u.username)).to.deep.equal(['root', 'typed_ada']);
    const cursor = first.data!.next_cursor;
    expect(cursor).to.be.a('string');

    const second = await api.GET('/api/v2/users', {
      params: { query: { limit: 2, sort: 'username', cursor: cursor! } },
    });
    expect(second.data!.items.map((u) => u.username)).to.deep.equal(['typed_grace']);
    expect(second.data!.next_cursor).to.equal(null);
  });

  it('types the errors of each version: a v2 404 is a problem', async () => {
    const { error, response } = await signedIn().GET('/api/v2/users/{id}', {
      params: { path: { id: 999_999 } },
    });
    expect(response.status).to.equal(404);
    expect(response.headers.get('Content-Type')).to.match(/^application\/problem\+json/);
    const problem: components['schemas']['Problem'] = error!;
    expect(problem).to.include({
      status: 404,
      type: '/problems/not-found',
      instance: '/api/v2/users/999999',
    });
  });
});

/** Never run: compiled only, to prove the types refuse what the API refuses. */
// biome-ignore lint/suspicious/noExportsInTest: exported so the compiler keeps it, never called
export function refusedByTheCompiler(api: ReturnType<typeof createClient<paths>>): void {
  // @ts-expect-error limit is a number
  void api.GET('/api/v2/users', { params: { query: { limit: 'ten' } } });
  // @ts-expect-error there is no such path
  void api.GET('/api/v1/no-such-path');
  // @ts-expect-error sign-in needs a password
  void api.POST('/api/v1/auth/token', { body: { username: 'ada' } });
}
