/**
 * Sessions over HTTP: refresh tokens with rotation and reuse detection, logout, password change,
 * the sign-in lockout (in memory and shared through Redis) and a rotated signing key.
 */
import { expect } from 'chai';
import { InspectFooter } from 'paseto';
import type supertest from 'supertest';
import { generateTokenKeyPair } from '../../../src/adapters/security/paserk-keys.js';
import {
  ADMIN,
  PASSWORD,
  bearer,
  startApi,
  type ConfigOverrides,
  type TestApi,
} from '../../support/api.js';
import { useApi, useTwoApisOnRedis, type OpenStore } from './harness.js';

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const NEW_PASSWORD = 'Changed1Passw0rd';
const TWO_WEEKS_S = 1_209_600;

type Response = supertest.Response;

const signIn = (
  api: TestApi,
  username: string,
  password = PASSWORD,
  headers: Record<string, string> = {},
): Promise<Response> =>
  api.http.post('/api/v1/auth/token').set(headers).send({ username, password });
const refresh = (api: TestApi, refreshToken: string): Promise<Response> =>
  api.http.post('/api/v1/auth/refresh').send({ refresh_token: refreshToken });
const logout = (api: TestApi, refreshToken: string): Promise<Response> =>
  api.http.post('/api/v1/auth/logout').send({ refresh_token: refreshToken });
const me = (api: TestApi, accessToken: string): Promise<Response> =>
  api.http.get('/api/v1/users/me').set(bearer(accessToken));
const changePassword = (
  api: TestApi,
  accessToken: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Response> =>
  api.http.post('/api/v1/users/me/password').set(bearer(accessToken)).set(headers).send(body);

interface Pair {
  readonly access: string;
  readonly refresh: string;
}

async function session(api: TestApi, username: string, password = PASSWORD): Promise<Pair> {
  const res = await signIn(api, username, password);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return { access: res.body.access_token, refresh: res.body.refresh_token };
}

const pairOf = (res: Response): Pair => ({
  access: res.body.access_token,
  refresh: res.body.refresh_token,
});

function expectRevoked(res: Response, message = 'Token has been revoked'): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(401);
  expect(res.body).to.include({ error: 'UnauthorizedError', message });
  expect(res.headers['www-authenticate']).to.equal('Bearer error="invalid_token"');
}

/** A config with one signing key, so that two instances accept each other's tokens. */
async function sharedKey(kid = 'shared'): Promise<ConfigOverrides & object> {
  const pair = await generateTokenKeyPair();
  return { tokens: { signingKey: pair.secret, keyId: kid } };
}

const kidOf = (token: string): string =>
  (JSON.parse(new TextDecoder().decode(InspectFooter(token))) as { kid: string }).kid;

