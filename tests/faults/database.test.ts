/**
 * PostgreSQL becomes unreachable while the service runs: requests get 503
 * ServiceUnavailableError quickly (never a 500), readiness names the database, and when it is
 * back everything recovers without a restart. The outage is made by cutting a TCP proxy of the
 * test's own, never by stopping the machine's PostgreSQL.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import supertest from 'supertest';
import { buildApp } from '../../src/adapters/http/app.js';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { ensureConfiguredAdmin } from '../../src/composition-root/bootstrap.js';
import { buildService, type Service } from '../../src/composition-root/container.js';
import { testConfig } from '../../src/config/config.js';
import { ADMIN } from '../support/api.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.js';
import { TcpProxy } from './tcp-proxy.js';

describe('faults: PostgreSQL unreachable', function () {
  this.timeout(90_000);
  let database: TestDatabase;
  let proxy: TcpProxy;
  let service: Service;
  let http: supertest.Agent;
  const logger = new MemoryLogger('debug');

  before(async function () {
    if (!(await postgresAvailable())) {
      if (process.env.CI === 'true') throw new Error('PostgreSQL is required in CI');
      console.warn('\n  PostgreSQL was not reachable: the database fault tests were skipped.\n');
      this.skip();
    }
    database = await createTestDatabase();
    const target = new URL(database.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    const config = testConfig({ database: { url: viaProxy.toString() }, admin: { ...ADMIN } });
    service = await buildService(config, { logger });
    await ensureConfiguredAdmin(service.container, config);
    http = supertest.agent(buildApp(service.container).callback());
  });

  after(async () => {
    await proxy?.restore().catch(() => undefined);
    await service?.close();
    await proxy?.cut();
    await database?.drop();
  });

  let token = '';

  it('serves while the database answers', async () => {
    const res = await http
      .post('/api/v1/auth/token')
      .send({ username: ADMIN.username, password: ADMIN.password });
    expect(res.status).to.equal(200);
    token = res.body.access_token as string;
    expect(
      (await http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`)).status,
    ).to.equal(200);
    expect((await http.get('/health/ready')).body).to.deep.include({ status: 'ok' });
  });

  it("answers 503 ServiceUnavailableError, quickly and in each version's shape, while it is cut", async () => {
    await proxy.cut();
    const started = Date.now();
    const me = await http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).to.equal(503);
    expect(me.body).to.include({ error: 'ServiceUnavailableError' });
    expect(me.headers['retry-after']).to.equal('5');
    const signUp = await http
      .post('/api/v1/users')
      .send({ email: 'down@example.com', username: 'down_user', password: 'Passw0rdOk' });
    expect(signUp.status).to.equal(503);
    const v2 = await http.get('/api/v2/users/me').set('Authorization', `Bearer ${token}`);
    expect(v2.status).to.equal(503);
    expect(v2.body).to.include({ type: '/problems/unavailable', status: 503 });
    const signIn = await http
      .post('/api/v1/auth/token')
      .send({ username: ADMIN.username, password: ADMIN.password });
    expect(signIn.status).to.equal(503);
    expect(Date.now() - started).to.be.below(30_000);
    const errors = logger.find('api_error');
    expect(errors.length).to.be.greaterThan(0);
    expect(JSON.stringify(me.body)).to.not.match(/ECONNREFUSED|terminated|select/i);
  });

  it('readiness is 503 naming the database while it is cut', async () => {
    const res = await http.get('/health/ready');
    expect(res.status).to.equal(503);
    expect(res.body.status).to.equal('unavailable');
    expect(res.body.checks.database).to.match(/^failed: /);
    expect((await http.get('/health/live')).status).to.equal(200);
  });

  it('recovers without a restart when the database is back', async () => {
    await proxy.restore();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt += 1) {
      status = (await http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).to.equal(200);
    expect((await http.get('/health/ready')).status).to.equal(200);
    const signUp = await http
      .post('/api/v1/users')
      .send({ email: 'back@example.com', username: 'back_user', password: 'Passw0rdOk' });
    expect(signUp.status).to.equal(201);
  });
});
