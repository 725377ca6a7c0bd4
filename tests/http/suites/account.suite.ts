/**
 * A user's own account over HTTP: sessions per device (list, end one, an admin's list and end-all),
 * deactivation and erasure confirmed by the password, the export, and the published token keys.
 */
import { expect } from 'chai';
import { InspectFooter, PublicProtocol } from 'paseto';
import { ImportPublicKeyFactory, VerifyFactory } from 'paseto/v4/public';
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
import { useApi, type OpenStore } from './harness.js';

type Response = supertest.Response;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148';
const WRONG = 'Wrong1Password';

interface Device {
  readonly userAgent?: string;
  readonly ip?: string;
}

interface Pair {
  readonly access: string;
  readonly refresh: string;
}

const headersOf = ({ userAgent, ip }: Device): Record<string, string> => ({
  ...(userAgent === undefined ? {} : { 'User-Agent': userAgent }),
  ...(ip === undefined ? {} : { 'X-Forwarded-For': ip }),
});

/** A sign-in a second after whatever came before, so that sessions sort by their start. */
async function signIn(api: TestApi, username: string, device: Device = {}): Promise<Pair> {
  api.clock.advance(1000);
  const res = await api.http
    .post('/api/v1/auth/token')
    .set(headersOf(device))
    .send({ username, password: PASSWORD });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return { access: res.body.access_token, refresh: res.body.refresh_token };
}

const listOwn = (api: TestApi, access: string): Promise<Response> =>
  api.http.get('/api/v1/users/me/sessions').set(bearer(access));
const endOwn = (api: TestApi, access: string, id: string): Promise<Response> =>
  api.http.delete(`/api/v1/users/me/sessions/${id}`).set(bearer(access));
const me = (api: TestApi, access: string): Promise<Response> =>
  api.http.get('/api/v1/users/me').set(bearer(access));
const refresh = (api: TestApi, token: string, device: Device = {}): Promise<Response> =>
  api.http.post('/api/v1/auth/refresh').set(headersOf(device)).send({ refresh_token: token });
const confirm = (
  api: TestApi,
  method: 'post' | 'delete',
  path: string,
  access: string,
  body: unknown,
  device: Device = {},
): Promise<Response> =>
  api.http[method](`/api/v1${path}`)
    .set(bearer(access))
    .set(headersOf(device))
    .send(body as object);

/** The id of the session an access token belongs to, as the list shows it. */
async function currentId(api: TestApi, access: string): Promise<string> {
  const res = await listOwn(api, access);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  const current = (res.body.items as { id: string; current: boolean }[]).filter((s) => s.current);
  expect(current).to.have.length(1);
  return current[0]!.id;
}

function expectStatus(res: Response, status: number, error?: string): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  if (error !== undefined) expect(res.body.error).to.equal(error);
}

interface AuditRow {
  readonly action: string;
  readonly actor_id: number | null;
  readonly subject_id: number | string | null;
  readonly request_id: string | null;
  readonly changes: Record<string, unknown> | null;
}

/** The audit events matching the query, through the admin list. */
async function auditEvents(
  api: TestApi,
  query: Record<string, string | number>,
): Promise<AuditRow[]> {
  const res = await api.http
    .get('/api/v1/audit-events')
    .query({ page_size: 100, ...query })
    .set(bearer(await api.adminToken()));
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body.items as AuditRow[];
}

/** The session id a token carries (its `sid`), read without the service: it may have ended. */
function sidOf(access: string): string {
  const payload = Buffer.from(access.split('.')[2]!, 'base64url');
  return (JSON.parse(payload.subarray(0, -64).toString('utf8')) as { sid: string }).sid;
}

/** The service believes X-Forwarded-For, so each test picks the address its requests come from. */
const BEHIND_PROXY: ConfigOverrides = { server: { trustProxy: true } };

