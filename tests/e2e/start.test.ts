/**
 * The entry point as a person or a container runs it: `node dist/src/main.js` on the embedded
 * database, the first admin from ADMIN_*, data and keys that survive a restart, SIGTERM, and
 * a start refused for a bad setting.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MAIN, runNode, startService, type Running } from './process.js';

const ADMIN = {
  ADMIN_EMAIL: 'first@example.com',
  ADMIN_USERNAME: 'first_admin',
  ADMIN_PASSWORD: 'FirstPassw0rd',
};

async function signIn(base: string, username: string, password: string): Promise<Response> {
  return fetch(`${base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

/** Starts the service with `start-probe.js` loaded first (`--import`). */
function startProbed(dataDir: string): Promise<Running> {
  const probe = join(dirname(fileURLToPath(import.meta.url)), 'start-probe.js');
  return startService({ DATA_DIR: dataDir }, 30_000, [
    process.execPath,
    '--import',
    pathToFileURL(probe).href,
    MAIN,
  ]);
}

/** What the probe wrote under `key` to the stderr of a stopped service. */
function probed<T>(running: Running, key: string): T {
  const line = running
    .stderr()
    .split('\n')
    .find((l) => l.startsWith(`{"${key}"`));
  expect(line, key).to.be.a('string');
  return (JSON.parse(line!) as Record<string, T>)[key]!;
}

