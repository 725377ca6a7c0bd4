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
      const res = await api.http
        .get(`/api/v1/users/${user.id}`)
        .set(bearer(user.token))
        .set('X-Request-Id', 'log-check-1');
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
      await api.http
        .post('/api/v1/users')
        .send({ email: 'logsafe@example.com', username: 'logsafe', password: secret });
      const grant = await api.http
        .post('/api/v1/auth/token')
        .send({ username: 'logsafe', password: secret });
      const token = grant.body.access_token as string;
      await api.http.get('/api/v1/users/me').set(bearer(token));
      await api.http
        .post('/api/v1/auth/token')
        .type('form')
        .send({ username: ADMIN.username, password: PASSWORD });
      const everything = JSON.stringify(api.logger.entries);
      expect(api.logger.entries.length).to.be.greaterThan(3);
      expect(everything).to.not.contain(secret);
      expect(everything).to.not.contain(token);
      expect(everything).to.not.contain(PASSWORD);
      expect(everything.toLowerCase()).to.not.contain('bearer');
    });
  });

  describe('readiness, metrics and hardening', () => {
    const ctx = useApi(open, { server: { corsOrigins: ['https://app.example.com'] } });

    it('GET /health/ready is 200 naming each backing service', async () => {
      const res = await ctx.get().http.get('/health/ready');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ status: 'ok', checks: { database: 'ok' } });
    });

    it('readiness is 503 naming the store that failed, and recovers with it', async () => {
      const api = ctx.get();
      const persistence = api.service.persistence;
      const ping = persistence.ping.bind(persistence);
      persistence.ping = async () => {
        throw new Error('connection refused');
      };
      try {
        const res = await api.http.get('/health/ready');
        expect(res.status).to.equal(503);
        expect(res.body.status).to.equal('unavailable');
        expect(res.body.checks.database).to.equal('failed: connection refused');
      } finally {
        persistence.ping = ping;
      }
      expect((await api.http.get('/health/ready')).status).to.equal(200);
    });

    it('GET /metrics has request counts and latency by method, route template and status', async () => {
      const api = ctx.get();
      await api.http.get('/api/v1/users/12345');
      await api.http.get('/api/v1/users/12345');
      const res = await api.http.get('/metrics');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.contain('text/plain');
      expect(res.text).to.match(
        /http_requests_total\{method="GET",route="\/api\/v1\/users\/:id",status="401"\} 2/,
      );
      expect(res.text).to.contain(
        'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/users/:id",status="401"}',
      );
      expect(res.text).to.contain('process_cpu_user_seconds_total');
      expect(res.text).to.contain('nodejs_eventloop_lag_seconds');
    });

    it('sets security headers', async () => {
      const res = await ctx.get().http.get('/health/live');
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers['content-security-policy']).to.contain("script-src 'self'");
      expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
    });

    it('answers CORS for the listed origins only, exposing the API headers', async () => {
      const api = ctx.get();
      const allowed = await api.http
        .options('/api/v1/users')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST');
      expect(allowed.status).to.equal(204);
      expect(allowed.headers['access-control-allow-origin']).to.equal('https://app.example.com');
      expect(allowed.headers['access-control-allow-headers']).to.contain('Authorization');
      const simple = await api.http.get('/health/live').set('Origin', 'https://app.example.com');
      expect(simple.headers['access-control-expose-headers'])
        .to.contain('X-Request-Id')
        .and.contain('Location');
      const other = await api.http.get('/health/live').set('Origin', 'https://evil.example.com');
      expect(other.headers['access-control-allow-origin']).to.equal(undefined);
    });

    it('readiness turns 503 as soon as the service starts draining (the last test of this block)', async () => {
      const api = ctx.get();
      api.service.startDraining();
      const res = await api.http.get('/health/ready');
      expect(res.status).to.equal(503);
      expect(res.body).to.deep.equal({ status: 'draining' });
      expect((await api.http.get('/health/live')).status).to.equal(200);
    });
  });
}
