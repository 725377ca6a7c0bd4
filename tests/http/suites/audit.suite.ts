/**
 * Audit events over HTTP: each change of state finds exactly its event, with the right actor,
 * subject, request id and changes, and nothing secret; the admin list with its filters, v1 pages
 * and v2 cursors; a change whose event cannot be written does not happen.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Response } from 'supertest';
import type { AuditLog } from '../../../src/application/ports/audit-log.js';
import { ADMIN, PASSWORD, bearer, type TestApi } from '../../support/api.js';
import { useApi, useTwoApisOnRedis, type OpenStore } from './harness.js';

type Event = {
  id: string;
  occurred_at: string;
  action: string;
  actor_id: number | null;
  subject_type: string;
  subject_id: number | string | null;
  request_id: string | null;
  ip: string | null;
  changes: Record<string, { from?: unknown; to?: unknown }> | null;
};

/** Every event matching the query, through the admin list. */
async function events(api: TestApi, query: Record<string, string | number>): Promise<Event[]> {
  const res = await api.http
    .get('/api/v1/audit-events')
    .query({ page_size: 100, ...query })
    .set(bearer(await api.adminToken()));
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body.items as Event[];
}

/** The one event of `action` about the subject; fails when there are none or several. */
async function theEvent(
  api: TestApi,
  action: string,
  subjectType: string,
  subjectId: number | string | null,
): Promise<Event> {
  const found = (await events(api, { action, subject_type: subjectType })).filter(
    (e) => e.subject_id === subjectId,
  );
  expect(found, `${action} about ${subjectType} ${subjectId}`).to.have.length(1);
  return found[0]!;
}

/** Nothing secret: no password, hash or token, no address in clear. */
function expectNothingSecret(event: Event, secrets: readonly string[]): void {
  const text = JSON.stringify(event);
  for (const secret of [...secrets, PASSWORD, ADMIN.password, '$argon2', 'v4.public.'])
    expect(text).to.not.contain(secret);
  expect(text).to.not.match(/[A-Za-z0-9._%+-]{2,}@example\.com/);
}

const sessionOf = (accessToken: string): string => {
  const payload = accessToken.split('.')[2]!;
  const claims = JSON.parse(
    Buffer.from(payload, 'base64url').subarray(0, -64).toString('utf8'),
  ) as { sid: string };
  return claims.sid;
};

const rid = (): string => `req-${randomUUID()}`;

/** A sign-in of the user: another live session, with its access and refresh tokens. */
async function signIn(
  api: TestApi,
  username: string,
): Promise<{ access: string; refresh: string }> {
  const res = await api.http.post('/api/v1/auth/token').send({ username, password: PASSWORD });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return { access: res.body.access_token, refresh: res.body.refresh_token };
}

/** The reset token mailed to the user after a request for one. */
async function resetToken(api: TestApi, username: string): Promise<string> {
  const email = `${username}@example.com`;
  const asked = await api.http.post('/api/v1/auth/password-reset/request').send({ email });
  expect(asked.status).to.equal(202);
  const mail = (await api.mails(email)).filter((m) => m.text.includes('/reset-password#token='));
  const token = /\/reset-password#token=([A-Za-z0-9_-]+)/.exec(mail.at(-1)?.text ?? '')?.[1];
  expect(token, 'a reset mail').to.be.a('string');
  return token!;
}

type User = Awaited<ReturnType<TestApi['createUser']>>;

