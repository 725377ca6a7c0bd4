/**
 * Readiness decides from its checks: a required check that fails (the database) is 503 naming it,
 * an optional one (Redis) is 200 `degraded`, and draining is 503 whatever the checks say.
 */
import { expect } from 'chai';
import Koa from 'koa';
import supertest from 'supertest';
import { healthRouter, type ReadinessCheck } from '../../../../src/adapters/http/health.js';
import { HttpMetrics } from '../../../../src/adapters/http/metrics.js';

const ok = async () => undefined;
const down = async () => {
  throw new Error('connection refused');
};

function readinessOf(checks: ReadinessCheck[], draining = false) {
  const app = new Koa();
  app.use(healthRouter({ checks, draining: () => draining }, new HttpMetrics()).routes());
  return supertest(app.callback()).get('/health/ready');
}

describe('readiness', () => {
  it('is 200 degraded when only an optional backing service fails', async () => {
    const res = await readinessOf([
      { name: 'database', check: ok },
      { name: 'redis', required: false, check: down },
    ]);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      status: 'degraded',
      checks: { database: 'ok', redis: 'degraded' },
    });
  });

  it('is 503 naming the database when it fails, whatever Redis does', async () => {
    for (const redis of [ok, down]) {
      const res = await readinessOf([
        { name: 'database', check: down },
        { name: 'redis', required: false, check: redis },
      ]);
      expect(res.status).to.equal(503);
      expect(res.body.status).to.equal('unavailable');
      expect(res.body.checks.database).to.equal('failed: connection refused');
    }
  });

  it('is 503 draining while the service stops, even with every check passing', async () => {
    const res = await readinessOf(
      [
        { name: 'database', check: ok },
        { name: 'redis', required: false, check: ok },
      ],
      true,
    );
    expect(res.status).to.equal(503);
    expect(res.body).to.deep.equal({ status: 'draining' });
  });
});
