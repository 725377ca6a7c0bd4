/**
 * Two service processes on one PostgreSQL database and one Redis, as instances behind a load
 * balancer: a logout on one bites on the other, and so does a sign-in lockout.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTokenKeyPair } from '../../src/adapters/security/paserk-keys.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { requireRedis, testRedisUrl } from '../support/redis.js';
import { requireStorage, storageTargets } from '../support/storage.js';
import { startService, type Running } from './process.js';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

describe('two service processes sharing PostgreSQL and Redis', function () {
  this.timeout(90_000);
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  const running: Running[] = [];

  before(async function () {
    await requireStorage(
      storageTargets().find((t) => t.name === 'postgresql')!,
      this,
      'two service processes sharing PostgreSQL and Redis',
    );
    await requireRedis(this, 'two service processes sharing PostgreSQL and Redis');
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'um-e2e-sessions-'));
    const key = await generateTokenKeyPair();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      DATA_DIR: dataDir,
      TOKEN_KEY_ID: 'e2e',
      TOKEN_SIGNING_KEY: key.secret,
      LOGIN_MAX_FAILURES: '2',
      // The lock (and with it the key in Redis) is gone two seconds after the test.
      LOGIN_LOCK_S: '2',
    };
    // One after the other: the first migrates the empty database.
    running.push(await startService(env));
    running.push(await startService(env));
  });

  after(async () => {
    await Promise.all(running.map((r) => (r.child.exitCode === null ? r.stop('SIGKILL') : null)));
    await database?.drop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('a logout on one instance ends the session on the other, and a lockout is shared', async () => {
    const [a, b] = running as [Running, Running];
    const username = `e2e_${process.pid}_${Date.now()}`;
    const created = await fetch(
      `${a.base}/api/v1/users`,
      json({ email: `${username}@example.com`, username, password: 'E2ePassw0rd' }),
    );
    expect(created.status).to.equal(201);

    const signedIn = await fetch(
      `${a.base}/api/v1/auth/token`,
      json({ username, password: 'E2ePassw0rd' }),
    );
    expect(signedIn.status).to.equal(200);
    const pair = (await signedIn.json()) as { access_token: string; refresh_token: string };
    const me = (base: string, token: string) =>
      fetch(`${base}/api/v1/users/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await me(b.base, pair.access_token)).status).to.equal(200);
    expect(
      (await fetch(`${b.base}/api/v1/auth/logout`, json({ refresh_token: pair.refresh_token })))
        .status,
    ).to.equal(204);
    expect((await me(a.base, pair.access_token)).status).to.equal(401);

    expect(
      (await fetch(`${a.base}/api/v1/auth/token`, json({ username, password: 'Wrong1Passw0rd' })))
        .status,
    ).to.equal(401);
    expect(
      (await fetch(`${b.base}/api/v1/auth/token`, json({ username, password: 'Wrong1Passw0rd' })))
        .status,
    ).to.equal(401);
    const locked = await fetch(
      `${a.base}/api/v1/auth/token`,
      json({ username, password: 'E2ePassw0rd' }),
    );
    expect(locked.status).to.equal(429);
    expect(locked.headers.get('retry-after')).to.equal('2');
  });

  it('drains and exits 0 on SIGTERM, closing Redis too', async () => {
    const codes = await Promise.all(running.map((r) => r.stop('SIGTERM')));
    expect(codes).to.deep.equal([0, 0]);
    for (const r of running) expect(r.stdout()).to.not.contain('redis_unavailable');
  });
});
