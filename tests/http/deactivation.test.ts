/**
 * Deactivating an account ends every session of it, whoever deactivates it (an admin, a moderator),
 * and reactivating it starts none: the old access and refresh tokens stay dead. On every store.
 */
import { expect } from 'chai';
import { bearer, PASSWORD, type TestApi } from '../support/api.js';
import { describeStorages } from '../support/storage.js';
import { useApi } from './suites/harness.js';

async function signIn(
  api: TestApi,
  username: string,
): Promise<{ access: string; refresh: string }> {
  const res = await api.http.post('/api/v1/auth/token').send({ username, password: PASSWORD });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return { access: res.body.access_token, refresh: res.body.refresh_token };
}

const setActive = (api: TestApi, token: string, id: number, isActive: boolean) =>
  api.http.patch(`/api/v1/users/${id}`).set(bearer(token)).send({ is_active: isActive });

describeStorages('deactivation ends sessions', (target) => {
  const ctx = useApi(() => target.open());

  for (const by of ['admin', 'moderator'] as const) {
    it(`a deactivation by ${by === 'admin' ? 'an admin' : 'a moderator'} revokes every session; reactivation revives none`, async () => {
      const api = ctx.get();
      const actor =
        by === 'admin'
          ? await api.adminToken()
          : (await api.createUser({ role: 'moderator' })).token;
      const user = await api.createUser();
      const sessions = [await signIn(api, user.username), await signIn(api, user.username)];

      const off = await setActive(api, actor, user.id, false);
      expect(off.status, JSON.stringify(off.body)).to.equal(200);
      const on = await setActive(api, await api.adminToken(), user.id, true);
      expect(on.status, JSON.stringify(on.body)).to.equal(200);
      expect(on.body.is_active).to.equal(true);

      for (const session of [...sessions, { access: user.token, refresh: null }]) {
        const me = await api.http.get('/api/v1/users/me').set(bearer(session.access));
        expect(me.status, 'an access token from before the deactivation').to.equal(401);
        expect(me.body.message).to.equal('Token has been revoked');
        if (session.refresh === null) continue;
        const refreshed = await api.http
          .post('/api/v1/auth/refresh')
          .send({ refresh_token: session.refresh });
        expect(refreshed.status, 'a refresh token from before the deactivation').to.equal(401);
      }
      // Signing in again works and starts a new session.
      const fresh = await signIn(api, user.username);
      expect((await api.http.get('/api/v1/users/me').set(bearer(fresh.access))).status).to.equal(
        200,
      );
    });
  }

  it('a PATCH that leaves an account active ends no session', async () => {
    const api = ctx.get();
    const admin = await api.adminToken();
    const user = await api.createUser();
    const kept = await signIn(api, user.username);
    expect((await setActive(api, admin, user.id, true)).status).to.equal(200);
    expect(
      (
        await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(admin))
          .send({ full_name: 'Still Here' })
      ).status,
    ).to.equal(200);
    expect((await api.http.get('/api/v1/users/me').set(bearer(kept.access))).status).to.equal(200);
    const refreshed = await api.http
      .post('/api/v1/auth/refresh')
      .send({ refresh_token: kept.refresh });
    expect(refreshed.status).to.equal(200);
  });
});