export function sessionsSuite(open: OpenStore): void {
  describe('refresh tokens', () => {
    const ctx = useApi(open);

    it('sign-in starts a session: an opaque refresh token beside the access token, never cached', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const res = await signIn(api, user.username);
      expect(res.status).to.equal(200);
      expect(res.body).to.have.all.keys(
        'access_token',
        'token_type',
        'expires_in',
        'refresh_token',
        'refresh_expires_in',
      );
      expect(res.body).to.include({
        token_type: 'bearer',
        expires_in: 1800,
        refresh_expires_in: TWO_WEEKS_S,
      });
      expect(res.body.refresh_token).to.match(REFRESH_TOKEN);
      expect(res.headers['cache-control']).to.equal('no-store');
    });

    it('refresh spends the token and returns a new pair of the same session, which keeps its end', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const first = await session(api, user.username);
      api.clock.advance(3_600_000);
      const res = await refresh(api, first.refresh);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(res.body).to.include({
        token_type: 'bearer',
        expires_in: 1800,
        refresh_expires_in: TWO_WEEKS_S - 3600,
      });
      const second = pairOf(res);
      expect(second.refresh).to.match(REFRESH_TOKEN).and.not.equal(first.refresh);
      expect((await me(api, second.access)).body.id).to.equal(user.id);
      const third = await refresh(api, second.refresh);
      expect(third.status).to.equal(200);
      expect((await me(api, third.body.access_token)).status).to.equal(200);
    });

    it('reuse of a spent refresh token is 401 and revokes the whole session, nothing else', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const stolen = await session(api, user.username);
      const other = await session(api, user.username);
      const rotated = pairOf(await refresh(api, stolen.refresh));

      const reuse = await refresh(api, stolen.refresh);
      expect(reuse.status).to.equal(401);
      expect(reuse.body).to.include({
        error: 'UnauthorizedError',
        message: 'Refresh token was already used: the session has been revoked',
      });
      expect(api.logger.find('refresh_reuse_detected')).to.have.length.greaterThan(0);

      expect((await refresh(api, rotated.refresh)).status, 'the current refresh token').to.equal(
        401,
      );
      expectRevoked(await me(api, rotated.access));
      expectRevoked(await me(api, stolen.access));
      expect((await me(api, other.access)).status, 'another session of the user').to.equal(200);
      expect((await refresh(api, other.refresh)).status).to.equal(200);
    });

    it('of concurrent refreshes with one token, exactly one succeeds', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const { refresh: token } = await session(api, user.username);
      const results = await Promise.all(Array.from({ length: 5 }, () => refresh(api, token)));
      expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401, 401, 401, 401]);
    });

    it('401 for an unknown or malformed refresh token; 422 without one', async () => {
      const api = ctx.get();
      for (const token of ['A'.repeat(43), 'not a token', 'x']) {
        const res = await refresh(api, token);
        expect(res.status, token).to.equal(401);
        expect(res.body.message).to.equal('Invalid refresh token');
      }
      const missing = await api.http.post('/api/v1/auth/refresh').send({});
      expect(missing.status).to.equal(422);
      expect(missing.body.details).to.deep.equal([
        { field: 'refresh_token', message: 'Field required' },
      ]);
    });

    it('an access token is not a refresh token, nor the other way round', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const pair = await session(api, user.username);
      expect((await refresh(api, pair.access)).status).to.equal(401);
      expect((await me(api, pair.refresh)).status).to.equal(401);
    });

    it('never logs refresh tokens, nor access tokens, even when one is reused', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      api.logger.clear();
      const first = await session(api, user.username);
      const second = pairOf(await refresh(api, first.refresh));
      await refresh(api, first.refresh);
      await logout(api, second.refresh);
      const everything = JSON.stringify(api.logger.entries);
      expect(api.logger.entries.length).to.be.greaterThan(3);
      for (const secret of [first.refresh, first.access, second.refresh, second.access])
        expect(everything).to.not.contain(secret);
    });

    it('a deactivated account cannot refresh (403); a deleted one’s refresh token is unknown (401)', async () => {
      const api = ctx.get();
      const admin = await api.adminToken();
      const [inactive, deleted] = [await api.createUser(), await api.createUser()];
      const inactivePair = await session(api, inactive.username);
      const deletedPair = await session(api, deleted.username);
      expect(
        (
          await api.http
            .patch(`/api/v1/users/${inactive.id}`)
            .set(bearer(admin))
            .send({ is_active: false })
        ).status,
      ).to.equal(200);
      const refused = await refresh(api, inactivePair.refresh);
      expect(refused.status).to.equal(403);
      expect(refused.body.message).to.equal('User account is inactive');
      await api.http
        .patch(`/api/v1/users/${inactive.id}`)
        .set(bearer(admin))
        .send({ is_active: true });
      const revived = await refresh(api, inactivePair.refresh);
      expect(revived.status, 'active again: the deactivation ended the session for good').to.equal(
        401,
      );
      expect(revived.body.message).to.equal('Session has been revoked');

      expect(
        (await api.http.delete(`/api/v1/users/${deleted.id}`).set(bearer(admin))).status,
      ).to.equal(204);
      const gone = await refresh(api, deletedPair.refresh);
      expect(gone.status).to.equal(401);
      expect(gone.body.message).to.equal('Invalid refresh token');
    });
  });

  describe('the end of a session', () => {
    // Moves the clock by weeks: a block of its own, so no other test sees it.
    const ctx = useApi(open);

    it('ends at the absolute expiry: access tokens are cut to it, and refresh then fails', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const pair = await session(api, user.username);
      api.clock.advance((TWO_WEEKS_S - 600) * 1000);
      const late = await refresh(api, pair.refresh);
      expect(late.status).to.equal(200);
      expect(late.body).to.include({ expires_in: 600, refresh_expires_in: 600 });
      const lastAccess = late.body.access_token as string;
      expect((await me(api, lastAccess)).status).to.equal(200);
      api.clock.advance(601_000);
      const expired = await refresh(api, late.body.refresh_token);
      expect(expired.status).to.equal(401);
      expect(expired.body.message).to.equal('Refresh token has expired');
      const access = await me(api, lastAccess);
      expect(access.status).to.equal(401);
      expect(access.body.message).to.equal('Token has expired');
    });
  });

  describe('POST /auth/logout', () => {
    const ctx = useApi(open);

    it('204: the session’s access token stops working on the very next request, its refresh token too', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const pair = await session(api, user.username);
      const other = await session(api, user.username);
      expect((await me(api, pair.access)).status).to.equal(200);
      const res = await logout(api, pair.refresh);
      expect(res.status).to.equal(204);
      expect(res.text).to.equal('');
      expectRevoked(await me(api, pair.access));
      expect((await refresh(api, pair.refresh)).status).to.equal(401);
      expect((await me(api, other.access)).status, 'the user’s other session').to.equal(200);
    });

    it('is idempotent: again, with a spent token of the session, or with an unknown token, 204', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const first = await session(api, user.username);
      const second = pairOf(await refresh(api, first.refresh));
      expect(
        (await logout(api, first.refresh)).status,
        'a spent token ends its session too',
      ).to.equal(204);
      expectRevoked(await me(api, second.access));
      expect((await logout(api, second.refresh)).status).to.equal(204);
      expect((await logout(api, second.refresh)).status).to.equal(204);
      expect((await logout(api, 'B'.repeat(43))).status).to.equal(204);
      expect((await logout(api, 'not even the shape')).status).to.equal(204);
    });

    it('needs only the refresh token: an Authorization header is neither required nor checked', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const pair = await session(api, user.username);
      const res = await api.http
        .post('/api/v1/auth/logout')
        .set('Authorization', 'Bearer garbage')
        .send({ refresh_token: pair.refresh });
      expect(res.status).to.equal(204);
      expectRevoked(await me(api, pair.access));
    });

    it('422 without a refresh token', async () => {
      const res = await ctx.get().http.post('/api/v1/auth/logout').send({ token: 'x' });
      expect(res.status).to.equal(422);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).to.deep.equal([
        'refresh_token',
        'token',
      ]);
    });

    it('bites on every instance: logged out on one, refused on the other', async () => {
      const api = ctx.get();
      const keys = await sharedKey();
      const [a, b] = [
        await startApi(api.service.persistence, keys),
        await startApi(api.service.persistence, keys),
      ];
      try {
        const user = await a.createUser();
        b.clock.set(a.clock.now());
        const pair = await session(a, user.username);
        expect((await me(b, pair.access)).status).to.equal(200);
        expect((await logout(b, pair.refresh)).status).to.equal(204);
        expectRevoked(await me(a, pair.access));
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  describe('POST /users/me/password', () => {
    const ctx = useApi(open);

    it('204, and every session and access token of the user from before is dead, the caller’s own included', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const caller = await session(api, user.username);
      const elsewhere = await session(api, user.username);
      const res = await changePassword(api, caller.access, {
        current_password: PASSWORD,
        new_password: NEW_PASSWORD,
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(204);
      for (const pair of [caller, elsewhere]) {
        expectRevoked(await me(api, pair.access));
        expect((await refresh(api, pair.refresh)).status).to.equal(401);
      }
      expect((await me(api, user.token)).status, 'the token from sign-up').to.equal(401);
      expect((await signIn(api, user.username)).status, 'the old password').to.equal(401);
      const fresh = await session(api, user.username, NEW_PASSWORD);
      expect((await me(api, fresh.access)).status, 'signed in again, at the same instant').to.equal(
        200,
      );
      expect((await refresh(api, fresh.refresh)).status).to.equal(200);
    });

    it('400 for a wrong current password, and nothing changes', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const res = await changePassword(api, user.token, {
        current_password: 'Wrong1Password',
        new_password: NEW_PASSWORD,
      });
      expect(res.status).to.equal(400);
      expect(res.body).to.include({
        error: 'BadRequestError',
        message: 'Current password is incorrect',
      });
      expect((await me(api, user.token)).status).to.equal(200);
      expect((await signIn(api, user.username)).status).to.equal(200);
    });

    it('422 for a weak new password, naming the rule, before the current password is looked at', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      for (const current of [PASSWORD, 'Wrong1Password']) {
        const res = await changePassword(api, user.token, {
          current_password: current,
          new_password: 'weakpass',
        });
        expect(res.status).to.equal(422);
        expect(res.body.details).to.deep.equal([
          {
            field: 'new_password',
            message: 'Password must contain at least one upper-case letter, one digit',
          },
        ]);
      }
      const missing = await changePassword(api, user.token, {
        new_password: NEW_PASSWORD,
        role: 'admin',
      });
      expect(missing.status).to.equal(422);
      expect(missing.body.details.map((d: { field: string }) => d.field).sort()).to.deep.equal([
        'current_password',
        'role',
      ]);
      expect((await me(api, user.token)).status).to.equal(200);
    });

    it('401 without a token, before the body is read', async () => {
      const res = await ctx
        .get()
        .http.post('/api/v1/users/me/password')
        .send({ current_password: 'x' });
      expect(res.status).to.equal(401);
    });
  });

  describe('sign-in lockout', () => {
    const ctx = useApi(open, { login: { maxFailures: 3, lockS: 1 }, server: { trustProxy: true } });
    let address = 0;
    const from = () => ({ 'X-Forwarded-For': `198.51.100.${++address}` });

    it('after LOGIN_MAX_FAILURES wrong passwords, 429 with Retry-After even with the right password', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const where = from();
      for (let i = 0; i < 3; i += 1)
        expect((await signIn(api, user.username, 'Wrong1Password', where)).status).to.equal(401);
      const locked = await signIn(api, user.username, PASSWORD, where);
      expect(locked.status).to.equal(429);
      expect(locked.headers['retry-after']).to.equal('1');
      expect(locked.body).to.include({
        error: 'RateLimitError',
        message: 'Too many failed sign-in attempts. Try again later.',
      });
      expect((await signIn(api, user.username, 'Wrong1Password', where)).status).to.equal(429);
    });

    it('counts one account from one address: other addresses and other accounts go on', async () => {
      const api = ctx.get();
      const [user, neighbour] = [await api.createUser(), await api.createUser()];
      const where = from();
      for (let i = 0; i < 3; i += 1) await signIn(api, user.username, 'Wrong1Password', where);
      expect((await signIn(api, user.username, PASSWORD, where)).status).to.equal(429);
      expect(
        (await signIn(api, user.username.toUpperCase(), PASSWORD, where)).status,
        'the login regardless of case',
      ).to.equal(429);
      expect(
        (await signIn(api, user.username, PASSWORD, from())).status,
        'another address',
      ).to.equal(200);
      expect(
        (await signIn(api, neighbour.username, PASSWORD, where)).status,
        'another account',
      ).to.equal(200);
    });

    it('a success resets the count', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const where = from();
      for (let round = 0; round < 3; round += 1) {
        for (let i = 0; i < 2; i += 1)
          expect((await signIn(api, user.username, 'Wrong1Password', where)).status).to.equal(401);
        expect((await signIn(api, user.username, PASSWORD, where)).status).to.equal(200);
      }
    });

    it('unknown logins are locked the same way, with the same answers', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const where = from();
      const answers = async (login: string) => {
        const statuses = [];
        for (let i = 0; i < 4; i += 1) {
          const res = await signIn(api, login, 'Wrong1Password', where);
          statuses.push([res.status, res.body.message, res.headers['retry-after']]);
        }
        return statuses;
      };
      const known = await answers(user.username);
      expect(await answers(`nobody_${user.username}`)).to.deep.equal(known);
      expect(known.map(([status]) => status)).to.deep.equal([401, 401, 401, 429]);
    });

    it('ends after LOGIN_LOCK_S', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const where = from();
      for (let i = 0; i < 3; i += 1) await signIn(api, user.username, 'Wrong1Password', where);
      expect((await signIn(api, user.username, PASSWORD, where)).status).to.equal(429);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await signIn(api, user.username, PASSWORD, where)).status).to.equal(200);
    });

    it('wrong current passwords at /users/me/password count against the same lock', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const where = from();
      const wrong = { current_password: 'Wrong1Password', new_password: NEW_PASSWORD };
      for (let i = 0; i < 3; i += 1)
        expect((await changePassword(api, user.token, wrong, where)).status).to.equal(400);
      const locked = await changePassword(
        api,
        user.token,
        { current_password: PASSWORD, new_password: NEW_PASSWORD },
        where,
      );
      expect(locked.status).to.equal(429);
      expect(locked.headers['retry-after']).to.equal('1');
      expect(
        (await signIn(api, user.username, PASSWORD, where)).status,
        'sign-in from there too',
      ).to.equal(429);
    });
  });

  describe('sign-in lockout with REDIS_URL', () => {
    const apis = useTwoApisOnRedis(open, 'sign-in lockout with REDIS_URL', async () => ({
      ...(await sharedKey()),
      login: { maxFailures: 2, lockS: 30 },
    }));

    it('is shared by instances: failures on one lock the login on the other', async () => {
      const [a, b] = apis.get();
      const user = await a.createUser();
      expect((await signIn(a, user.username, 'Wrong1Password')).status).to.equal(401);
      expect((await signIn(b, user.username, 'Wrong1Password')).status).to.equal(401);
      const locked = await signIn(a, user.username, PASSWORD);
      expect(locked.status).to.equal(429);
      expect(locked.headers['retry-after']).to.equal('30');
      expect((await signIn(b, user.username, PASSWORD)).status).to.equal(429);
    });

    it('a success on one instance resets the count on the other', async () => {
      const [a, b] = apis.get();
      const user = await a.createUser();
      await signIn(a, user.username, 'Wrong1Password');
      expect((await signIn(b, user.username, PASSWORD)).status).to.equal(200);
      await signIn(a, user.username, 'Wrong1Password');
      expect((await signIn(b, user.username, PASSWORD)).status).to.equal(200);
    });
  });

  describe('sign-in lockout when Redis cannot be reached', () => {
    const ctx = useApi(open, {
      login: { maxFailures: 2, lockS: 30 },
      redis: { url: 'redis://127.0.0.1:1' },
    });

    it('falls back to memory: sign-in works, locks still bite, never a 500', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      expect((await signIn(api, user.username, 'Wrong1Password')).status).to.equal(401);
      expect((await signIn(api, user.username, 'Wrong1Password')).status).to.equal(401);
      const locked = await signIn(api, user.username, PASSWORD);
      expect(locked.status).to.equal(429);
      expect(locked.headers['retry-after']).to.equal('30');
    });
  });

  describe('a rotated signing key', () => {
    const ctx = useApi(open);

    it('tokens of a retired key verify while it is in TOKEN_VERIFY_KEYS, and not once it is gone', async () => {
      const api = ctx.get();
      const [oldKey, newKey] = [await generateTokenKeyPair(), await generateTokenKeyPair()];
      const store = api.service.persistence;
      const before = await startApi(store, { tokens: { signingKey: oldKey.secret, keyId: 'old' } });
      const during = await startApi(store, {
        tokens: {
          signingKey: newKey.secret,
          keyId: 'new',
          verifyKeys: [{ kid: 'old', public: oldKey.public }],
        },
      });
      const after = await startApi(store, { tokens: { signingKey: newKey.secret, keyId: 'new' } });
      try {
        const user = await before.createUser();
        for (const other of [during, after]) other.clock.set(before.clock.now());
        const pair = await session(before, user.username);
        expect(kidOf(pair.access)).to.equal('old');

        expect((await me(during, pair.access)).status, 'the old key is still listed').to.equal(200);
        // The refresh token is opaque and stored: it does not depend on the signing key.
        const rotated = await refresh(during, pair.refresh);
        expect(rotated.status).to.equal(200);
        expect(kidOf(rotated.body.access_token)).to.equal('new');
        expect((await me(during, rotated.body.access_token)).status).to.equal(200);

        const refused = await me(after, pair.access);
        expect(refused.status, 'the old key is gone').to.equal(401);
        expect(refused.body.message).to.equal('Invalid token');
        expect((await me(after, rotated.body.access_token)).status).to.equal(200);
        expect((await refresh(after, rotated.body.refresh_token)).status).to.equal(200);
      } finally {
        await Promise.all([before.close(), during.close(), after.close()]);
      }
    });
  });

  describe('the admin from ADMIN_* and sessions', () => {
    const ctx = useApi(open);

    it('signs in, refreshes and logs out like anyone', async () => {
      const api = ctx.get();
      const pair = await session(api, ADMIN.username, ADMIN.password);
      const next = pairOf(await refresh(api, pair.refresh));
      expect((await api.http.get('/api/v1/users').set(bearer(next.access))).status).to.equal(200);
      expect((await logout(api, next.refresh)).status).to.equal(204);
      expectRevoked(await api.http.get('/api/v1/users').set(bearer(next.access)));
    });
  });
}
