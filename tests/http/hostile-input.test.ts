/**
 * Input a careful outside tester would send: control characters, lone surrogates, text in
 * another normalisation form, inputs echoed without limit, paths in another case, ids beyond
 * what the database holds. On every store: none of it is a 5xx, each is refused with the status
 * the contract names, in an error shape the OpenAPI document declares.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { TOKEN_ISSUER, type TokenIssuer } from '../../src/application/ports/tokens.js';
import { HTTP_OPTIONS, type HttpOptions } from '../../src/adapters/http/http-options.js';
import { CursorCodec } from '../../src/adapters/http/kit/cursor.js';
import { ERROR_ECHO_MAX, ERROR_DETAILS_MAX } from '../../src/adapters/http/kit/errors.js';
import { bearer, PASSWORD } from '../support/api.js';
import { DocumentSchema } from '../support/document-schema.js';
import { describeStorages } from '../support/storage.js';
import { useApi } from './suites/harness.js';

const schemas = new DocumentSchema();

/** The answer's body satisfies the document's error schema of its version. */
function expectErrorShape(res: { status: number; body: unknown }, version: 1 | 2 = 1): void {
  const problems = schemas.component(version === 1 ? 'ErrorV1' : 'Problem', res.body);
  expect(problems, JSON.stringify(res.body).slice(0, 300)).to.deep.equal([]);
}

const CONTROL = ['\u0000', '\u0001', '\u001f', '\u007f', '\n', '\t'];
const LONE = ['\ud800', '\udfff', 'a\ud83db'];

