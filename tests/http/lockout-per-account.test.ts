/**
 * The sign-in lockout counts per account when the login names one: the username and the email of
 * an account share one count, and wrong current passwords at /users/me/password lock sign-in by
 * either. A login that names no account is counted as typed. On every store.
 */
import { expect } from 'chai';
import { PASSWORD, bearer, type TestApi } from '../support/api.js';
import { describeStorages } from '../support/storage.js';
import { useApi } from './suites/harness.js';

const WRONG = 'Wrong1Password';

describeStorages('sign-in lockout per account', (target) => {
  const ctx = useApi(() => target.open(), {
    login: { maxFailures: 3, lockS: 60 },
    server: { trustProxy: true },
  });
  let address = 0;
  const from = () => ({ 'X-Forwarded-For': `203.0.113.${++address}` });
  const signIn = (
    api: TestApi,
    username: string,
    password: string,
    where: Record<string, string>,
  ) => api.http.post('/api/v1/auth/token').set(where).send({ username, password });

  it('failures by username and by email add up: the account is locked for both', async () => {
    const api = ctx.get();
    const user = await api.createUser();
    const email = user.body['email'] as string;
    const where = from();
    expect((await signIn(api, user.username, WRONG, where)).status).to.equal(401);
    expect((await signIn(api, email, WRONG, where)).status).to.equal(401);
    expect((await signIn(api, email.toUpperCase(), WRONG, where)).status).to.equal(401);
    for (const login of [user.username, email]) {
      const locked = await signIn(api, login, PASSWORD, where);
      expect(
        locked.status,
        `sign-in by ${login === email ? 'email' : 'username'} with the right password`,
      ).to.equal(429);
      expect(locked.headers['retry-after']).to.match(/^\d+$/);
    }
    expect((await signIn(api, email, PASSWORD, from())).status, 'another address').to.equal(200);
  });

  it('after the lock by username, the email gets no fresh guesses', async () => {
    const api = ctx.get();
    const user = await api.createUser();
    const where = from();
    for (let i = 0; i < 3; i += 1)
      expect((await signIn(api, user.username, WRONG, where)).status).to.equal(401);
    expect((await signIn(api, user.body['email'] as string, WRONG, where)).status).to.equal(429);
  });

  it('wrong current passwords at /users/me/password lock sign-in by email too', async () => {
    const api = ctx.get();
    const user = await api.createUser();
    const where = from();
    for (let i = 0; i < 3; i += 1) {
      const res = await api.http
        .post('/api/v1/users/me/password')
        .set(bearer(user.token))
        .set(where)
        .send({ current_password: WRONG, new_password: 'Changed1Passw0rd' });
      expect(res.status).to.equal(400);
    }
    expect((await signIn(api, user.body['email'] as string, PASSWORD, where)).status).to.equal(429);
  });

  it('a login that names no account is counted as typed: locked after the same number, others go on', async () => {
    const api = ctx.get();
    const where = from();
    const statuses = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push((await signIn(api, 'nobody@example.com', WRONG, where)).status);
    expect(statuses).to.deep.equal([401, 401, 401, 429]);
    expect((await signIn(api, 'someone_else@example.com', WRONG, where)).status).to.equal(401);
  });
});
