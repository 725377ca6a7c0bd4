/**
 * Redis dies while the service runs: the API keeps serving (never a 500), rate limits carry on
 * from each instance's memory with their headers, readiness stays 200 `degraded` naming redis (the
 * database alone makes it 503, so one Redis outage does not unready every instance); when Redis
 * is back on the same port the service returns to it without a restart. The Redis is a
 * throwaway redis-server of this test's own, killed with SIGKILL as a crash would, then stopped
 * with SIGSTOP as a hung server would be (its connections stay open and nothing answers).
 */
import 'reflect-metadata';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import supertest from 'supertest';
import { buildApp } from '../../src/adapters/http/app.js';
import { createInMemoryPersistence } from '../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { ensureConfiguredAdmin } from '../../src/composition-root/bootstrap.js';
import { buildService, type Service } from '../../src/composition-root/container.js';
import { testConfig } from '../../src/config/config.js';
import { ADMIN } from '../support/api.js';
import { keysUnder, runKeyPrefix, testRedisClient } from '../support/redis.js';
import { REDIS_SERVER, ThrowawayRedis, redisServerInstalled } from '../support/redis-server.js';

const MAX = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('faults: Redis dies, hangs and comes back', function () {
  this.timeout(60_000);
  const logger = new MemoryLogger('debug');
  const prefix = runKeyPrefix();
  let redis: ThrowawayRedis;
  let service: Service;
  let http: supertest.Agent;
  let address = 0;
  const from = () => ({ 'X-Forwarded-For': `192.0.2.${++address}` });

  /** A client of the test's own on the throwaway server, to look at the keys. */
  async function inspect<T>(use: (client: Redis) => Promise<T>): Promise<T> {
    const client = testRedisClient(redis.url);
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await use(client);
    } finally {
      client.disconnect();
    }
  }

  /** Polls readiness until its `status` field is `want` (or the time is up). */
  async function readiness(want: string, withinMs: number): Promise<supertest.Response> {
    const until = Date.now() + withinMs;
    let res = await http.get('/health/ready');
    while (res.body.status !== want && Date.now() < until) {
      await sleep(100);
      res = await http.get('/health/ready');
    }
    return res;
  }

  before(async function () {
    if (!redisServerInstalled()) {
      if (process.env.CI === 'true')
        throw new Error(`${REDIS_SERVER} is required in CI for the Redis fault tests`);
      console.warn(`\n  ${REDIS_SERVER} was not found: the Redis fault tests were skipped.\n`);
      this.skip();
    }
    redis = await ThrowawayRedis.start();
    const config = testConfig({
      redis: { url: redis.url },
      rateLimit: { max: MAX, windowS: 60 },
      server: { trustProxy: true },
      admin: { ...ADMIN },
    });
    service = await buildService(config, {
      persistence: createInMemoryPersistence(),
      logger,
      redisKeyPrefix: prefix,
    });
    await ensureConfiguredAdmin(service.container, config);
    http = supertest.agent(buildApp(service.container).callback());
    expect((await readiness('ok', 5_000)).body.status, 'connected to the throwaway Redis').to.equal(
      'ok',
    );
  });

  after(async () => {
    await service?.close();
    await redis?.kill();
  });

  it('counts requests in Redis while it is up', async () => {
    const where = from();
    const remaining = [];
    for (let i = 0; i <= MAX; i += 1) {
      const res = await http.get('/api/v1/users/me').set(where);
      remaining.push([res.status, res.headers['ratelimit-remaining']]);
    }
    expect(remaining).to.deep.equal([
      [401, '4'],
      [401, '3'],
      [401, '2'],
      [401, '1'],
      [401, '0'],
      [429, '0'],
    ]);
    const stored = await inspect(async (client) => {
      const keys = await keysUnder(client, `${prefix}:rate-limit`);
      return Promise.all(keys.map(async (key) => Number(await client.get(key))));
    });
    expect(stored, 'one key in Redis, holding the six requests').to.deep.equal([MAX + 1]);
  });

  it('keeps serving when Redis is killed: no 500, limits from memory with their headers, quickly', async () => {
    await redis.kill();
    const started = Date.now();
    const signIn = await http
      .post('/api/v1/auth/token')
      .set(from())
      .send({ username: ADMIN.username, password: ADMIN.password });
    expect(signIn.status, JSON.stringify(signIn.body)).to.equal(200);
    const token = signIn.body.access_token as string;
    const statuses = [];
    for (let i = 0; i <= MAX; i += 1) {
      const res = await http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`);
      expect(res.headers['ratelimit-limit']).to.equal(String(MAX));
      expect(Number(res.headers['ratelimit-reset'])).to.be.within(1, 60);
      statuses.push([res.status, res.headers['ratelimit-remaining']]);
    }
    expect(statuses, 'the budget of the user, now kept in memory').to.deep.equal([
      [200, '4'],
      [200, '3'],
      [200, '2'],
      [200, '1'],
      [200, '0'],
      [429, '0'],
    ]);
    const refused = await http.get('/api/v2/users/me').set('Authorization', `Bearer ${token}`);
    expect(refused.status).to.equal(429);
    expect(refused.body).to.include({ type: '/problems/rate-limited', status: 429 });
    expect(refused.headers['retry-after']).to.match(/^\d+$/);
    expect(Date.now() - started, 'no request waited for Redis').to.be.below(3_000);
    expect(logger.find('api_error'), 'no 500').to.have.length(0);
    expect(logger.find('redis_unavailable')).to.have.length(1);
  });

  it('readiness is 200 degraded naming redis while it is down; the database is fine, liveness too', async () => {
    const res = await http.get('/health/ready');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({
      status: 'degraded',
      checks: { database: 'ok', redis: 'degraded' },
    });
    expect((await http.get('/health/live')).status).to.equal(200);
  });

  it('returns to Redis when it is back on the same port, without a restart', async () => {
    await redis.start();
    const ready = await readiness('ok', 15_000);
    expect(ready.status, JSON.stringify(ready.body)).to.equal(200);
    expect(ready.body).to.deep.equal({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
    expect(logger.find('redis_available')).to.have.length(1);
    const where = from();
    for (let i = 0; i < 3; i += 1)
      expect(
        (await http.get('/api/v1/users/me').set(where)).headers['ratelimit-remaining'],
      ).to.equal(String(MAX - 1 - i));
    const stored = await inspect(async (client) => {
      const keys = await keysUnder(client, `${prefix}:rate-limit`);
      return Promise.all(keys.map(async (key) => Number(await client.get(key))));
    });
    expect(stored, 'counted in the new Redis (which started empty)').to.deep.equal([3]);
    expect(logger.find('api_error')).to.have.length(0);
  });
  it('stops waiting for a Redis that hangs: later requests do not wait for it, readiness is degraded, and it comes back', async () => {
    const remainingBefore = Number(
      (await http.get('/api/v1/users/me').set(from())).headers['ratelimit-remaining'],
    );
    expect(remainingBefore, 'counting in Redis').to.equal(MAX - 1);
    const lossesBefore = logger.find('redis_unavailable').length;
    redis.freeze();
    try {
      const until = Date.now() + 10_000;
      while (logger.find('redis_unavailable').length === lossesBefore && Date.now() < until)
        await sleep(100);
      const loss = logger.find('redis_unavailable').at(-1);
      expect(loss?.fields['error'], 'the hang noticed and logged').to.equal(
        'no answer within 1000 ms',
      );
      const degraded = await readiness('degraded', 10_000);
      expect(degraded.status, 'readiness while Redis hangs').to.equal(200);
      expect(degraded.body.checks).to.deep.equal({ database: 'ok', redis: 'degraded' });
      // Until the client notices, each command waits its timeout (1 s) before the insurance
      // answers; once it has given the connection up, requests do not wait for Redis at all.
      const where = from();
      const statuses = [];
      for (let i = 0; i < 5; i += 1) {
        const started = Date.now();
        const res = await http.get('/api/v1/users/me').set(where);
        statuses.push([res.status, res.headers['ratelimit-remaining'], Date.now() - started < 500]);
      }
      expect(statuses, 'counted in memory, none waiting for the command timeout').to.deep.equal([
        [401, '4', true],
        [401, '3', true],
        [401, '2', true],
        [401, '1', true],
        [401, '0', true],
      ]);
    } finally {
      redis.thaw();
    }
    const ready = await readiness('ok', 15_000);
    expect(ready.status, JSON.stringify(ready.body)).to.equal(200);
    expect(logger.find('redis_available'), 'back, and said so').to.have.length(2);
    expect(logger.find('api_error'), 'no 500').to.have.length(0);
  });
});