describeStorages('Hostile input', ['in-memory', 'pglite', 'postgresql'], (target) => {
  const ctx = useApi(() => target.open());

  describe('text that is not text (C0 controls, lone surrogates)', () => {
    for (const bad of [...CONTROL, ...LONE]) {
      const label = JSON.stringify(bad);
      it(`refuses ${label} in a sign-up field with 422 naming it`, async () => {
        const api = ctx.get();
        const res = await api.http.post('/api/v1/users').send({
          email: `x${randomUUID().slice(0, 8)}@example.com`,
          username: `u${randomUUID().slice(0, 8)}`,
          password: PASSWORD,
          full_name: `Ada${bad}Lovelace`,
        });
        expect(res.status, JSON.stringify(res.body)).to.equal(422);
        expect(res.body.details.map((d: { field: string }) => d.field)).to.deep.equal([
          'full_name',
        ]);
        expectErrorShape(res);
      });

      it(`refuses ${label} in a password with 422 and in a login with 401`, async () => {
        const api = ctx.get();
        const signUp = await api.http.post('/api/v1/users').send({
          email: `p${randomUUID().slice(0, 8)}@example.com`,
          username: `p${randomUUID().slice(0, 8)}`,
          password: `${PASSWORD}${bad}`,
        });
        expect(signUp.status).to.equal(422);
        expect(signUp.body.details.map((d: { field: string }) => d.field)).to.deep.equal([
          'password',
        ]);
        for (const body of [
          { username: `root${bad}`, password: 'RootPassw0rd' },
          { username: 'root', password: `RootPassw0rd${bad}` },
        ]) {
          const res = await api.http.post('/api/v1/auth/token').send(body);
          expect(res.status, JSON.stringify(res.body)).to.equal(401);
          expect(res.body.message).to.equal('Incorrect username or password');
        }
      });

      it(`refuses ${label} in a PUT and a PATCH with 422, in a query with 400, in a refresh token with 401`, async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const patch = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ full_name: `x${bad}` });
        expect(patch.status, JSON.stringify(patch.body)).to.equal(422);
        expect(patch.body.details[0].field).to.equal('full_name');
        const put = await api.http
          .put(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ email: user.body['email'], username: user.username, full_name: `x${bad}` });
        expect(put.status).to.equal(422);
        // A URL carries UTF-8: a lone surrogate cannot be written in one, only a control character.
        if (!LONE.includes(bad)) {
          const list = await api.http
            .get('/api/v1/users')
            .query({ search: `ad${bad}a` })
            .set(bearer(await api.adminToken()));
          expect(list.status, JSON.stringify(list.body)).to.equal(400);
          expect(list.body.message).to.match(/search/);
          expectErrorShape(list);
        }
        const refresh = await api.http
          .post('/api/v1/auth/refresh')
          .send({ refresh_token: `abc${bad}def` });
        expect(refresh.status).to.equal(401);
      });
    }

    it('refuses a control character in a path with 400', async () => {
      const api = ctx.get();
      const res = await api.http.get('/api/v1/users/1%00').set(bearer(await api.adminToken()));
      expect(res.status).to.equal(400);
      expectErrorShape(res);
    });

    it('refuses an Idempotency-Key with a control character with 400 and replaces such an X-Request-Id', async () => {
      const api = ctx.get();
      const res = await api.http
        .post('/api/v1/users')
        .set('Idempotency-Key', 'key\twith-tab')
        .set('X-Request-Id', 'id\twith-tab')
        .send({ email: 'k@example.com', username: 'kkk', password: PASSWORD });
      expect(res.status).to.equal(400);
      expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    });
  });

  describe('Unicode normalisation (NFC before validation, comparison, hashing and storage)', () => {
    it('stores and answers a full name in NFC, whatever form it was sent in', async () => {
      const api = ctx.get();
      const nfd = 'Zoe\u0308 Cafe\u0301';
      const user = await api.createUser({ full_name: nfd });
      expect(user.body['full_name']).to.equal(nfd.normalize('NFC'));
      const read = await api.http.get(`/api/v1/users/${user.id}`).set(bearer(user.token));
      expect(read.body.full_name).to.equal('Zo\u00eb Caf\u00e9');
    });

    it('signs in with a password typed in another normalisation form', async () => {
      const api = ctx.get();
      const user = await api.createUser({ password: 'Passw0rd-Cafe\u0301' });
      const res = await api.http
        .post('/api/v1/auth/token')
        .send({ username: user.username, password: 'Passw0rd-Caf\u00e9' });
      expect(res.status).to.equal(200);
    });

    it('finds a user by a search term in another normalisation form', async () => {
      const api = ctx.get();
      await api.createUser({ full_name: 'Ren\u00e9e Noe\u0308l' });
      const res = await api.http
        .get('/api/v1/users')
        .query({ search: 'Rene\u0301e No\u00ebl' })
        .set(bearer(await api.adminToken()));
      expect(res.status).to.equal(200);
      expect(res.body.items.map((u: { full_name: string }) => u.full_name)).to.deep.equal([
        'Ren\u00e9e No\u00ebl',
      ]);
    });
  });

  describe('errors echo input only in part', () => {
    it("keeps at most the contract's share of a long query value in the message (v1 and v2)", async () => {
      const api = ctx.get();
      const long = 'r'.repeat(9000);
      for (const version of [1, 2] as const) {
        const res = await api.http
          .get(`/api/v${version}/users`)
          .query({ role: long })
          .set(bearer(await api.adminToken()));
        expect(res.status).to.equal(400);
        const message = String(version === 1 ? res.body.message : res.body.detail);
        expect(message).to.not.include('r'.repeat(ERROR_ECHO_MAX + 1));
        expect(message).to.include('r'.repeat(100));
        expectErrorShape(res, version);
      }
    });

    it(`lists at most ${ERROR_DETAILS_MAX} details for a body with thousands of unknown fields`, async () => {
      const api = ctx.get();
      const body: Record<string, unknown> = {
        email: 'many@example.com',
        username: 'many',
        password: PASSWORD,
      };
      for (let i = 0; i < 9000; i += 1) body[`k${i}`] = 1;
      for (const version of [1, 2] as const) {
        const res = await api.http.post(`/api/v${version}/users`).send(body);
        expect(res.status).to.equal(422);
        const details = version === 1 ? res.body.details : res.body.errors;
        expect(details).to.have.length(ERROR_DETAILS_MAX);
        expect(JSON.stringify(res.body).length).to.be.below(20_000);
        expectErrorShape(res, version);
      }
    });

    it('truncates a long unknown field name and a long path', async () => {
      const api = ctx.get();
      const field = await api.http.post('/api/v1/users').send({
        email: 'f@example.com',
        username: 'ffff',
        password: PASSWORD,
        ['f'.repeat(5000)]: 1,
      });
      expect(field.status).to.equal(422);
      expectErrorShape(field);
      for (const version of [1, 2] as const) {
        const res = await api.http.get(`/api/v${version}/${'p'.repeat(8000)}`);
        expect(res.status).to.equal(404);
        expect(JSON.stringify(res.body)).to.not.include('p'.repeat(ERROR_ECHO_MAX + 1));
        expectErrorShape(res, version);
      }
    });
  });

  describe('paths are case-sensitive', () => {
    // Under a prefix that matches exactly, the error is in that version's shape; otherwise in version 1's.
    for (const [path, version] of [
      ['/API/V1/users/me', 1],
      ['/api/V2/users/me', 1],
      ['/Api/v1/users/me', 1],
      ['/api/v1/Users/me', 1],
      ['/api/v2/USERS', 2],
    ] as const) {
      it(`answers ${path} with 404 in version ${version}'s shape`, async () => {
        const api = ctx.get();
        const res = await api.http.get(path).set(bearer(await api.adminToken()));
        expect(res.status).to.equal(404);
        expect(version === 1 ? res.body.error : res.body.title).to.equal(
          version === 1 ? 'NotFoundError' : 'Not Found',
        );
        expectErrorShape(res, version);
      });
    }
  });

  describe('ids beyond a 32-bit integer', () => {
    it("refuses a token whose sub is beyond 2^31 - 1 (signed with the service's key) with 401", async () => {
      const api = ctx.get();
      const issuer = api.service.container.resolve<TokenIssuer>(TOKEN_ISSUER);
      for (const userId of [2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
        const { token } = await issuer.issueAccessToken({ userId, sessionId: randomUUID() });
        const res = await api.http.get('/api/v1/users/me').set(bearer(token));
        expect(res.status, `${userId}: ${JSON.stringify(res.body)}`).to.equal(401);
        expectErrorShape(res);
      }
    });

    it('refuses a signed cursor whose id is beyond 2^31 - 1 with 400', async () => {
      const api = ctx.get();
      const options = api.service.container.resolve<HttpOptions>(HTTP_OPTIONS);
      const cursors = new CursorCodec(options.cursorSecret);
      const fingerprint = CursorCodec.fingerprint({
        sort: 'created_at',
        role: undefined,
        is_active: undefined,
        search: undefined,
      });
      const cursor = cursors.encode({ key: new Date().toISOString(), id: 2 ** 31 }, fingerprint);
      const res = await api.http
        .get('/api/v2/users')
        .query({ cursor })
        .set(bearer(await api.adminToken()));
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expectErrorShape(res, 2);
    });
  });
});
