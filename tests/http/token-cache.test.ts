/**
 * The service remembers verified access tokens (CachingTokenVerifier), and none of the rules
 * about ended sessions and accounts may depend on whether a token is remembered: each case below
 * uses a token first, so that it is in the cache, then ends what it stands for.
 */
import { expect } from 'chai';
import { createInMemoryPersistence } from '../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import type { Persistence } from '../../src/adapters/persistence/persistence.js';
import { CachingTokenVerifier } from '../../src/adapters/security/caching-token-verifier.js';
import { TOKEN_VERIFIER } from '../../src/application/ports/tokens.js';
import { bearer, PASSWORD, startApi, type TestApi } from '../support/api.js';

describe('HTTP: a remembered access token still ends with its session and its account', () => {
  let store: Persistence;
  let api: TestApi;

  beforeEach(async () => {
    store = createInMemoryPersistence();
    api = await startApi(store);
  });

  afterEach(async () => {
    await api.close();
    await store.close();
  });

  const signIn = async (username: string, password = PASSWORD) => {
    const res = await api.http.post('/api/v1/auth/token').send({ username, password });
    expect(res.status).to.equal(200);
    return res.body as { access_token: string; refresh_token: string };
  };

  /** Uses the token twice, so that the second use is answered from the cache. */
  const useTwice = async (token: string) => {
    for (let i = 0; i < 2; i++)
      expect((await api.http.get('/api/v1/users/me').set(bearer(token))).status).to.equal(200);
  };

  const verifier = () => api.service.container.resolve(TOKEN_VERIFIER) as CachingTokenVerifier;

  it('is what the service verifies tokens with', async () => {
    expect(verifier()).to.be.instanceOf(CachingTokenVerifier);
    const user = await api.createUser();
    const before = verifier().size;
    await useTwice(user.token);
    expect(verifier().size).to.equal(before + 1);
  });

  it('refuses a remembered token once its session is logged out', async () => {
    const user = await api.createUser();
    const pair = await signIn(user.username);
    await useTwice(pair.access_token);
    expect(
      (await api.http.post('/api/v1/auth/logout').send({ refresh_token: pair.refresh_token }))
        .status,
    ).to.equal(204);
    const res = await api.http.get('/api/v1/users/me').set(bearer(pair.access_token));
    expect(res.status).to.equal(401);
    expect(res.body.message).to.equal('Token has been revoked');
  });

  it('refuses a remembered token once its user is deleted', async () => {
    const user = await api.createUser();
    await useTwice(user.token);
    expect(
      (await api.http.delete(`/api/v1/users/${user.id}`).set(bearer(await api.adminToken())))
        .status,
    ).to.equal(204);
    const res = await api.http.get('/api/v1/users/me').set(bearer(user.token));
    expect(res.status).to.equal(401);
    expect(res.body.message).to.equal('User no longer exists');
  });

  it('refuses a remembered token once its account is deactivated, and takes a demotion at once', async () => {
    const mod = await api.createUser({ role: 'moderator' });
    await useTwice(mod.token);
    expect((await api.http.get('/api/v1/users').set(bearer(mod.token))).status).to.equal(200);
    const admin = bearer(await api.adminToken());
    expect(
      (await api.http.patch(`/api/v1/users/${mod.id}`).set(admin).send({ role: 'user' })).status,
    ).to.equal(200);
    expect((await api.http.get('/api/v1/users').set(bearer(mod.token))).status).to.equal(403);
    expect(
      (await api.http.patch(`/api/v1/users/${mod.id}`).set(admin).send({ is_active: false }))
        .status,
    ).to.equal(200);
    const res = await api.http.get('/api/v1/users/me').set(bearer(mod.token));
    expect(res.status).to.equal(403);
    expect(res.body.message).to.equal('User account is inactive');
  });

  it('refuses a remembered token after a password change', async () => {
    const user = await api.createUser();
    await useTwice(user.token);
    const changed = await api.http
      .post('/api/v1/users/me/password')
      .set(bearer(user.token))
      .send({ current_password: PASSWORD, new_password: 'N3w-passw0rd-ok' });
    expect(changed.status).to.equal(204);
    expect((await api.http.get('/api/v1/users/me').set(bearer(user.token))).status).to.equal(401);
  });

  it('refuses a remembered token once it expires', async () => {
    const user = await api.createUser();
    await useTwice(user.token);
    api.clock.advance(api.config.tokens.accessTtlS * 1000 + 1);
    const res = await api.http.get('/api/v1/users/me').set(bearer(user.token));
    expect(res.status).to.equal(401);
    expect(res.body.message).to.equal('Token has expired');
  });
});