describe('the service process on the embedded database', function () {
  this.timeout(90_000);
  let dataDir: string;
  let running: Running | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'um-e2e-'));
  });

  afterEach(async () => {
    if (running !== undefined && running.child.exitCode === null) await running.stop('SIGKILL');
    running = undefined;
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  let token = '';

  it('serves on PGlite, and the admin from ADMIN_* signs in', async () => {
    running = await startService({ DATA_DIR: dataDir, ...ADMIN });
    const res = await signIn(running.base, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    expect(res.status).to.equal(200);
    token = ((await res.json()) as { access_token: string }).access_token;
    const me = await fetch(`${running.base}/api/v1/users/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(me.status).to.equal(200);
    expect(await me.json()).to.include({ username: ADMIN.ADMIN_USERNAME, role: 'admin' });
    const created = await fetch(`${running.base}/api/v1/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email: 'kept@example.com',
        username: 'kept',
        password: 'KeptPassw0rd',
      }),
    });
    expect(created.status).to.equal(201);
  });

  it('writes one JSON api_request line per request to stdout, without secrets', async () => {
    running = await startService({ DATA_DIR: dataDir });
    await signIn(running.base, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    await fetch(`${running.base}/health/live`);
    const code = await running.stop();
    expect(code).to.equal(0);
    const lines = running
      .stdout()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l['event'] === 'api_request');
    expect(requests.map((l) => l['path'])).to.deep.equal(['/api/v1/auth/token', '/health/live']);
    for (const field of [
      'timestamp',
      'method',
      'route',
      'path',
      'status',
      'duration_ms',
      'user_id',
      'ip',
      'request_id',
    ]) {
      expect(requests[0]).to.have.property(field);
    }
    expect(running.stdout()).to.not.contain(ADMIN.ADMIN_PASSWORD);
  });

  it('keeps data and the development signing key across a restart: old tokens still verify', async () => {
    running = await startService({ DATA_DIR: dataDir, ...ADMIN });
    const me = await fetch(`${running.base}/api/v1/users/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(me.status).to.equal(200);
    const kept = await signIn(running.base, 'kept', 'KeptPassw0rd');
    expect(kept.status).to.equal(200);
    expect(running.stdout()).to.not.contain('admin_created');
  });

  it('names its URL and its docs when it starts; drains and exits 0 on SIGTERM', async () => {
    running = await startService({ DATA_DIR: dataDir });
    const started = running
      .stdout()
      .split('\n')
      .find((line) => line.includes('"event":"started"'));
    const url = `http://localhost:${running.port}`;
    expect(JSON.parse(started!)).to.include({
      message: `listening on ${url} (docs at ${url}/docs)`,
      url,
      docs: `${url}/docs`,
    });
    const code = await running.stop('SIGTERM');
    expect(code).to.equal(0);
    expect(running.stdout()).to.contain('"event":"stopped"');
  });

  it("answers, errors included, without loading Node's fetch implementation (undici), https or tls, which it never uses", async () => {
    running = await startProbed(dataDir);
    const answers = {
      '/health/ready': 200,
      '/': 200,
      '/api/v1/users/me': 401,
      '/api/v2/users/me': 401,
      '/nowhere': 404,
    };
    for (const [path, status] of Object.entries(answers))
      expect((await fetch(`${running.base}${path}`)).status, path).to.equal(status);
    expect((await signIn(running.base, 'kept', 'KeptPassw0rd')).status).to.equal(200);
    expect(await running.stop('SIGTERM')).to.equal(0);
    const loaded = probed<string[]>(running, 'builtinsLoaded');
    expect(loaded).to.include('NativeModule http');
    expect(loaded.filter((name) => name.includes('undici'))).to.deep.equal([]);
    // prom-client's index would load them for its Pushgateway (adapters/metrics/prom-client.ts).
    expect(loaded).not.to.include('NativeModule https');
    expect(loaded).not.to.include('NativeModule tls');
  });

  it("sets the embedded store's V8 flags before it loads the ORM, the HTTP stack or PGlite", async () => {
    // Loading them grows V8's young generation, which the flags keep small when embedded.
    running = await startProbed(dataDir);
    expect(await running.stop('SIGTERM')).to.equal(0);
    const { flag, packages } = probed<{ flag: string; packages: string[] }>(
      running,
      'flagsSetAfter',
    );
    expect(flag).to.match(/^--/);
    // The config's own packages are loaded by then; none of these is.
    expect(packages).to.include('config');
    for (const heavy of ['@mikro-orm/core', 'koa', '@electric-sql/pglite', 'winston', 'tsyringe'])
      expect(packages, heavy).not.to.include(heavy);
  });

  it('stops on a SIGTERM sent to `npm start`: the script hands its process over to node', async () => {
    running = await startService({ DATA_DIR: dataDir }, 60_000, ['npm', 'start']);
    const code = await running.stop('SIGTERM');
    expect(code).to.equal(0);
    expect(running.stdout()).to.contain('"event":"stopped"');
  });

  it('refuses to start on a bad setting, naming it', async () => {
    const result = await runNode(MAIN, [], {
      DATA_DIR: dataDir,
      PORT: 'abc',
      RATE_LIMIT_MAX: '-5',
    });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('PORT').and.contain('RATE_LIMIT_MAX');
  });

  it('refuses to start in production without token keys', async () => {
    const result = await runNode(MAIN, [], { DATA_DIR: dataDir, NODE_ENV: 'production' });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('TOKEN_SIGNING_KEY');
  });
});

describe('the service process drains in-flight requests on SIGTERM', function () {
  this.timeout(90_000);
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'um-drain-'));
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses new connections, finishes the request in flight, closes and exits 0', async () => {
    const running = await startService({ DATA_DIR: dataDir });
    const body = JSON.stringify({
      email: 'inflight@example.com',
      username: 'inflight',
      password: 'InFlightPassw0rd',
    });
    const socket = connect(running.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Half the request, then SIGTERM while it is in flight.
    socket.write(
      `POST /api/v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exit = running.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await new Promise<boolean>((resolve) => {
      const probe = connect(running.port, '127.0.0.1');
      probe.once('connect', () => {
        probe.destroy();
        resolve(false);
      });
      probe.once('error', () => resolve(true));
    });
    expect(refused, 'a new connection during the drain').to.equal(true);
    socket.write(body.slice(10));
    await closed;
    expect(answer).to.match(/^HTTP\/1\.1 201 Created/);
    expect(answer).to.contain('"username":"inflight"');
    expect(await exit).to.equal(0);
    expect(running.stdout()).to.contain('"event":"stopping"').and.contain('"event":"stopped"');
  });
});
