import { expect } from 'chai';
import { bearer, type TestApi } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

const PROBLEM = 'application/problem+json; charset=utf-8';

function expectProblem(
  res: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
  status: number,
  type: string,
): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers['content-type']).to.equal(PROBLEM);
  expect(res.body['type']).to.equal(type);
  expect(res.body['status']).to.equal(status);
  expect(res.body['title']).to.be.a('string');
  expect(res.body['detail']).to.be.a('string');
  expect(res.body['instance']).to.be.a('string');
  expect(res.body['request_id']).to.equal(res.headers['x-request-id']);
  expect(res.body).to.not.have.any.keys('error', 'message', 'path');
}

export function versionsSuite(open: OpenStore): void {
  describe('version 2 and header versioning', () => {
    const ctx = useApi(open);

    it('v2 errors are RFC 9457 problem details; v1 keeps its shape', async () => {
      const api = ctx.get();
      const token = await api.adminToken();
      const v2 = await api.http.get('/api/v2/users/2000000000').set(bearer(token));
      expectProblem(v2, 404, '/problems/not-found');
      expect(v2.body.detail).to.equal('User with id 2000000000 not found');
      expect(v2.body.instance).to.equal('/api/v2/users/2000000000');
      const v1 = await api.http.get('/api/v1/users/2000000000').set(bearer(token));
      expect(v1.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(v1.body).to.include({
        error: 'NotFoundError',
        message: 'User with id 2000000000 not found',
      });
    });

    it('v2 validation problems list every bad field under errors', async () => {
      const res = await ctx
        .get()
        .http.post('/api/v2/users')
        .send({ email: 'bad', username: 'x', password: 'weak' });
      expectProblem(res, 422, '/problems/validation');
      expect(
        (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort(),
      ).to.deep.equal(['email', 'password', 'username']);
    });

    it('every layer answers v2 in problem details: router, auth, body parser, 405', async () => {
      const api = ctx.get();
      expectProblem(await api.http.get('/api/v2/nothing'), 404, '/problems/not-found');
      expectProblem(await api.http.get('/api/v2/users/me'), 401, '/problems/unauthorized');
      expectProblem(
        await api.http.post('/api/v2/users').set('Content-Type', 'application/json').send('{'),
        400,
        '/problems/bad-request',
      );
      const method = await api.http.delete('/api/v2/users');
      expectProblem(method, 405, '/problems/method-not-allowed');
      expect(method.headers['allow']).to.contain('GET');
    });

    it('problem types are documented at their URI', async () => {
      const res = await ctx.get().http.get('/problems/not-found');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ type: '/problems/not-found', status: 404, title: 'Not Found' });
      expect((await ctx.get().http.get('/problems/nonsense')).status).to.equal(404);
    });

    it('a v2 sign-up answers with a v2 Location', async () => {
      const res = await ctx
        .get()
        .http.post('/api/v2/users')
        .send({ email: 'v2loc@example.com', username: 'v2loc', password: 'Passw0rdOk' });
      expect(res.status).to.equal(201);
      expect(res.headers['location']).to.equal(`/api/v2/users/${res.body.id}`);
    });

    describe('unprefixed paths', () => {
      it('are served by version 1 without X-API-Version', async () => {
        const api = ctx.get();
        const res = await api.http.get('/users/me').set(bearer(await api.adminToken()));
        expect(res.status).to.equal(200);
        expect(res.body.role).to.equal('admin');
        const error = await api.http.get('/users/2000000000').set(bearer(await api.adminToken()));
        expect(error.body).to.include({ error: 'NotFoundError' });
        expect(error.headers['vary']).to.contain('X-API-Version');
      });

      it('are served by version 2 with X-API-Version: 2', async () => {
        const api = ctx.get();
        const res = await api.http
          .get('/users?limit=1')
          .set(bearer(await api.adminToken()))
          .set('X-API-Version', '2');
        expect(res.status).to.equal(200);
        expect(res.body).to.have.keys('items', 'next_cursor');
        expectProblem(
          await api.http.get('/users/me').set('X-API-Version', '2'),
          401,
          '/problems/unauthorized',
        );
      });

      it('any other X-API-Version is 400 Unsupported API version', async () => {
        const api = ctx.get();
        for (const value of ['3', '0', 'abc', '1.0', 'v1']) {
          const res = await api.http.get('/users/me').set('X-API-Version', value);
          expect(res.status, value).to.equal(400);
          expect(res.body.message).to.equal(`Unsupported API version: ${value}`);
        }
      });

      it('sign-in works without a prefix too', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const res = await api.http
          .post('/auth/token')
          .send({ username: user.username, password: 'Passw0rdOk' });
        expect(res.status).to.equal(200);
      });
    });
  });

  describe('GET /api/v2/users (keyset pages)', () => {
    const ctx = useApi(open);
    let admin: string;
    let ids: number[];

    before(async function () {
      this.timeout(60_000);
      const api: TestApi = ctx.get();
      admin = await api.adminToken();
      ids = [];
      for (let i = 0; i < 7; i += 1)
        ids.push((await api.createUser({ username: `ks_${String.fromCharCode(103 - i)}${i}` })).id);
    });

    const get = (query: string) => ctx.get().http.get(`/api/v2/users${query}`).set(bearer(admin));

    async function walk(query: string): Promise<{ ids: number[]; pages: number }> {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(
          `${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        );
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        pages += 1;
        seen.push(...(res.body.items as Array<{ id: number }>).map((u) => u.id));
        cursor = res.body.next_cursor as string | null;
        if (cursor === null) expect(res.headers['link']).to.equal(undefined);
        else
          expect(res.headers['link'])
            .to.contain('rel="next"')
            .and.contain(`cursor=${encodeURIComponent(cursor)}`);
        expect(pages).to.be.below(20);
      } while (cursor !== null);
      return { ids: seen, pages };
    }

    it('walks every user once, in order, page by page; next_cursor is null on the last page', async () => {
      const { ids: seen, pages } = await walk('?limit=3&search=ks_');
      expect(seen).to.deep.equal(ids);
      expect(pages).to.equal(3);
    });

    it('works for each sort, both directions', async () => {
      const byName = (await walk('?limit=2&search=ks_&sort=username')).ids;
      expect(byName).to.deep.equal([...ids].reverse());
      expect((await walk('?limit=2&search=ks_&sort=-username')).ids).to.deep.equal(ids);
      expect((await walk('?limit=4&search=ks_&sort=-created_at')).ids).to.deep.equal(
        [...ids].reverse(),
      );
      expect((await walk('?limit=5&search=ks_&sort=email')).ids).to.have.length(7);
    });

    it('is stable while rows are inserted or deleted', async () => {
      const api = ctx.get();
      const first = await get('?limit=3&search=ks_');
      const seen = (first.body.items as Array<{ id: number }>).map((u) => u.id);
      await api.http.delete(`/api/v1/users/${seen[0]}`).set(bearer(admin));
      const added = await api.createUser({ username: 'ks_late' });
      const second = await get(
        `?limit=3&search=ks_&cursor=${encodeURIComponent(first.body.next_cursor)}`,
      );
      expect((second.body.items as Array<{ id: number }>).map((u) => u.id)).to.deep.equal(
        ids.slice(3, 6),
      );
      const rest = await walk(
        `?limit=100&search=ks_&cursor=${encodeURIComponent(second.body.next_cursor)}`,
      );
      expect(rest.ids).to.deep.equal([ids[6], added.id]);
    });

    it('a tampered or foreign cursor is 400', async () => {
      const first = await get('?limit=2&search=ks_');
      const cursor = first.body.next_cursor as string;
      const [payload, signature] = cursor.split('.');
      const forged = `${Buffer.from(JSON.stringify({ k: '1970-01-01T00:00:00.000Z', i: 1, q: 'x' })).toString('base64url')}.${signature}`;
      for (const bad of [
        `${payload}.AAAA${signature!.slice(4)}`,
        forged,
        'garbage',
        `${cursor}.x`,
      ]) {
        const res = await get(`?limit=2&search=ks_&cursor=${encodeURIComponent(bad)}`);
        expectProblem(res, 400, '/problems/bad-request');
      }
      const otherSort = await get(
        `?limit=2&search=ks_&sort=-created_at&cursor=${encodeURIComponent(cursor)}`,
      );
      expectProblem(otherSort, 400, '/problems/bad-request');
      expect(otherSort.body.detail).to.contain('another query');
    });

    it('limit must be 1 to 100; v1 page parameters are not v2 ones', async () => {
      for (const q of ['?limit=0', '?limit=101', '?limit=x']) {
        const res = await get(q);
        expect(res.status, q).to.equal(400);
        expect(res.body.detail).to.equal('Limit must be between 1 and 100');
      }
      const res = await get('?limit=2&page=3');
      expect(res.status).to.equal(200);
      expect(res.body).to.not.have.property('total');
    });
  });

  describe('GET /api/v2/users/{id}/orders (keyset pages)', () => {
    const ctx = useApi(open);

    it("walks a user's orders newest first; a cursor of another user's list is 400", async () => {
      const api = ctx.get();
      const owner = await api.createUser();
      const other = await api.createUser();
      const placed: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await api.http
          .post(`/api/v1/users/${owner.id}/orders`)
          .set(bearer(owner.token))
          .send({
            currency: 'EUR',
            items: [{ sku: `SKU-${i}`, quantity: 1, unit_price_cents: 100 + i }],
          });
        expect(res.status).to.equal(201);
        placed.push(res.body.id as number);
        api.clock.advance(1000);
      }
      const seen: number[] = [];
      let cursor: string | null = null;
      let firstCursor: string | null = null;
      do {
        const res = await api.http
          .get(
            `/api/v2/users/${owner.id}/orders?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
          )
          .set(bearer(owner.token));
        expect(res.status).to.equal(200);
        expect(res.body).to.have.keys('items', 'next_cursor');
        seen.push(...(res.body.items as Array<{ id: number }>).map((o) => o.id));
        cursor = res.body.next_cursor as string | null;
        firstCursor ??= cursor;
      } while (cursor !== null);
      expect(seen).to.deep.equal([...placed].reverse());
      const foreign = await api.http
        .get(`/api/v2/users/${other.id}/orders?limit=2&cursor=${encodeURIComponent(firstCursor!)}`)
        .set(bearer(await api.adminToken()));
      expectProblem(foreign, 400, '/problems/bad-request');
      const v1 = await api.http
        .get(`/api/v1/users/${owner.id}/orders?page_size=2`)
        .set(bearer(owner.token));
      expect(v1.body).to.include({ total: 5, page: 1, page_size: 2, total_pages: 3 });
    });
  });
}
