import { expect } from 'chai';
import { bearer } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

function expectError(
  res: { status: number; body: Record<string, unknown> },
  status: number,
  error: string,
): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.body['error']).to.equal(error);
  expect(res.body['message']).to.be.a('string').and.not.equal('');
  expect(res.body['path']).to.be.a('string');
  expect(res.body['request_id']).to.be.a('string');
}

export function errorsSuite(open: OpenStore): void {
  describe('errors (v1)', () => {
    const ctx = useApi(open, { server: { bodyLimitBytes: 2048 } });

    it('unknown route: 404 NotFoundError in the one shape', async () => {
      const res = await ctx.get().http.get('/api/v1/nothing/here');
      expectError(res, 404, 'NotFoundError');
      expect(res.body.path).to.equal('/api/v1/nothing/here');
    });

    it('known path, wrong method: 405 with Allow', async () => {
      const res = await ctx.get().http.delete('/api/v1/users');
      expectError(res, 405, 'MethodNotAllowedError');
      expect(res.headers['allow']).to.include('GET').and.include('POST');
      const item = await ctx.get().http.post('/api/v1/users/1');
      expectError(item, 405, 'MethodNotAllowedError');
      expect(item.headers['allow']).to.include('DELETE').and.include('PATCH').and.include('PUT');
    });

    it('malformed JSON: 400', async () => {
      const res = await ctx
        .get()
        .http.post('/api/v1/users')
        .set('Content-Type', 'application/json')
        .send('{"email": ');
      expectError(res, 400, 'BadRequestError');
    });

    it('a body that is not JSON: 415', async () => {
      const res = await ctx
        .get()
        .http.post('/api/v1/users')
        .set('Content-Type', 'text/plain')
        .send('email=a@b.co');
      expectError(res, 415, 'UnsupportedMediaTypeError');
    });

    it('a body over the configured limit: 413', async () => {
      const api = ctx.get();
      const res = await api.http.post('/api/v1/users').send({
        email: 'big@example.com',
        username: 'big',
        password: 'Passw0rdOk',
        full_name: 'x'.repeat(4000),
      });
      expectError(res, 413, 'PayloadTooLargeError');
    });

    it('an oversized body without a token on a protected route: 401 first', async () => {
      const res = await ctx
        .get()
        .http.put('/api/v1/users/1')
        .send({ full_name: 'x'.repeat(4000) });
      expectError(res, 401, 'UnauthorizedError');
    });

    it('validation: 422 naming every bad field, unknown fields included', async () => {
      const res = await ctx
        .get()
        .http.post('/api/v1/users')
        .send({
          email: 'not-an-email',
          username: 'a b',
          password: 'short',
          full_name: 'x'.repeat(101),
          id: 5,
          created_at: 'now',
          nickname: 'z',
        });
      expectError(res, 422, 'ValidationError');
      const fields = (res.body.details as Array<{ field: string; message: string }>)
        .map((d) => d.field)
        .sort();
      expect(fields).to.deep.equal([
        'created_at',
        'email',
        'full_name',
        'id',
        'nickname',
        'password',
        'username',
      ]);
      const email = (res.body.details as Array<{ field: string; message: string }>).find(
        (d) => d.field === 'email',
      );
      expect(email?.message).to.equal('Invalid email format');
    });

    it('validation: missing fields are each named; wrong types too', async () => {
      const res = await ctx.get().http.post('/api/v1/users').send({ email: 42, full_name: false });
      expectError(res, 422, 'ValidationError');
      const details = res.body.details as Array<{ field: string; message: string }>;
      expect(details.map((d) => d.field).sort()).to.deep.equal([
        'email',
        'full_name',
        'password',
        'username',
      ]);
      expect(details.find((d) => d.field === 'username')?.message).to.equal('Field required');
    });

    it('a JSON body that is not an object: 422', async () => {
      const res = await ctx
        .get()
        .http.post('/api/v1/users')
        .set('Content-Type', 'application/json')
        .send('[1,2]');
      expectError(res, 422, 'ValidationError');
    });

    it('an unexpected failure: 500 with a generic message, the stack only in the log', async () => {
      const api = ctx.get();
      const token = await api.adminToken();
      const readModel = api.service.persistence.userReadModel;
      const original = readModel.getById.bind(readModel);
      readModel.getById = async () => {
        throw new Error('relation "users" does not exist at SELECT secret_column');
      };
      try {
        // Another user's id: the caller's own account would come from the account check instead.
        const res = await api.http.get('/api/v1/users/424242').set(bearer(token));
        expectError(res, 500, 'InternalServerError');
        expect(res.body.message).to.equal('Internal server error');
        expect(JSON.stringify(res.body)).to.not.contain('relation').and.not.contain('SELECT');
        const logged = api.logger.find('api_error');
        expect(logged.length).to.be.greaterThan(0);
        expect(String(logged.at(-1)?.fields['stack'])).to.contain('secret_column');
        expect(logged.at(-1)?.fields['request_id']).to.equal(res.body.request_id);
      } finally {
        readModel.getById = original;
      }
    });
  });
}
