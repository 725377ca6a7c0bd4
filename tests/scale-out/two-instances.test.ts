/**
 * Two instances of the service, each with its own HTTP server, behind nothing but the test: one
 * PostgreSQL database and one Redis (one key prefix), as "Running N instances" in the README
 * describes. What one instance does, the other sees: a user created on one is read on the other,
 * a logout on one ends the session on the other, and the rate limit is one budget for both.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/adapters/http/app.js';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { generateTokenKeyPair } from '../../src/adapters/security/paserk-keys.js';
import { ensureConfiguredAdmin } from '../../src/composition-root/bootstrap.js';
import { buildService, type Service } from '../../src/composition-root/container.js';
import { testConfig } from '../../src/config/config.js';
import { ADMIN, PASSWORD } from '../support/api.js';
import {
  createTestDatabase,
  describeUrl,
  postgresAvailable,
  testServerUrl,
  type TestDatabase,
} from '../support/postgres.js';
import { cleanUpRedisPrefix, requireRedis, runKeyPrefix, testRedisUrl } from '../support/redis.js';

const MAX = 8;

interface Instance {
  readonly name: string;
  readonly service: Service;
  readonly server: Server;
  readonly baseUrl: string;
  readonly logger: MemoryLogger;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

async function call(
  instance: Instance,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers['Authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${instance.baseUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

describe('scale-out: two instances on one PostgreSQL and one Redis', function () {
  this.timeout(90_000);
  const prefix = runKeyPrefix();
  let database: TestDatabase | undefined;
  const instances: Instance[] = [];
  let a: Instance;
  let b: Instance;
  let address = 0;
  const from = () => ({ 'X-Forwarded-For': `203.0.113.${++address}` });

  before(async function () {
    if (!(await postgresAvailable())) {
      const where = describeUrl(testServerUrl());
      if (process.env.CI === 'true')
        throw new Error(
          `PostgreSQL was not reachable at ${where}; CI requires it for the scale-out test.`,
        );
      console.warn(
        `\n  PostgreSQL was not reachable at ${where}, so the scale-out test was skipped (TEST_DATABASE_URL names the server).\n`,
      );
      this.skip();
    }
    await requireRedis(this, 'scale-out: two instances');
    database = await createTestDatabase();
    const key = await generateTokenKeyPair();
    // What every instance must share: the database, Redis, the token signing key, the limits.
    const config = testConfig({
      database: { url: database.url },
      redis: { url: testRedisUrl() },
      tokens: { signingKey: key.secret, keyId: 'scale-out' },
      rateLimit: { max: MAX, windowS: 60 },
      server: { trustProxy: true },
      admin: { ...ADMIN },
    });
    // One after the other: the first opens the database and runs the migrations.
    for (const name of ['a', 'b']) {
      const logger = new MemoryLogger('debug');
      const service = await buildService(config, { logger, redisKeyPrefix: prefix });
      await ensureConfiguredAdmin(service.container, config);
      const server = buildApp(service.container).listen(0, '127.0.0.1');
      await once(server, 'listening');
      const instance = {
        name,
        service,
        server,
        logger,
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      };
      instances.push(instance);
    }
    [a, b] = instances as [Instance, Instance];
    // Both connected to Redis before anything is counted (until then each counts in memory).
    for (const instance of instances) {
      let ready = await call(instance, 'GET', '/health/ready');
      for (let attempt = 0; attempt < 50 && ready.status !== 200; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        ready = await call(instance, 'GET', '/health/ready');
      }
      expect(ready.body, `readiness of ${instance.name}`).to.deep.equal({
        status: 'ok',
        checks: { database: 'ok', redis: 'ok' },
      });
    }
  });

  after(async () => {
    for (const instance of instances.splice(0)) {
      instance.server.closeAllConnections();
      await new Promise<void>((done) => instance.server.close(() => done()));
      await instance.service.close();
    }
    await database?.drop();
    await cleanUpRedisPrefix(prefix);
  });

  const signIn = async (instance: Instance, username: string, password = PASSWORD) => {
    const res = await call(instance, 'POST', '/api/v1/auth/token', {
      body: { username, password },
      headers: from(),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return { access: res.body.access_token as string, refresh: res.body.refresh_token as string };
  };

  it('a user created on one instance is read on the other', async () => {
    const created = await call(a, 'POST', '/api/v1/users', {
      body: { email: 'spread@example.com', username: 'spread', password: PASSWORD },
      headers: from(),
    });
    expect(created.status).to.equal(201);
    const id = created.body.id as number;
    const tokens = await signIn(b, 'spread');
    const read = await call(b, 'GET', `/api/v1/users/${id}`, { token: tokens.access });
    expect(read.status).to.equal(200);
    expect(read.body).to.include({ id, username: 'spread', email: 'spread@example.com' });
    const admin = await signIn(a, ADMIN.username, ADMIN.password);
    const listed = await call(b, 'GET', '/api/v1/users?search=spread', { token: admin.access });
    expect(listed.body.items.map((u: { id: number }) => u.id)).to.deep.equal([id]);
  });

  it('a logout on one instance is honoured by the other at once', async () => {
    await call(a, 'POST', '/api/v1/users', {
      body: { email: 'leaver@example.com', username: 'leaver', password: PASSWORD },
      headers: from(),
    });
    const session = await signIn(a, 'leaver');
    expect((await call(b, 'GET', '/api/v1/users/me', { token: session.access })).status).to.equal(
      200,
    );
    const out = await call(b, 'POST', '/api/v1/auth/logout', {
      body: { refresh_token: session.refresh },
      headers: from(),
    });
    expect(out.status).to.equal(204);
    const after = await call(a, 'GET', '/api/v1/users/me', { token: session.access });
    expect(after.status).to.equal(401);
    expect(after.body).to.include({
      error: 'UnauthorizedError',
      message: 'Token has been revoked',
    });
    expect(
      (
        await call(a, 'POST', '/api/v1/auth/refresh', {
          body: { refresh_token: session.refresh },
          headers: from(),
        })
      ).status,
    ).to.equal(401);
  });

  it("shares one rate limit: a user's requests split across the instances spend one budget", async () => {
    await call(a, 'POST', '/api/v1/users', {
      body: { email: 'busy@example.com', username: 'busy', password: PASSWORD },
      headers: from(),
    });
    const { access } = await signIn(b, 'busy');
    const seen: Array<[string, number, string | null]> = [];
    for (let i = 0; i <= MAX; i += 1) {
      const instance = i % 2 === 0 ? a : b;
      const res = await call(instance, 'GET', '/api/v1/users/me', { token: access });
      seen.push([instance.name, res.status, res.headers.get('ratelimit-remaining')]);
    }
    expect(seen).to.deep.equal([
      ['a', 200, '7'],
      ['b', 200, '6'],
      ['a', 200, '5'],
      ['b', 200, '4'],
      ['a', 200, '3'],
      ['b', 200, '2'],
      ['a', 200, '1'],
      ['b', 200, '0'],
      ['a', 429, '0'],
    ]);
    const refused = await call(b, 'GET', '/api/v1/users/me', { token: access });
    expect(refused.status).to.equal(429);
    expect(refused.body).to.include({ error: 'RateLimitError' });
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
  });

  it('shares the budget of an address the same way (behind the balancer, TRUST_PROXY)', async () => {
    const where = from();
    const statuses = [];
    for (let i = 0; i <= MAX; i += 1)
      statuses.push(
        (await call(i % 2 === 0 ? b : a, 'GET', '/api/v1/users/me', { headers: where })).status,
      );
    expect(statuses).to.deep.equal([...Array<number>(MAX).fill(401), 429]);
  });
});