/** The changes that end every session of a user, each as one request with the given id. */
const SESSION_ENDINGS: ReadonlyArray<{
  readonly label: string;
  /** Who the events name as the actor: the user, or the admin of `adminToken()` (id 1). */
  readonly by: 'user' | 'admin';
  end(api: TestApi, user: User, requestId: string): Promise<Response>;
}> = [
  {
    label: 'a password change',
    by: 'user',
    end: (api, user, requestId) =>
      api.http
        .post('/api/v1/users/me/password')
        .set(bearer(user.token))
        .set('X-Request-Id', requestId)
        .send({ current_password: PASSWORD, new_password: 'Another1Passw0rd' }),
  },
  {
    label: 'a password reset',
    by: 'user',
    end: async (api, user, requestId) =>
      api.http
        .post('/api/v1/auth/password-reset')
        .set('X-Request-Id', requestId)
        .send({ token: await resetToken(api, user.username), new_password: 'Another1Passw0rd' }),
  },
  {
    label: 'a deactivation by an admin',
    by: 'admin',
    end: async (api, user, requestId) =>
      api.http
        .patch(`/api/v1/users/${user.id}`)
        .set(bearer(await api.adminToken()))
        .set('X-Request-Id', requestId)
        .send({ is_active: false }),
  },
  {
    label: 'a deactivation of one’s own account',
    by: 'user',
    end: (api, user, requestId) =>
      api.http
        .post('/api/v1/users/me/deactivate')
        .set(bearer(user.token))
        .set('X-Request-Id', requestId)
        .send({ password: PASSWORD }),
  },
];

/** The `session.ended` events written by one request. */
const endedBy = async (api: TestApi, requestId: string): Promise<Event[]> =>
  (await events(api, { action: 'session.ended', subject_type: 'session' })).filter(
    (e) => e.request_id === requestId,
  );

