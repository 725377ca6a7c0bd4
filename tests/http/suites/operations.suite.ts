import { expect } from 'chai';
import { ADMIN, PASSWORD, bearer } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

export function operationsSuite(open: OpenStore): void {
  describe('request log', () => {
    const ctx = useApi(open);

    it('writes one api_request line per request with the contract fields', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      api.logger.clear();
      const res = await api.http.get(`/api/v1/users/${user.id}`).set(bearer(user.token)).set('X-Request-Id', 'log-check-1');
      expect(res.status).to.equal(200);
      const lines = api.logger.find('api_request');
      expect(lines).to.have.length(1);
      expect(lines[0]!.level).to.equal('info');
      expect(lines[0]!.fields).to.include({
        method: 'GET',
        route: '/api/v1/users/:id',
        path: `/api/v1/users/${user.id}`,
        status: 200,
        user_id: user.id,
        request_id: 'log-check-1',
      });
      expect(lines[0]!.fields['duration_ms']).to.be.a('number');
      expect(lines[0]!.fields['ip']).to.be.a('string');
    });

    it('logs errors with their final status, and unknown routes too', async () => {
      const api = ctx.get();
      api.logger.clear();
      await api.http.get('/api/v1/users/me');
      await api.http.get('/api/v1/no-such-thing');
      const statuses = api.logger.find('api_request').map((l) => l.fields['status']);
      expect(statuses).to.deep.equal([401, 404]);
    });

    it('never logs passwords, tokens or the Authorization header', async () => {
      const api = ctx.get();
      api.logger.clear();
      const secret = 'Sup3rSecretPassw0rd';
      await api.http.post('/api/v1/users').send({ email: 'logsafe@example.com', username: 'logsafe', password: secret });
      const grant = await api.http.post('/api/v1/auth/token').send({ username: 'logsafe', password: secret });
      const token = grant.body.access_token as string;
      await api.http.get('/api/v1/users/me').set(bearer(token));
      await api.http.post('/api/v1/auth/token').type('form').send({ username: ADMIN.username, password: PASSWORD });
      const everything = JSON.stringify(api.logger.entries);
      expect(api.logger.entries.length).to.be.greaterThan(3);
      expect(everything).to.not.contain(secret);
      expect(everything).to.not.contain(token);
      expect(everything).to.not.contain(PASSWORD);
      expect(everything.toLowerCase()).to.not.contain('bearer');
    });
  });
}
