import { expect } from 'chai';
import { bearer } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

export function conventionsSuite(open: OpenStore): void {
  describe('conventions', () => {
    const ctx = useApi(open);

    it('answers JSON in UTF-8 with snake_case fields and ISO 8601 UTC times', async () => {
      const api = ctx.get();
      const { body } = await api.createUser({ full_name: 'Ada Lovelace' });
      const res = await api.http
        .get(`/api/v1/users/${body['id']}`)
        .set(bearer(await api.adminToken()));
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(Object.keys(res.body).sort()).to.deep.equal(
        [
          'created_at',
          'email',
          'email_verified',
          'full_name',
          'id',
          'is_active',
          'role',
          'updated_at',
          'username',
        ].sort(),
      );
      expect(res.body.created_at).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(res.body.updated_at).to.match(/Z$/);
      expect(res.body).to.not.have.any.keys('password', 'password_hash', 'passwordHash');
    });

    for (const bad of ['abc', '0', '-1', '1.5', '1e3', '99999999999']) {
      it(`rejects the malformed path id ${bad} with 400`, async () => {
        const api = ctx.get();
        const res = await api.http.get(`/api/v1/users/${bad}`).set(bearer(await api.adminToken()));
        expect(res.status).to.equal(400);
        expect(res.body.error).to.equal('BadRequestError');
        expect(res.body.message).to.contain('Invalid user id');
      });
    }

    it('echoes a safe X-Request-Id and uses it in errors', async () => {
      const res = await ctx.get().http.get('/api/v1/nowhere').set('X-Request-Id', 'abc-123_x.y');
      expect(res.headers['x-request-id']).to.equal('abc-123_x.y');
      expect(res.body.request_id).to.equal('abc-123_x.y');
    });

    it('replaces an unsafe or over-long X-Request-Id with a new UUID', async () => {
      const api = ctx.get();
      for (const offered of ['x'.repeat(129), 'has space', 'quote"d', '']) {
        const res = await api.http.get('/health/live').set('X-Request-Id', offered);
        expect(res.headers['x-request-id']).to.match(
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        );
      }
      const long = 'y'.repeat(128);
      expect(
        (await api.http.get('/health/live').set('X-Request-Id', long)).headers['x-request-id'],
      ).to.equal(long);
    });

    it('gives every response an X-Request-Id, even without one offered', async () => {
      const res = await ctx.get().http.post('/api/v1/users').send({});
      expect(res.status).to.equal(422);
      expect(res.headers['x-request-id']).to.be.a('string').with.length.greaterThan(0);
      expect(res.body.request_id).to.equal(res.headers['x-request-id']);
    });

    it('serves GET /health/live without a token', async () => {
      const res = await ctx.get().http.get('/health/live');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ status: 'ok' });
    });
  });
}