export function auditSuite(open: OpenStore): void {
  describe('audit events: one per change of state', () => {
    const served = useApi(open);
    const api = () => served.get();

    it('sign-up: user.registered by the new user, with its role', async () => {
      const requestId = rid();
      const res = await api()
        .http.post('/api/v1/users')
        .set('X-Request-Id', requestId)
        .send({ email: 'ada.sign@example.com', username: 'ada_sign', password: PASSWORD });
      expect(res.status).to.equal(201);
      const event = await theEvent(api(), 'user.registered', 'user', res.body.id);
      expect(event).to.deep.include({ actor_id: res.body.id, request_id: requestId });
      expect(event.ip).to.be.a('string').and.not.equal('');
      expect(event.changes).to.deep.equal({
        role: { from: null, to: 'user' },
        is_active: { from: null, to: true },
      });
      expectNothingSecret(event, []);
    });

    it('an admin creating an admin is the actor', async () => {
      const user = await api().createUser({ role: 'admin' });
      const event = await theEvent(api(), 'user.registered', 'user', user.id);
      expect(event.actor_id).to.equal(1);
      expect(event.changes?.['role']).to.deep.equal({ from: null, to: 'admin' });
    });

    it('update: user.updated with each changed field, emails masked, unchanged fields absent', async () => {
      const user = await api().createUser({ full_name: 'Ada Before' });
      const requestId = rid();
      const res = await api()
        .http.patch(`/api/v1/users/${user.id}`)
        .set(bearer(user.token))
        .set('X-Request-Id', requestId)
        .send({ full_name: 'Ada After', email: 'zed.new@example.com', username: user.username });
      expect(res.status).to.equal(200);
      const event = await theEvent(api(), 'user.updated', 'user', user.id);
      expect(event).to.deep.include({ actor_id: user.id, request_id: requestId });
      expect(event.changes).to.deep.equal({
        email: { from: `${user.username[0]}***@example.com`, to: 'z***@example.com' },
        full_name: { from: 'Ada Before', to: 'Ada After' },
      });
      expectNothingSecret(event, [user.token]);
    });

    it('a replacement (PUT) is user.updated too; a change that changes nothing records nothing', async () => {
      const user = await api().createUser();
      const same = await api()
        .http.patch(`/api/v1/users/${user.id}`)
        .set(bearer(user.token))
        .send({ username: user.username });
      expect(same.status).to.equal(200);
      expect(await events(api(), { action: 'user.updated', subject_id: user.id })).to.deep.equal(
        [],
      );
      const put = await api()
        .http.put(`/api/v1/users/${user.id}`)
        .set(bearer(user.token))
        .send({
          email: `${user.username}@example.com`,
          username: `${user.username}_2`,
          full_name: null,
        });
      expect(put.status).to.equal(200);
      const event = await theEvent(api(), 'user.updated', 'user', user.id);
      expect(event.changes).to.deep.equal({
        username: { from: user.username, to: `${user.username}_2` },
      });
    });

    it('role change and deactivation by an admin: one event each, with from and to', async () => {
      const user = await api().createUser();
      const admin = await api().adminToken();
      const promote = rid();
      expect(
        (
          await api()
            .http.patch(`/api/v1/users/${user.id}`)
            .set(bearer(admin))
            .set('X-Request-Id', promote)
            .send({ role: 'moderator' })
        ).status,
      ).to.equal(200);
      const deactivate = rid();
      expect(
        (
          await api()
            .http.patch(`/api/v1/users/${user.id}`)
            .set(bearer(admin))
            .set('X-Request-Id', deactivate)
            .send({ is_active: false })
        ).status,
      ).to.equal(200);
      const updates = await events(api(), {
        action: 'user.updated',
        subject_type: 'user',
        subject_id: user.id,
      });
      expect(updates.map((e) => [e.request_id, e.actor_id, e.changes])).to.deep.equal([
        [deactivate, 1, { is_active: { from: true, to: false } }],
        [promote, 1, { role: { from: 'user', to: 'moderator' } }],
      ]);
    });

    it('a refused change records nothing', async () => {
      const user = await api().createUser();
      const other = await api().createUser();
      const res = await api()
        .http.patch(`/api/v1/users/${user.id}`)
        .set(bearer(user.token))
        .send({ username: other.username });
      expect(res.status).to.equal(409);
      expect(
        await events(api(), { subject_type: 'user', subject_id: user.id, action: 'user.updated' }),
      ).to.deep.equal([]);
    });

    it('password change: user.password_changed, with neither password in it', async () => {
      const user = await api().createUser();
      const requestId = rid();
      const res = await api()
        .http.post('/api/v1/users/me/password')
        .set(bearer(user.token))
        .set('X-Request-Id', requestId)
        .send({ current_password: PASSWORD, new_password: 'Another1Passw0rd' });
      expect(res.status).to.equal(204);
      const event = await theEvent(api(), 'user.password_changed', 'user', user.id);
      expect(event).to.deep.include({ actor_id: user.id, request_id: requestId, changes: null });
      expectNothingSecret(event, ['Another1Passw0rd', user.token]);
    });

    it('sign-in, logout: session.started and session.ended about the session, by its user', async () => {
      const user = await api().createUser();
      const signIn = rid();
      const login = await api()
        .http.post('/api/v1/auth/token')
        .set('X-Request-Id', signIn)
        .send({ username: user.username, password: PASSWORD });
      expect(login.status).to.equal(200);
      const session = sessionOf(login.body.access_token);
      const started = await theEvent(api(), 'session.started', 'session', session);
      expect(started).to.deep.include({ actor_id: user.id, request_id: signIn });
      expectNothingSecret(started, [login.body.access_token, login.body.refresh_token]);
      const logout = rid();
      expect(
        (
          await api()
            .http.post('/api/v1/auth/logout')
            .set('X-Request-Id', logout)
            .send({ refresh_token: login.body.refresh_token })
        ).status,
      ).to.equal(204);
      const ended = await theEvent(api(), 'session.ended', 'session', session);
      expect(ended).to.deep.include({ actor_id: user.id, request_id: logout });
      expectNothingSecret(ended, [login.body.access_token, login.body.refresh_token]);
      // Logging out again ends nothing more.
      await api()
        .http.post('/api/v1/auth/logout')
        .send({ refresh_token: login.body.refresh_token });
      await theEvent(api(), 'session.ended', 'session', session);
    });

    it('reuse of a spent refresh token: session.reuse_detected', async () => {
      const user = await api().createUser();
      const login = await api()
        .http.post('/api/v1/auth/token')
        .send({ username: user.username, password: PASSWORD });
      const session = sessionOf(login.body.access_token);
      expect(
        (
          await api()
            .http.post('/api/v1/auth/refresh')
            .send({ refresh_token: login.body.refresh_token })
        ).status,
      ).to.equal(200);
      const requestId = rid();
      const reuse = await api()
        .http.post('/api/v1/auth/refresh')
        .set('X-Request-Id', requestId)
        .send({ refresh_token: login.body.refresh_token });
      expect(reuse.status).to.equal(401);
      const event = await theEvent(api(), 'session.reuse_detected', 'session', session);
      expect(event).to.deep.include({ actor_id: user.id, request_id: requestId });
      expectNothingSecret(event, [login.body.refresh_token]);
    });

    for (const ending of SESSION_ENDINGS) {
      it(`${ending.label}: one session.ended per live session, by whoever ended them, with the request id`, async () => {
        const user = await api().createUser();
        const second = await signIn(api(), user.username);
        // A session logged out before: it has its event already, and gets no other.
        const gone = await signIn(api(), user.username);
        await api().http.post('/api/v1/auth/logout').send({ refresh_token: gone.refresh });
        const requestId = rid();
        const res = await ending.end(api(), user, requestId);
        expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 204]);
        const ended = await endedBy(api(), requestId);
        expect(ended.map((e) => e.subject_id).sort()).to.deep.equal(
          [sessionOf(user.token), sessionOf(second.access)].sort(),
        );
        const actor = ending.by === 'admin' ? 1 : user.id;
        for (const event of ended) {
          expect(event).to.deep.include({ actor_id: actor, changes: null });
          expect(event.ip).to.be.a('string').and.not.equal('');
          expectNothingSecret(event, [user.token, second.access, second.refresh]);
        }
        await theEvent(api(), 'session.ended', 'session', sessionOf(gone.access));
      });
    }

    it('sign-in failures and the lockout are written on their own, naming the account but no actor', async () => {
      const user = await api().createUser();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const requestId = rid();
        ids.push(requestId);
        const res = await api()
          .http.post('/api/v1/auth/token')
          .set('X-Request-Id', requestId)
          .send({ username: user.username, password: `Wrong${i}Passw0rd` });
        expect(res.status).to.equal(401);
      }
      const failures = await events(api(), {
        action: 'auth.sign_in_failed',
        subject_type: 'user',
        subject_id: user.id,
      });
      expect(failures.map((e) => e.request_id)).to.deep.equal([...ids].reverse());
      expect(failures.every((e) => e.actor_id === null && e.ip !== null)).to.equal(true);
      for (const e of failures) expectNothingSecret(e, ['Wrong0Passw0rd']);
      const locked = rid();
      expect(
        (
          await api()
            .http.post('/api/v1/auth/token')
            .set('X-Request-Id', locked)
            .send({ username: user.username, password: PASSWORD })
        ).status,
      ).to.equal(429);
      const lockout = await theEvent(api(), 'auth.locked', 'user', user.id);
      expect(lockout).to.deep.include({ actor_id: null, request_id: locked });
    });

    it('a sign-in with an unknown login is a failure about no subject', async () => {
      const requestId = rid();
      expect(
        (
          await api()
            .http.post('/api/v1/auth/token')
            .set('X-Request-Id', requestId)
            .send({ username: 'nobody_here', password: PASSWORD })
        ).status,
      ).to.equal(401);
      const found = (await events(api(), { action: 'auth.sign_in_failed' })).filter(
        (e) => e.request_id === requestId,
      );
      expect(found).to.have.length(1);
      expect(found[0]).to.deep.include({ subject_type: 'user', subject_id: null, actor_id: null });
      expect(JSON.stringify(found[0])).to.not.contain('nobody_here');
    });

    it('an order placed and its status moved: order.placed, order.status_changed', async () => {
      const user = await api().createUser();
      const placed = rid();
      const order = await api()
        .http.post(`/api/v1/users/${user.id}/orders`)
        .set(bearer(user.token))
        .set('X-Request-Id', placed)
        .send({ currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 1, unit_price_cents: 1999 }] });
      expect(order.status).to.equal(201);
      const placedEvent = await theEvent(api(), 'order.placed', 'order', order.body.id);
      expect(placedEvent).to.deep.include({ actor_id: user.id, request_id: placed });
      expect(placedEvent.changes).to.deep.equal({ status: { from: null, to: 'pending' } });
      const moved = rid();
      const paid = await api()
        .http.patch(`/api/v1/users/${user.id}/orders/${order.body.id}`)
        .set(bearer(await api().adminToken()))
        .set('X-Request-Id', moved)
        .send({ status: 'paid' });
      expect(paid.status).to.equal(200);
      const movedEvent = await theEvent(api(), 'order.status_changed', 'order', order.body.id);
      expect(movedEvent).to.deep.include({ actor_id: 1, request_id: moved });
      expect(movedEvent.changes).to.deep.equal({ status: { from: 'pending', to: 'paid' } });
    });

    it('deletion: user.deleted by the admin; the events about the user keep their ids, not their personal values', async () => {
      const user = await api().createUser({ full_name: 'Erased Person' });
      await api()
        .http.patch(`/api/v1/users/${user.id}`)
        .set(bearer(user.token))
        .send({ full_name: 'Erased Again', username: `${user.username}_x` });
      const before = await events(api(), { subject_type: 'user', subject_id: user.id });
      const byUser = await events(api(), { actor_id: user.id });
      const requestId = rid();
      expect(
        (
          await api()
            .http.delete(`/api/v1/users/${user.id}`)
            .set(bearer(await api().adminToken()))
            .set('X-Request-Id', requestId)
        ).status,
      ).to.equal(204);
      const deleted = await theEvent(api(), 'user.deleted', 'user', user.id);
      expect(deleted).to.deep.include({ actor_id: 1, request_id: requestId, changes: null });
      const after = await events(api(), { subject_type: 'user', subject_id: user.id });
      expect(after.filter((e) => e.action !== 'user.deleted').map((e) => e.id)).to.deep.equal(
        before.map((e) => e.id),
      );
      const erased = [
        ...after.filter((e) => e.action !== 'user.deleted'),
        ...(await events(api(), { actor_id: user.id })),
      ];
      expect(erased.length).to.be.at.least(byUser.length + before.length - 1);
      for (const event of erased) {
        expect(event.ip).to.equal(null);
        const text = JSON.stringify(event);
        for (const personal of ['Erased', user.username, '***@'])
          expect(text).to.not.contain(personal);
      }
      const update = after.find((e) => e.action === 'user.updated')!;
      expect(update.changes).to.deep.equal({ username: {}, full_name: {} });
    });
  });

  describe('auth.locked: one per lock', () => {
    const served = useApi(open, {
      login: { maxFailures: 2, lockS: 1 },
      server: { trustProxy: true },
    });
    const api = () => served.get();
    let address = 0;
    const from = () => ({ 'X-Forwarded-For': `198.51.100.${++address}` });
    const signInAs = (
      username: string,
      password: string,
      where: Record<string, string>,
      requestId = rid(),
    ) =>
      api()
        .http.post('/api/v1/auth/token')
        .set(where)
        .set('X-Request-Id', requestId)
        .send({ username, password });
    const locks = (user: User) =>
      events(api(), { action: 'auth.locked', subject_type: 'user', subject_id: user.id });
    const lockLines = (user: User) =>
      api()
        .logger.find('auth_locked')
        .filter((line) => line.fields['user_id'] === user.id);

    it('is written at the first refusal of a lock only, and again for the next lock once it has ended', async function () {
      this.timeout(10_000);
      const user = await api().createUser();
      const where = from();
      const lockOnce = async (): Promise<string> => {
        for (let i = 0; i < 2; i += 1)
          expect((await signInAs(user.username, 'Wrong1Password', where)).status).to.equal(401);
        const first = rid();
        expect((await signInAs(user.username, PASSWORD, where, first)).status).to.equal(429);
        for (const password of ['Wrong1Password', PASSWORD, 'Wrong2Password'])
          expect((await signInAs(user.username, password, where)).status).to.equal(429);
        return first;
      };
      const first = await lockOnce();
      const once = await locks(user);
      expect(once.map((e) => [e.request_id, e.actor_id])).to.deep.equal([[first, null]]);
      expect(once[0]!.ip).to.be.a('string').and.not.equal('');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const second = await lockOnce();
      expect((await locks(user)).map((e) => e.request_id)).to.deep.equal([second, first]);
      // Every refusal still has its security line (and its count in the metrics).
      expect(lockLines(user)).to.have.length(8);
    });

    it('a lock whose first refusal is a password confirmation is written there, by the signed-in caller', async () => {
      const user = await api().createUser();
      const where = from();
      for (let i = 0; i < 2; i += 1) {
        const wrong = await api()
          .http.post('/api/v1/users/me/password')
          .set(bearer(user.token))
          .set(where)
          .send({ current_password: 'Wrong1Password', new_password: 'Another1Passw0rd' });
        expect(wrong.status).to.equal(400);
      }
      expect(await locks(user), 'failures are not a lock').to.deep.equal([]);
      const first = rid();
      const refused = await api()
        .http.post('/api/v1/users/me/deactivate')
        .set(bearer(user.token))
        .set(where)
        .set('X-Request-Id', first)
        .send({ password: PASSWORD });
      expect(refused.status).to.equal(429);
      expect((await signInAs(user.username, PASSWORD, where)).status).to.equal(429);
      const written = await locks(user);
      expect(written.map((e) => [e.request_id, e.actor_id])).to.deep.equal([[first, user.id]]);
      expect(lockLines(user)).to.have.length(2);
    });

    it('locks of other addresses are locks of their own', async () => {
      const user = await api().createUser();
      const [here, there] = [from(), from()];
      for (const where of [here, there]) {
        for (let i = 0; i < 2; i += 1) await signInAs(user.username, 'Wrong1Password', where);
        expect((await signInAs(user.username, PASSWORD, where)).status).to.equal(429);
      }
      expect(await locks(user)).to.have.length(2);
    });
  });

  describe('auth.locked with the lockout in Redis, over two instances', () => {
    const apis = useTwoApisOnRedis(open, 'auth.locked with the lockout in Redis', () => ({
      login: { maxFailures: 2, lockS: 30 },
    }));

    it('one event for the lock, whichever instance refuses first and however many refuse after', async () => {
      const [a, b] = apis.get();
      const user = await a.createUser();
      const signIn = (api: TestApi, password: string, requestId = rid()) =>
        api.http
          .post('/api/v1/auth/token')
          .set('X-Request-Id', requestId)
          .send({ username: user.username, password });
      expect((await signIn(a, 'Wrong1Password')).status).to.equal(401);
      expect((await signIn(b, 'Wrong1Password')).status).to.equal(401);
      const first = rid();
      expect((await signIn(b, PASSWORD, first)).status).to.equal(429);
      for (const api of [a, b, a, b]) expect((await signIn(api, PASSWORD)).status).to.equal(429);
      const written = await events(a, {
        action: 'auth.locked',
        subject_type: 'user',
        subject_id: user.id,
      });
      expect(written.map((e) => e.request_id)).to.deep.equal([first]);
    });
  });

  describe('GET /audit-events', () => {
    const served = useApi(open);
    const api = () => served.get();

    it('is for admins only: 401 without a token, 403 for moderators and users', async () => {
      expect((await api().http.get('/api/v1/audit-events')).status).to.equal(401);
      const moderator = await api().createUser({ role: 'moderator' });
      const user = await api().createUser();
      expect(
        (await api().http.get('/api/v1/audit-events').set(bearer(moderator.token))).status,
      ).to.equal(403);
      expect(
        (await api().http.get('/api/v2/audit-events').set(bearer(user.token))).status,
      ).to.equal(403);
    });

    it('v1: newest first, numbered pages with a total and Link', async () => {
      const admin = await api().adminToken();
      for (let i = 0; i < 4; i += 1) {
        await api().createUser();
        api().clock.advance(1000);
      }
      const all = await events(api(), { action: 'user.registered' });
      expect(all.length).to.be.at.least(6);
      const times = all.map((e) => Date.parse(e.occurred_at));
      expect([...times].sort((a, b) => b - a)).to.deep.equal(times);
      const res = await api()
        .http.get('/api/v1/audit-events')
        .query({ action: 'user.registered', page: 2, page_size: 2 })
        .set(bearer(admin));
      expect(res.status).to.equal(200);
      expect(res.body).to.include({
        total: all.length,
        page: 2,
        page_size: 2,
        total_pages: Math.ceil(all.length / 2),
        total_exact: true,
      });
      expect(res.body.items.map((e: Event) => e.id)).to.deep.equal(
        all.slice(2, 4).map((e) => e.id),
      );
      expect(res.headers['link']).to.contain('rel="next"').and.contain('action=user.registered');
    });

    it('filters by actor, subject, action and time', async () => {
      const user = await api().createUser();
      const admin = await api().adminToken();
      api().clock.advance(60_000);
      const mark = api().clock.now().toISOString();
      api().clock.advance(1000);
      await api()
        .http.patch(`/api/v1/users/${user.id}`)
        .set(bearer(user.token))
        .send({ full_name: 'Filtered' });
      const since = await events(api(), { since: mark, subject_id: user.id });
      expect(since.map((e) => e.action)).to.deep.equal(['user.updated']);
      const until = await events(api(), { until: mark, subject_type: 'user', subject_id: user.id });
      expect(until.map((e) => e.action)).to.deep.equal(['user.registered']);
      const byActor = await events(api(), { actor_id: user.id });
      expect(byActor.every((e) => e.actor_id === user.id)).to.equal(true);
      expect(byActor.map((e) => e.action)).to.include.members([
        'user.registered',
        'session.started',
        'user.updated',
      ]);
      const none = await api()
        .http.get('/api/v1/audit-events')
        .query({ since: mark, until: mark })
        .set(bearer(admin));
      expect(none.body).to.include({ total: 0, total_pages: 0 });
    });

    it('400 for a bad filter: unknown action or subject type, bad ids, dates not ISO 8601', async () => {
      const admin = await api().adminToken();
      const bad = [
        { action: 'user.exploded' },
        { subject_type: 'planet' },
        { actor_id: 'x' },
        { actor_id: '0' },
        { since: 'yesterday' },
        { since: '2026-02-31' },
        { until: '2026-12-05T10:00:00' },
        { until: '12/05/2026' },
        { page: '0' },
        { page_size: '101' },
      ];
      for (const query of bad) {
        const res = await api().http.get('/api/v1/audit-events').query(query).set(bearer(admin));
        expect(res.status, JSON.stringify(query)).to.equal(400);
        expect(res.body.error ?? res.body.type, JSON.stringify(res.body)).to.be.a('string');
      }
      for (const query of [
        { since: '2026-12-05' },
        { since: '2026-12-05T10:00:00Z' },
        { until: '2026-12-05T10:00:00.123+01:00' },
      ]) {
        expect(
          (await api().http.get('/api/v1/audit-events').query(query).set(bearer(admin))).status,
          JSON.stringify(query),
        ).to.equal(200);
      }
    });

    it('v2: keyset pages walk every event once, newest first; a tampered or foreign cursor is 400', async () => {
      const admin = await api().adminToken();
      const expected = (await events(api(), { subject_type: 'user' })).map((e) => e.id);
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await api()
          .http.get('/api/v2/audit-events')
          .query({ subject_type: 'user', limit: 3, ...(cursor === null ? {} : { cursor }) })
          .set(bearer(admin));
        expect(res.status).to.equal(200);
        walked.push(...res.body.items.map((e: Event) => e.id));
        cursor = res.body.next_cursor;
        if (cursor !== null) expect(res.headers['link']).to.contain('rel="next"');
      } while (cursor !== null);
      expect(walked).to.deep.equal(expected);
      const first = await api()
        .http.get('/api/v2/audit-events')
        .query({ subject_type: 'user', limit: 1 })
        .set(bearer(admin));
      const foreign = await api()
        .http.get('/api/v2/audit-events')
        .query({ subject_type: 'order', cursor: first.body.next_cursor })
        .set(bearer(admin));
      expect(foreign.status).to.equal(400);
      const tampered = await api()
        .http.get('/api/v2/audit-events')
        .query({ subject_type: 'user', cursor: `${first.body.next_cursor}x` })
        .set(bearer(admin));
      expect(tampered.status).to.equal(400);
    });

    it('is never changed through the API: other methods are 405', async () => {
      const admin = await api().adminToken();
      for (const method of ['post', 'put', 'patch', 'delete'] as const) {
        expect(
          (await api().http[method]('/api/v1/audit-events').set(bearer(admin))).status,
        ).to.equal(405);
      }
    });
  });

  describe('sessions ended by a change whose events cannot be written', () => {
    // The events are written, then the write fails: the unit of work rolls back with them.
    const failing = (log: AuditLog): AuditLog => ({
      append: async (events) => {
        await log.append(events);
        if (events.some((e) => e.action === 'session.ended')) throw new Error('audit write failed');
      },
      eraseUser: (userId) => log.eraseUser(userId),
      pruneBatch: (before, limit) => log.pruneBatch(before, limit),
      list: (criteria) => log.list(criteria),
      listAfter: (criteria) => log.listAfter(criteria),
    });
    const served = useApi(open, {}, { auditLog: failing });
    const api = () => served.get();

    for (const ending of SESSION_ENDINGS) {
      it(`${ending.label} does not happen: every session lives on, and no event is left`, async () => {
        const user = await api().createUser();
        const second = await signIn(api(), user.username);
        const requestId = rid();
        expect((await ending.end(api(), user, requestId)).status).to.equal(500);
        for (const access of [user.token, second.access]) {
          const me = await api().http.get('/api/v1/users/me').set(bearer(access));
          expect(me.status, 'a session of the user').to.equal(200);
          expect(me.body.is_active).to.equal(true);
        }
        expect(await endedBy(api(), requestId)).to.deep.equal([]);
        expect(
          (await events(api(), { subject_type: 'user', subject_id: user.id })).filter(
            (e) => e.request_id === requestId,
          ),
          'nor the change of the user',
        ).to.deep.equal([]);
        await signIn(api(), user.username);
      });
    }
  });

  describe('a change whose event cannot be written', () => {
    const failing = (log: AuditLog): AuditLog => ({
      ...log,
      append: (events) =>
        events.some((e) => e.action === 'user.updated')
          ? Promise.reject(new Error('audit write failed'))
          : log.append(events),
    });
    const served = useApi(open, {}, { auditLog: failing });
    const api = () => served.get();

    it('does not happen: the request fails and the user is unchanged', async () => {
      const user = await api().createUser({ full_name: 'Unchanged' });
      const res = await api()
        .http.patch(`/api/v1/users/${user.id}`)
        .set(bearer(user.token))
        .send({ full_name: 'Changed' });
      expect(res.status).to.equal(500);
      const read = await api().http.get(`/api/v1/users/${user.id}`).set(bearer(user.token));
      expect(read.body.full_name).to.equal('Unchanged');
    });
  });
}
