/**
 * Lines that can be tied together, and security events that can be counted:
 * - every line written while a request is served carries its request_id (handler lines, the
 *   slow-query warnings of the database hook, the security events);
 * - security events have lines of their own (auth_failed, auth_locked, refresh_reuse_detected,
 *   password_changed, password_reset, session_revoked) with ids only, never a password, hash or
 *   token;
 * - /metrics counts sign-ins by outcome, refresh reuse, rate-limited requests, and shows the
 *   database pool and whether the Redis fallback is active.
 */
import { expect } from 'chai';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { LoggingSecurityEvents } from '../../src/adapters/logging/logging-security-events.js';
import { ServiceMetrics } from '../../src/adapters/metrics/service-metrics.js';
import { openMikroOrmPersistence } from '../../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import { ADMIN, PASSWORD, bearer, startApi, type TestApi } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { requireRedis, runKeyPrefix, cleanUpRedisPrefix, testRedisUrl } from '../support/redis.js';
import {
  describeStorages,
  requireStorage,
  storageTargets,
  type OpenedStorage,
} from '../support/storage.js';
import { useApi } from './suites/harness.js';

const SECURITY_EVENTS = [
  'auth_failed',
  'auth_locked',
  'refresh_reuse_detected',
  'password_changed',
  'password_reset',
  'session_revoked',
];
const WRONG = 'Wrong1Password';
const NEW_PASSWORD = 'Changed1Passw0rd';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value of one sample of the Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(labels === '' ? `${name} ` : `${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const metricsOf = async (api: TestApi): Promise<string> => (await api.http.get('/metrics')).text;

describeStorages('request_id on every line', ['in-memory'], (target) => {
  const ctx = useApi(() => target.open());

  it('handler lines and security events written during a request carry its request_id', async () => {
    const api = ctx.get();
    const user = await api.createUser();
    api.logger.clear();
    const me = await api.http
      .get('/api/v1/users/me')
      .set(bearer(user.token))
      .set('X-Request-Id', 'trace-me-1');
    expect(me.status).to.equal(200);
    const failed = await api.http
      .post('/api/v1/auth/token')
      .set('X-Request-Id', 'trace-fail-1')
      .send({ username: user.username, password: WRONG });
    expect(failed.status).to.equal(401);
    const handlers = api.logger.find('handler');
    expect(handlers.length, 'handler lines written').to.be.greaterThan(1);
    for (const entry of api.logger.entries) {
      expect(entry.fields['request_id'], `${entry.fields['event']} line`).to.be.oneOf([
        'trace-me-1',
        'trace-fail-1',
      ]);
    }
    expect(api.logger.find('auth_failed').map((e) => e.fields['request_id'])).to.deep.equal([
      'trace-fail-1',
    ]);
    expect(
      handlers
        .filter((e) => e.fields['request_id'] === 'trace-me-1')
        .map((e) => e.fields['handler']),
    ).to.include('AuthenticateHandler');
  });

  it('lines written outside any request carry none', async () => {
    const api = ctx.get();
    api.logger.clear();
    api.logger.info('outside', { event: 'outside' });
    expect(api.logger.find('outside')[0]?.fields).to.not.have.property('request_id');
  });
});

for (const kind of ['pglite', 'postgresql'] as const) {
  describe(`request_id on slow_query lines [${kind}]`, function () {
    this.timeout(60_000);
    const logger = new MemoryLogger('debug');
    let database: TestDatabase | undefined;
    let store: Awaited<ReturnType<typeof openMikroOrmPersistence>> | undefined;
    let api: TestApi | undefined;

    before(async function () {
      if (kind === 'postgresql') {
        await requireStorage(
          storageTargets().find((t) => t.name === 'postgresql')!,
          this,
          'request_id on slow_query lines',
        );
        database = await createTestDatabase();
      }
      // Every statement of at least 1 ms is "slow": some of a sign-up and a search always are.
      store = await openMikroOrmPersistence(
        kind === 'postgresql' ? { kind, url: database!.url } : { kind, dataDir: null },
        { logger, slowQueryMs: 1 },
      );
      api = await startApi(store, {}, { logger });
    });
    after(async () => {
      await api?.close();
      await store?.close();
      await database?.drop();
    });

    it('every slow_query line written while serving carries the request_id', async () => {
      logger.clear();
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const id = `trace-slow-${i}`;
        ids.push(id);
        const res = await api!.http
          .post('/api/v1/users')
          .set('X-Request-Id', id)
          .send({ email: `slow${i}@example.com`, username: `slow_${i}`, password: PASSWORD });
        expect(res.status).to.equal(201);
      }
      const admin = await api!.token(ADMIN.username, ADMIN.password);
      logger.clear();
      for (let i = 0; i < 3; i += 1) {
        const id = `trace-search-${i}`;
        ids.push(id);
        expect(
          (
            await api!.http
              .get('/api/v1/users?search=slow')
              .set(bearer(admin))
              .set('X-Request-Id', id)
          ).status,
        ).to.equal(200);
      }
      const slow = logger.find('slow_query');
      expect(slow.length, 'slow_query lines').to.be.greaterThan(0);
      for (const entry of slow) expect(entry.fields['request_id']).to.be.oneOf(ids);
    });
  });
}

describeStorages('security events', ['in-memory', 'postgresql'], (target) => {
  const ctx = useApi(() => target.open(), {
    login: { maxFailures: 2, lockS: 60 },
    server: { trustProxy: true },
  });
  let address = 0;
  const from = () => ({ 'X-Forwarded-For': `192.0.2.${++address}` });
  const signIn = (api: TestApi, username: string, password: string, where = from()) =>
    api.http.post('/api/v1/auth/token').set(where).send({ username, password });
  const secretsSeen: string[] = [PASSWORD, WRONG, NEW_PASSWORD, ADMIN.password];

  afterEach(() => {
    const api = ctx.get();
    const lines = JSON.stringify(
      api.logger.entries.filter((e) => SECURITY_EVENTS.includes(String(e.fields['event']))),
    );
    for (const secret of secretsSeen)
      expect(lines, 'a security line holding a secret').to.not.contain(secret);
    expect(lines).to.not.match(/\$argon2|v4\.public\./);
  });

  it('auth_failed for a wrong password and an unknown login, then auth_locked; sign-ins counted by outcome', async () => {
    const api = ctx.get();
    const user = await api.createUser();
    const before = await metricsOf(api);
    api.logger.clear();
    const where = from();
    expect((await signIn(api, user.username, WRONG, where)).status).to.equal(401);
    expect((await signIn(api, 'nobody_at_all', WRONG, where)).status).to.equal(401);
    expect((await signIn(api, user.username, WRONG, where)).status).to.equal(401);
    expect((await signIn(api, user.username, PASSWORD, where)).status).to.equal(429);
    expect((await signIn(api, user.username, PASSWORD)).status).to.equal(200);

    const failed = api.logger.find('auth_failed').map((e) => e.fields);
    expect(failed).to.have.length(3);
    expect(failed[0]).to.include({
      via: 'sign_in',
      reason: 'bad_credentials',
      user_id: user.id,
      ip: where['X-Forwarded-For'],
    });
    expect(failed[1]).to.include({ user_id: null });
    expect(failed[0]).to.have.property('request_id');
    const locked = api.logger.find('auth_locked').map((e) => e.fields);
    expect(locked).to.have.length(1);
    expect(locked[0]).to.include({ via: 'sign_in', user_id: user.id });
    expect(locked[0]?.['retry_after_s']).to.be.a('number');

    const after = await metricsOf(api);
    const delta = (outcome: string) =>
      (sample(after, 'auth_sign_ins_total', `outcome="${outcome}"`) ?? NaN) -
      (sample(before, 'auth_sign_ins_total', `outcome="${outcome}"`) ?? NaN);
    expect({
      success: delta('success'),
      failure: delta('failure'),
      locked: delta('locked'),
    }).to.deep.equal({ success: 1, failure: 3, locked: 1 });
  });

  it('password_changed, and session_revoked for the sessions it ended', async () => {
    const api = ctx.get();
    const user = await api.createUser();
    api.logger.clear();
    const res = await api.http
      .post('/api/v1/users/me/password')
      .set(bearer(user.token))
      .send({ current_password: PASSWORD, new_password: NEW_PASSWORD });
    expect(res.status).to.equal(204);
    expect(api.logger.find('password_changed').map((e) => e.fields['user_id'])).to.deep.equal([
      user.id,
    ]);
    const revoked = api.logger.find('session_revoked').map((e) => e.fields);
    expect(revoked).to.have.length(1);
    expect(revoked[0]).to.include({
      user_id: user.id,
      reason: 'password_changed',
      sessions: 1,
      session_id: null,
    });
  });

  it('session_revoked on logout (once) and on deactivation', async () => {
    const api = ctx.get();
    const user = await api.createUser();
    const signedIn = await signIn(api, user.username, PASSWORD);
    api.logger.clear();
    for (let i = 0; i < 2; i += 1)
      expect(
        (
          await api.http
            .post('/api/v1/auth/logout')
            .send({ refresh_token: signedIn.body.refresh_token })
        ).status,
      ).to.equal(204);
    const logout = api.logger.find('session_revoked').map((e) => e.fields);
    expect(logout, 'a second logout ends nothing').to.have.length(1);
    expect(logout[0]).to.include({ user_id: user.id, reason: 'logout', sessions: 1 });
    expect(logout[0]?.['session_id']).to.be.a('string');

    api.logger.clear();
    const off = await api.http
      .patch(`/api/v1/users/${user.id}`)
      .set(bearer(await api.adminToken()))
      .send({ is_active: false });
    expect(off.status).to.equal(200);
    const deactivated = api.logger.find('session_revoked').map((e) => e.fields);
    expect(deactivated).to.have.length(1);
    expect(deactivated[0]).to.include({
      user_id: user.id,
      reason: 'deactivated',
      sessions: 1,
      session_id: null,
    });
  });

  it('refresh_reuse_detected and session_revoked when a spent refresh token comes back; counted', async () => {
    const api = ctx.get();
    const user = await api.createUser();
    const first = await signIn(api, user.username, PASSWORD);
    const before = sample(await metricsOf(api), 'auth_refresh_reuse_detected_total') ?? NaN;
    expect(
      (
        await api.http
          .post('/api/v1/auth/refresh')
          .send({ refresh_token: first.body.refresh_token })
      ).status,
    ).to.equal(200);
    api.logger.clear();
    expect(
      (
        await api.http
          .post('/api/v1/auth/refresh')
          .send({ refresh_token: first.body.refresh_token })
      ).status,
    ).to.equal(401);
    expect(api.logger.find('refresh_reuse_detected').map((e) => e.fields['user_id'])).to.deep.equal(
      [user.id],
    );
    expect(api.logger.find('session_revoked').map((e) => e.fields['reason'])).to.deep.equal([
      'refresh_reuse',
    ]);
    expect(
      (sample(await metricsOf(api), 'auth_refresh_reuse_detected_total') ?? NaN) - before,
    ).to.equal(1);
  });

  it('shows the database pool in use and waiting', async () => {
    const api = ctx.get();
    // A unit of work holds a connection of the pool (PostgreSQL) while the metrics are read.
    const text = await api.service.persistence.unitOfWork.run(async () => {
      await api.service.persistence.users.findById(1);
      return metricsOf(api);
    });
    expect(sample(text, 'db_pool_connections_in_use')).to.equal(
      target.name === 'postgresql' ? 1 : 0,
    );
    expect(sample(text, 'db_pool_connections_waiting')).to.equal(0);
    expect(
      sample(text, 'redis_fallback_active'),
      'no Redis configured: nothing to fall back from',
    ).to.equal(0);
  });
});

describe('security events: password_reset', () => {
  it('has a line of its own, with the account id only', () => {
    const logger = new MemoryLogger('debug');
    new LoggingSecurityEvents(
      logger,
      new ServiceMetrics({ pool: () => null, redisFallback: () => false }),
    ).record({ type: 'password_reset', userId: 42 });
    expect(
      logger.find('password_reset').map((e) => ({ level: e.level, fields: e.fields })),
    ).to.deep.equal([{ level: 'info', fields: { event: 'password_reset', user_id: 42 } }]);
  });
});

describeStorages('metrics: rate-limited requests', ['in-memory'], (target) => {
  const ctx = useApi(() => target.open(), { rateLimit: { max: 2, windowS: 60 } });

  it('counts each 429 of the request budget', async () => {
    const api = ctx.get();
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await api.http.get('/api/v1/users/me')).status);
    expect(statuses).to.deep.equal([401, 401, 429, 429]);
    expect(sample(await metricsOf(api), 'http_rate_limited_total')).to.equal(2);
  });
});

describe('metrics: the Redis fallback', function () {
  this.timeout(30_000);
  const inMemory = storageTargets().find((t) => t.name === 'in-memory')!;
  const prefix = runKeyPrefix();
  const opened: OpenedStorage[] = [];
  const apis: TestApi[] = [];
  after(async () => {
    await Promise.all(apis.map((api) => api.close()));
    await Promise.all(opened.map((store) => store.dispose()));
    await cleanUpRedisPrefix(prefix);
  });

  async function withRedis(url: string): Promise<TestApi> {
    const store = await inMemory.open();
    opened.push(store);
    const api = await startApi(store, { redis: { url } }, { redisKeyPrefix: prefix });
    apis.push(api);
    return api;
  }

  it('is 1 while the configured Redis cannot be reached', async () => {
    const api = await withRedis('redis://127.0.0.1:1');
    expect(sample(await metricsOf(api), 'redis_fallback_active')).to.equal(1);
  });

  it('is 0 once connected to Redis', async function () {
    await requireRedis(this, 'metrics: the Redis fallback');
    const api = await withRedis(testRedisUrl());
    let value = sample(await metricsOf(api), 'redis_fallback_active');
    for (let i = 0; i < 50 && value !== 0; i += 1) {
      await sleep(100);
      value = sample(await metricsOf(api), 'redis_fallback_active');
    }
    expect(value).to.equal(0);
  });
});