export function accountSuite(open: OpenStore): void {
  describe('sessions per device', () => {
    const ctx = useApi(open, BEHIND_PROXY);

    it('lists the caller’s live sessions newest first, each with its sign-in’s device, the current one marked', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const laptop = await signIn(api, user.username, { userAgent: FIREFOX, ip: '203.0.113.7' });
      api.clock.advance(59_000);
      const phone = await signIn(api, user.username, { userAgent: PHONE, ip: '2001:db8::7' });
      const res = await listOwn(api, phone.access);
      expectStatus(res, 200);
      expect(res.headers['cache-control']).to.equal('no-store');
      const [first, second] = res.body.items;
      expect(res.body.items).to.have.length(3); // createUser signed in once too
      expect(first).to.have.all.keys(
        'id',
        'created_at',
        'expires_at',
        'last_used_at',
        'user_agent',
        'ip',
        'current',
      );
      expect(first).to.include({ user_agent: PHONE, ip: '2001:db8::7', current: true });
      expect(second).to.include({ user_agent: FIREFOX, ip: '203.0.113.7', current: false });
      expect(first.id).to.match(UUID);
      expect(first.last_used_at).to.equal(first.created_at);
      expect(Date.parse(first.created_at) - Date.parse(second.created_at)).to.equal(60_000);
      expect(Date.parse(first.expires_at) - Date.parse(first.created_at)).to.equal(
        api.config.tokens.refreshTtlS * 1000,
      );
      expect(await currentId(api, laptop.access)).to.equal(second.id);
    });

    it('a refresh moves last_used_at, user agent and address to its own; the session keeps its start and id', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const first = await signIn(api, user.username, { userAgent: FIREFOX, ip: '203.0.113.7' });
      const id = await currentId(api, first.access);
      api.clock.advance(3_600_000);
      const res = await refresh(api, first.refresh, { userAgent: PHONE, ip: '198.51.100.9' });
      expectStatus(res, 200);
      const listed = (await listOwn(api, res.body.access_token)).body.items.find(
        (s: { id: string }) => s.id === id,
      );
      expect(listed).to.include({ user_agent: PHONE, ip: '198.51.100.9', current: true });
      expect(Date.parse(listed.last_used_at) - Date.parse(listed.created_at)).to.equal(3_600_000);
    });

    it('keeps 256 characters of a long user agent, and null when none was sent', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const long = `${FIREFOX} ${'x'.repeat(400)}`;
      const pair = await signIn(api, user.username, { userAgent: long });
      const [listed] = (await listOwn(api, pair.access)).body.items;
      expect(listed.user_agent).to.equal(long.slice(0, 256));
      api.clock.advance(1000);
      const bare = await api.http
        .post('/api/v1/auth/token')
        .unset('User-Agent')
        .send({ username: user.username, password: PASSWORD });
      const [none] = (await listOwn(api, bare.body.access_token)).body.items;
      expect(none.user_agent).to.equal(null);
    });

    it('lists no ended session: neither one logged out nor one ended here', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const kept = await signIn(api, user.username);
      const loggedOut = await signIn(api, user.username);
      const ended = await signIn(api, user.username);
      const [loggedOutId, endedId] = [
        await currentId(api, loggedOut.access),
        await currentId(api, ended.access),
      ];
      expectStatus(
        await api.http.post('/api/v1/auth/logout').send({ refresh_token: loggedOut.refresh }),
        204,
      );
      expectStatus(await endOwn(api, kept.access, endedId), 204);
      const ids = (await listOwn(api, kept.access)).body.items.map((s: { id: string }) => s.id);
      expect(ids).to.have.length(2);
      expect(ids).to.not.include.members([loggedOutId, endedId]);
    });

    it('ending a session fails its access token on the very next request, cached or not, and its refresh token; others live on', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const doomed = await signIn(api, user.username);
      const other = await signIn(api, user.username);
      expectStatus(await me(api, doomed.access), 200); // verified once, so the token is cached
      const res = await endOwn(api, other.access, await currentId(api, doomed.access));
      expectStatus(res, 204);
      expect(res.text).to.equal('');
      const after = await me(api, doomed.access);
      expectStatus(after, 401, 'UnauthorizedError');
      expect(after.body.message).to.equal('Token has been revoked');
      expectStatus(await refresh(api, doomed.refresh), 401);
      expectStatus(await me(api, other.access), 200);
    });

    it('ending the current session signs the caller out', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const pair = await signIn(api, user.username);
      expectStatus(await endOwn(api, pair.access, await currentId(api, pair.access)), 204);
      expectStatus(await me(api, pair.access), 401);
    });

    it('404 for a session that is not one of the caller’s live ones: another user’s, an ended one, an unknown one', async () => {
      const api = ctx.get();
      const ada = await api.createUser();
      const bob = await api.createUser();
      const bobs = await signIn(api, bob.username);
      const bobsId = await currentId(api, bobs.access);
      const theirs = await endOwn(api, ada.token, bobsId);
      expectStatus(theirs, 404, 'NotFoundError');
      expect(theirs.body.message).to.equal(`Session with id ${bobsId} not found`);
      expectStatus(await me(api, bobs.access), 200);
      const adas = await signIn(api, ada.username);
      const adasId = await currentId(api, adas.access);
      expectStatus(await endOwn(api, ada.token, adasId), 204);
      expectStatus(await endOwn(api, ada.token, adasId), 404, 'NotFoundError');
      expectStatus(
        await endOwn(api, ada.token, '00000000-0000-4000-8000-000000000000'),
        404,
        'NotFoundError',
      );
    });

    it('400 for a malformed session id, 401 without a token', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const id = await currentId(api, user.token);
      for (const bad of ['abc', '123', id.toUpperCase(), `${id}0`, '%00']) {
        expectStatus(await endOwn(api, user.token, bad), 400, 'BadRequestError');
      }
      expectStatus(await api.http.get('/api/v1/users/me/sessions'), 401);
      expectStatus(await api.http.delete(`/api/v1/users/me/sessions/${id}`), 401);
      expectStatus(await me(api, user.token), 200);
    });

    it('an admin lists a user’s live sessions; 403 for anyone else, 404 for no such user, 400 for a bad id', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      await signIn(api, user.username, { userAgent: FIREFOX, ip: '203.0.113.8' });
      const admin = await api.adminToken();
      const res = await api.http.get(`/api/v1/users/${user.id}/sessions`).set(bearer(admin));
      expectStatus(res, 200);
      expect(res.body.items).to.have.length(2);
      expect(res.body.items[0]).to.include({
        user_agent: FIREFOX,
        ip: '203.0.113.8',
        current: false,
      });
      expect(res.body.items.every((s: { current: boolean }) => !s.current)).to.equal(true);
      const moderator = await api.createUser({ role: 'moderator' });
      for (const token of [user.token, moderator.token]) {
        const refused = await api.http.get(`/api/v1/users/${user.id}/sessions`).set(bearer(token));
        expectStatus(refused, 403, 'ForbiddenError');
        expect(refused.body.message).to.equal('Insufficient permissions. Required role: admin');
      }
      expectStatus(
        await api.http.get('/api/v1/users/999999/sessions').set(bearer(admin)),
        404,
        'NotFoundError',
      );
      expectStatus(
        await api.http.get('/api/v1/users/abc/sessions').set(bearer(admin)),
        400,
        'BadRequestError',
      );
    });

    it('an admin ends every session of a user: every token fails on the next request; the user may sign in again', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const second = await signIn(api, user.username);
      const bystander = await api.createUser();
      expectStatus(await me(api, user.token), 200);
      const admin = await api.adminToken();
      expectStatus(
        await api.http.delete(`/api/v1/users/${user.id}/sessions`).set(bearer(admin)),
        204,
      );
      expectStatus(await me(api, user.token), 401);
      expectStatus(await me(api, second.access), 401);
      expectStatus(await refresh(api, second.refresh), 401);
      expectStatus(await me(api, bystander.token), 200);
      expect(
        (await api.http.get(`/api/v1/users/${user.id}/sessions`).set(bearer(admin))).body.items,
      ).to.deep.equal([]);
      const again = await signIn(api, user.username);
      expectStatus(await me(api, again.access), 200);
    });

    it('ending every session: 403 for a non-admin, 404 for no such user', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const moderator = await api.createUser({ role: 'moderator' });
      expectStatus(
        await api.http.delete(`/api/v1/users/${user.id}/sessions`).set(bearer(moderator.token)),
        403,
        'ForbiddenError',
      );
      expectStatus(
        await api.http.delete(`/api/v1/users/${user.id}/sessions`).set(bearer(user.token)),
        403,
        'ForbiddenError',
      );
      expectStatus(await me(api, user.token), 200);
      expectStatus(
        await api.http.delete('/api/v1/users/999999/sessions').set(bearer(await api.adminToken())),
        404,
        'NotFoundError',
      );
    });

    it('records session.ended for each session ended, by whoever ended it, with the request id', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const one = await signIn(api, user.username);
      const two = await signIn(api, user.username);
      const oneId = await currentId(api, one.access);
      const own = await api.http
        .delete(`/api/v1/users/me/sessions/${oneId}`)
        .set(bearer(user.token))
        .set('X-Request-Id', 'end-one');
      expectStatus(own, 204);
      const [byUser] = await auditEvents(api, {
        action: 'session.ended',
        subject_type: 'session',
        subject_id: oneId,
      });
      expect(byUser).to.deep.include({ actor_id: user.id, request_id: 'end-one' });
      const admin = await api.adminToken();
      expectStatus(
        await api.http
          .delete(`/api/v1/users/${user.id}/sessions`)
          .set(bearer(admin))
          .set('X-Request-Id', 'end-all'),
        204,
      );
      const ended = (await auditEvents(api, { action: 'session.ended' })).filter(
        (e) => e.request_id === 'end-all',
      );
      const ids = [sidOf(user.token), sidOf(two.access)];
      expect(ended.map((e) => e.subject_id).sort()).to.deep.equal([...ids].sort());
      expect(ended.every((e) => e.actor_id === 1)).to.equal(true);
    });

    it('answers in version 2 as problem details', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const res = await api.http
        .delete('/api/v2/users/me/sessions/00000000-0000-4000-8000-000000000000')
        .set(bearer(user.token));
      expect(res.status).to.equal(404);
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(
        (await api.http.get('/api/v2/users/me/sessions').set(bearer(user.token))).body.items,
      ).to.have.length(1);
    });
  });

  describe('ending a session on another instance', () => {
    let store: Awaited<ReturnType<OpenStore>> | undefined;
    let one: TestApi;
    let two: TestApi;
    before(async function () {
      this.timeout(60_000);
      const pair = await generateTokenKeyPair();
      const shared: ConfigOverrides = { tokens: { signingKey: pair.secret, keyId: 'shared' } };
      store = await open();
      one = await startApi(store, shared);
      two = await startApi(store, shared);
    });
    after(async () => {
      await one?.close();
      await two?.close();
      await store?.dispose();
    });

    it('fails the session’s token on the next request to every instance, each having it cached', async () => {
      const user = await one.createUser();
      expectStatus(await me(two, user.token), 200);
      expectStatus(await me(one, user.token), 200);
      expectStatus(await endOwn(two, user.token, await currentId(two, user.token)), 204);
      expectStatus(await me(one, user.token), 401);
      expectStatus(await me(two, user.token), 401);
    });
  });

  describe('self-service', () => {
    const ctx = useApi(open, BEHIND_PROXY);

    const placeOrder = async (api: TestApi, id: number, token: string) => {
      const res = await api.http
        .post(`/api/v1/users/${id}/orders`)
        .set(bearer(token))
        .send({
          currency: 'EUR',
          items: [
            { sku: 'BOOK-1', quantity: 2, unit_price_cents: 1999 },
            { sku: 'PEN_2', quantity: 1, unit_price_cents: 250 },
          ],
        });
      expectStatus(res, 201);
      return res.body as { id: number };
    };

    for (const [method, path, label] of [
      ['post', '/users/me/deactivate', 'deactivation'],
      ['delete', '/users/me', 'erasure'],
    ] as const) {
      describe(label, () => {
        it('400 for a wrong password, changing nothing', async () => {
          const api = ctx.get();
          const user = await api.createUser();
          const res = await confirm(api, method, path, user.token, { password: WRONG });
          expectStatus(res, 400, 'BadRequestError');
          expect(res.body.message).to.equal('Password is incorrect');
          expectStatus(await me(api, user.token), 200);
          expect((await me(api, user.token)).body.is_active).to.equal(true);
        });

        it('wrong passwords count toward the sign-in lockout of the account from that address', async () => {
          const api = ctx.get();
          const user = await api.createUser();
          const from = { ip: '198.51.100.77' };
          for (let i = 0; i < api.config.login.maxFailures; i += 1) {
            expectStatus(
              await confirm(api, method, path, user.token, { password: WRONG }, from),
              400,
            );
          }
          const locked = await confirm(api, method, path, user.token, { password: PASSWORD }, from);
          expectStatus(locked, 429, 'RateLimitError');
          expect(Number(locked.headers['retry-after'])).to.be.greaterThan(0);
          const signIn = await api.http
            .post('/api/v1/auth/token')
            .set(headersOf(from))
            .send({ username: user.username, password: PASSWORD });
          expectStatus(signIn, 429);
          expectStatus(await me(api, user.token), 200);
        });

        it('422 without the password or with another field, 401 without a token', async () => {
          const api = ctx.get();
          const user = await api.createUser();
          const missing = await confirm(api, method, path, user.token, {});
          expectStatus(missing, 422, 'ValidationError');
          expect(missing.body.details).to.deep.equal([
            { field: 'password', message: 'Field required' },
          ]);
          const extra = await confirm(api, method, path, user.token, {
            password: PASSWORD,
            role: 'admin',
          });
          expectStatus(extra, 422);
          expectStatus(await api.http[method](`/api/v1${path}`).send({ password: PASSWORD }), 401);
          expectStatus(await me(api, user.token), 200);
        });

        it('409 for the last active admin, after the password is checked; nothing changes', async () => {
          const api = ctx.get();
          const admin = await api.adminToken();
          expectStatus(await confirm(api, method, path, admin, { password: WRONG }), 400);
          const res = await confirm(api, method, path, admin, { password: ADMIN.password });
          expectStatus(res, 409, 'ConflictError');
          const self = await me(api, admin);
          expectStatus(self, 200);
          expect(self.body).to.include({ username: ADMIN.username, is_active: true });
        });

        it('an admin who is not the last one may', async () => {
          const api = ctx.get();
          const other = await api.createUser({ role: 'admin' });
          expectStatus(await confirm(api, method, path, other.token, { password: PASSWORD }), 204);
        });
      });
    }

    it('deactivation: 204, every session ends, sign-in is refused as inactive; an admin sees is_active false', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const other = await signIn(api, user.username);
      const res = await api.http
        .post('/api/v1/users/me/deactivate')
        .set(bearer(user.token))
        .set('X-Request-Id', 'deactivate')
        .send({ password: PASSWORD });
      expectStatus(res, 204);
      expect(res.text).to.equal('');
      // The sessions are ended; while the account is inactive its tokens say why (403).
      expectStatus(await me(api, user.token), 403, 'ForbiddenError');
      expectStatus(await me(api, other.access), 403, 'ForbiddenError');
      expectStatus(await refresh(api, other.refresh), 403, 'ForbiddenError');
      const signIn2 = await api.http
        .post('/api/v1/auth/token')
        .send({ username: user.username, password: PASSWORD });
      expectStatus(signIn2, 403, 'ForbiddenError');
      const admin = await api.adminToken();
      expect(
        (await api.http.get(`/api/v1/users/${user.id}`).set(bearer(admin))).body.is_active,
      ).to.equal(false);
      expect(
        (await api.http.get(`/api/v1/users/${user.id}/sessions`).set(bearer(admin))).body.items,
      ).to.deep.equal([]);
      const [updated] = await auditEvents(api, {
        action: 'user.updated',
        subject_type: 'user',
        subject_id: user.id,
      });
      expect(updated).to.deep.include({
        actor_id: user.id,
        request_id: 'deactivate',
        changes: { is_active: { from: true, to: false } },
      });
      const ended = (await auditEvents(api, { action: 'session.ended' })).filter(
        (e) => e.request_id === 'deactivate',
      );
      expect(ended.map((e) => e.subject_id).sort()).to.deep.equal(
        [sidOf(user.token), sidOf(other.access)].sort(),
      );
    });

    it('erasure: 204, the account, its orders and its sessions are gone; its tokens are 401', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const other = await signIn(api, user.username);
      const order = await placeOrder(api, user.id, user.token);
      const res = await api.http
        .delete('/api/v1/users/me')
        .set(bearer(user.token))
        .set('X-Request-Id', 'erase')
        .send({ password: PASSWORD });
      expectStatus(res, 204);
      const [deleted] = await auditEvents(api, {
        action: 'user.deleted',
        subject_type: 'user',
        subject_id: user.id,
      });
      expect(deleted).to.deep.include({ actor_id: user.id, request_id: 'erase' });
      expectStatus(await me(api, user.token), 401);
      expectStatus(await me(api, other.access), 401);
      expectStatus(await refresh(api, other.refresh), 401);
      const admin = await api.adminToken();
      expectStatus(await api.http.get(`/api/v1/users/${user.id}`).set(bearer(admin)), 404);
      expectStatus(
        await api.http.get(`/api/v1/users/${user.id}/orders/${order.id}`).set(bearer(admin)),
        404,
      );
      expectStatus(await api.http.get(`/api/v1/users/${user.id}/sessions`).set(bearer(admin)), 404);
      expectStatus(
        await api.http
          .post('/api/v1/auth/token')
          .send({ username: user.username, password: PASSWORD }),
        401,
      );
      // The name is free again.
      await api.createUser({ username: user.username });
    });

    it('export: one JSON download with the profile, the orders with their items and every stored session, no secret', async () => {
      const api = ctx.get();
      const user = await api.createUser({ full_name: 'Ada Lovelace' });
      const first = await placeOrder(api, user.id, user.token);
      api.clock.advance(1000);
      const second = await placeOrder(api, user.id, user.token);
      const ended = await signIn(api, user.username, { userAgent: PHONE, ip: '203.0.113.9' });
      const endedId = await currentId(api, ended.access);
      expectStatus(await endOwn(api, user.token, endedId), 204);
      const res = await api.http.get('/api/v1/users/me/export').set(bearer(user.token));
      expectStatus(res, 200);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.headers['content-disposition']).to.match(
        new RegExp(`^attachment; filename="account-${user.id}-\\d{4}-\\d{2}-\\d{2}\\.json"$`),
      );
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(res.body).to.have.all.keys(
        'exported_at',
        'user',
        'orders',
        'sessions',
        'audit_events',
        'pending_mails',
        'email_tokens',
      );
      expect(res.body.user).to.include({
        id: user.id,
        username: user.username,
        full_name: 'Ada Lovelace',
        password_changed_at: null,
      });
      expect(res.body.orders.map((o: { id: number }) => o.id)).to.deep.equal([second.id, first.id]);
      expect(res.body.orders[0].items).to.deep.equal([
        { sku: 'BOOK-1', quantity: 2, unit_price_cents: 1999 },
        { sku: 'PEN_2', quantity: 1, unit_price_cents: 250 },
      ]);
      expect(res.body.orders[0].total_cents).to.equal(4248);
      const sessions = res.body.sessions as {
        id: string;
        state: string;
        user_agent: string | null;
        revoked_at: string | null;
      }[];
      expect(sessions).to.have.length(2);
      expect(sessions.find((s) => s.id === endedId)).to.include({
        state: 'revoked',
        user_agent: PHONE,
      });
      expect(sessions.find((s) => s.id !== endedId)).to.include({
        state: 'live',
        revoked_at: null,
      });
      const audit = res.body.audit_events as {
        id: string;
        occurred_at: string;
        action: string;
        subject_type: string;
        subject_id: number | string;
      }[];
      const about = (action: string, subjectType: string, subjectId: number | string) =>
        audit.filter(
          (e) =>
            e.action === action && e.subject_type === subjectType && e.subject_id === subjectId,
        );
      expect(about('user.registered', 'user', user.id)).to.have.length(1);
      expect(about('order.placed', 'order', first.id)).to.have.length(1);
      expect(about('order.placed', 'order', second.id)).to.have.length(1);
      expect(about('session.started', 'session', endedId)).to.have.length(1);
      expect(about('session.ended', 'session', endedId)).to.have.length(1);
      expect(new Set(audit.map((e) => e.id)).size, 'each event once').to.equal(audit.length);
      const times = audit.map((e) => Date.parse(e.occurred_at));
      expect(times, 'newest first').to.deep.equal([...times].sort((a, b) => b - a));
      const text = JSON.stringify(res.body);
      expect(text).to.not.contain(PASSWORD);
      expect(text).to.not.match(/\$argon2|hash|refresh_token|v4\.public\./i);
    });

    it('export: an account with nothing but itself, and 401 without a token', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const res = await api.http.get('/api/v2/users/me/export').set(bearer(user.token));
      expectStatus(res, 200);
      expect(res.body.orders).to.deep.equal([]);
      expect(res.body.sessions).to.have.length(1);
      expect(res.body.audit_events.map((e: { action: string }) => e.action).sort()).to.deep.equal([
        'session.started',
        'user.registered',
      ]);
      expectStatus(await api.http.get('/api/v1/users/me/export'), 401);
    });
  });

  describe('published keys', () => {
    const ctx = useApi(open);
    const v4 = new PublicProtocol(ImportPublicKeyFactory, VerifyFactory);

    it('lists the signing key as active PASERK k4.public, cacheable for 5 minutes with an ETag, to anyone', async () => {
      const api = ctx.get();
      for (const base of ['/api/v1', '/api/v2']) {
        const res = await api.http.get(`${base}/auth/keys`);
        expectStatus(res, 200);
        expect(res.body.keys).to.have.length(1);
        expect(res.body.keys[0]).to.have.all.keys('kid', 'paserk', 'status');
        expect(res.body.keys[0].status).to.equal('active');
        expect(res.body.keys[0].paserk).to.match(/^k4\.public\.[A-Za-z0-9_-]{43}$/);
        expect(res.headers['cache-control']).to.equal('public, max-age=300');
        expect(res.headers['etag']).to.match(/^"[A-Za-z0-9_-]+"$/);
        expect(res.headers['ratelimit-limit'], 'rate limited like the rest of /api').to.not.equal(
          undefined,
        );
        const again = await api.http
          .get(`${base}/auth/keys`)
          .set('If-None-Match', res.headers['etag']!);
        expectStatus(again, 304);
        expect(again.headers['etag']).to.equal(res.headers['etag']);
      }
    });

    it('a token the service issued verifies with nothing but the paseto package and the published key of its kid', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const { keys } = (await api.http.get('/api/v1/auth/keys')).body as {
        keys: { kid: string; paserk: string }[];
      };
      const { kid } = JSON.parse(new TextDecoder().decode(InspectFooter(user.token))) as {
        kid: string;
      };
      const key = keys.find((k) => k.kid === kid);
      expect(key, 'the token’s kid is published').to.not.equal(undefined);
      // The other service's clock reads what the issuer's did (the suite's clock is a fixed one).
      const { claims } = await v4.Verify(
        await v4.ImportPublicKey(key!.paserk as `k4.public.${string}`),
        user.token,
        {
          issuer: api.config.tokens.issuer,
          audience: api.config.tokens.audience,
          now: api.clock.now(),
        },
      );
      expect(claims).to.include({ sub: String(user.id) });
      const tampered = `${user.token.slice(0, -4)}${user.token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      const failed = await v4
        .Verify(await v4.ImportPublicKey(key!.paserk as `k4.public.${string}`), tampered, {
          now: api.clock.now(),
        })
        .then(
          () => false,
          () => true,
        );
      expect(failed, 'a tampered token does not verify').to.equal(true);
    });
  });

  describe('published keys during a rotation', () => {
    let store: Awaited<ReturnType<OpenStore>> | undefined;
    let api: TestApi;
    let retired: { secret: string; public: string };
    before(async function () {
      this.timeout(60_000);
      retired = await generateTokenKeyPair();
      const active = await generateTokenKeyPair();
      store = await open();
      api = await startApi(store, {
        tokens: {
          signingKey: active.secret,
          keyId: 'new',
          verifyKeys: [{ kid: 'old', public: retired.public }],
        },
      });
    });
    after(async () => {
      await api?.close();
      await store?.dispose();
    });

    it('lists the active key first, then the retired one with its status', async () => {
      const res = await api.http.get('/api/v1/auth/keys');
      expectStatus(res, 200);
      expect(
        res.body.keys.map((k: { kid: string; status: string }) => [k.kid, k.status]),
      ).to.deep.equal([
        ['new', 'active'],
        ['old', 'retired'],
      ]);
      expect(res.body.keys[1].paserk).to.equal(retired.public);
    });
  });
}
