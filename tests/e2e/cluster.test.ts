/**
 * WEB_CONCURRENCY=2: the built service as a node:cluster on PostgreSQL. The primary migrates and
 * creates the first admin once, two workers serve one port, a worker that dies is replaced, and
 * SIGTERM drains every worker before the primary exits 0. On the embedded database, which one
 * process at a time can open, the start is refused with a configuration error.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTokenKeyPair } from '../../src/adapters/security/paserk-keys.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { requireStorage, storageTargets } from '../support/storage.js';
import { MAIN, runNode, startService, type Running } from './process.js';

const ADMIN = {
  ADMIN_EMAIL: 'cluster-admin@example.com',
  ADMIN_USERNAME: 'cluster_admin',
  ADMIN_PASSWORD: 'ClusterPassw0rd',
};

type Line = Record<string, unknown>;

const lines = (running: Running): Line[] =>
  running
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

const events = (running: Running, event: string): Line[] =>
  lines(running).filter((l) => l['event'] === event);

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the service as a cluster of two workers (WEB_CONCURRENCY=2)', function () {
  this.timeout(120_000);
  let dataDir: string;
  let database: TestDatabase | undefined;
  let running: Running | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'um-e2e-cluster-'));
  });

  afterEach(async () => {
    if (running !== undefined && running.child.exitCode === null) await running.stop('SIGKILL');
    running = undefined;
  });

  after(async () => {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start on the embedded database, naming the setting', async () => {
    const { code, stderr } = await runNode(MAIN, [], { WEB_CONCURRENCY: '2', DATA_DIR: dataDir });
    expect(code).to.equal(1);
    expect(stderr).to.contain('server.webConcurrency (WEB_CONCURRENCY)');
    expect(stderr).to.contain('DATABASE_URL');
  });

  it('creates the admin once, serves from two workers, replaces a dead one and drains all on SIGTERM', async function () {
    await requireStorage(
      storageTargets().find((t) => t.name === 'postgresql')!,
      this,
      'the service as a cluster',
    );
    database = await createTestDatabase();
    const key = await generateTokenKeyPair();
    running = await startService({
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      WEB_CONCURRENCY: '2',
      TOKEN_KEY_ID: 'cluster',
      TOKEN_SIGNING_KEY: key.secret,
      ...ADMIN,
    });
    const service = running;
    const primary = service.child.pid!;

    // `started` comes from the primary once both workers listen.
    expect(events(service, 'started')[0]).to.include({ workers: 2 });
    const workers = await until('two workers', () => {
      const pids = events(service, 'worker_started').map((l) => l['pid'] as number);
      return pids.length === 2 ? pids : undefined;
    });
    expect(new Set(workers).size).to.equal(2);
    expect(workers).to.not.include(primary);
    expect(events(service, 'admin_created')).to.have.length(1);
    expect(events(service, 'admin_not_created')).to.have.length(0);

    const signIn = await fetch(`${service.base}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: ADMIN.ADMIN_USERNAME, password: ADMIN.ADMIN_PASSWORD }),
    });
    expect(signIn.status).to.equal(200);
    const { access_token: token } = (await signIn.json()) as { access_token: string };
    // New connections go to the workers in turn; every one of them knows the token.
    const me = () =>
      fetch(`${service.base}/api/v1/users/me`, {
        headers: { Authorization: `Bearer ${token}`, Connection: 'close' },
      });
    for (let i = 0; i < 6; i++) expect((await me()).status).to.equal(200);

    // A worker that dies is replaced; the other one serves meanwhile.
    const [victim, survivor] = workers as [number, number];
    process.kill(victim, 'SIGKILL');
    const replacement = await until('a replacement worker', () => {
      const pids = events(service, 'worker_started').map((l) => l['pid'] as number);
      return pids.find((pid) => !workers.includes(pid));
    });
    expect(events(service, 'worker_exited')[0]).to.include({ pid: victim, signal: 'SIGKILL' });
    expect(alive(survivor)).to.equal(true);
    for (let i = 0; i < 6; i++) expect((await me()).status).to.equal(200);

    // SIGTERM drains both workers, then the primary exits 0.
    expect(await service.stop('SIGTERM')).to.equal(0);
    expect(alive(survivor)).to.equal(false);
    expect(alive(replacement)).to.equal(false);
    expect(events(service, 'stopped').at(-1)).to.include({ workers: 2 });
    // Each worker drained as a single process does: its own stopping and stopped lines.
    expect(events(service, 'stopped')).to.have.length(3);
    expect(service.stderr()).to.equal('');
  });
});
