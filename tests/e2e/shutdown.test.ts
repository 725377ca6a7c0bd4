/**
 * SIGTERM under load: ten clients signing up in a loop on keep-alive connections, then SIGTERM.
 * The drain must finish (exit 0, not the forced exit 1 after SHUTDOWN_TIMEOUT_S): answers sent
 * after the signal carry `Connection: close` and their connections are closed, so the clients
 * stop bringing requests. Every 201 answered is stored: after a restart on the same store each of
 * those users is there. On the embedded database and on PostgreSQL. And the server's timeouts
 * are set from the config: a client that never finishes its headers gets 408 and is let go.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { requireStorage, storageTargets } from '../support/storage.js';
import { startService, type Running } from './process.js';

const ADMIN = {
  ADMIN_EMAIL: 'drain-admin@example.com',
  ADMIN_USERNAME: 'drain_admin',
  ADMIN_PASSWORD: 'DrainPassw0rd',
};
const CLIENTS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  readonly status: number;
  readonly connection: string | undefined;
  readonly body: string;
}

function post(agent: Agent, port: number, path: string, body: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

interface Client {
  readonly created: string[];
  readonly statuses: number[];
  /** Answers received after the SIGTERM, with their Connection header. */
  readonly afterSignal: Array<string | undefined>;
  done: Promise<void>;
}

/** Signs up users one after another on one keep-alive connection until a request fails. */
function client(port: number, index: number, signalled: () => boolean): Client {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const state: Client = { created: [], statuses: [], afterSignal: [], done: Promise.resolve() };
  state.done = (async () => {
    for (let n = 0; ; n += 1) {
      const username = `drain_${index}_${n}`;
      const sentAfterSignal = signalled();
      let answer: Answer;
      try {
        answer = await post(agent, port, '/api/v1/users', {
          email: `${username}@example.com`,
          username,
          password: 'DrainUser1Pass',
        });
      } catch {
        break; // refused or closed: the service is going away
      }
      state.statuses.push(answer.status);
      if (signalled() || sentAfterSignal) state.afterSignal.push(answer.connection);
      if (answer.status === 201) state.created.push(username);
    }
    agent.destroy();
  })();
  return state;
}

async function storedUsernames(running: Running): Promise<Set<string>> {
  const signIn = await fetch(`${running.base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.ADMIN_USERNAME, password: ADMIN.ADMIN_PASSWORD }),
  });
  const token = ((await signIn.json()) as { access_token: string }).access_token;
  const names = new Set<string>();
  for (let page = 1; ; page += 1) {
    const res = await fetch(
      `${running.base}/api/v1/users?search=drain_&page_size=100&page=${page}`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    const body = (await res.json()) as { items: Array<{ username: string }>; total_pages: number };
    for (const user of body.items) names.add(user.username);
    if (page >= body.total_pages) return names;
  }
}

for (const storage of ['embedded', 'postgresql'] as const) {
  describe(`SIGTERM under keep-alive load [${storage}]`, function () {
    this.timeout(120_000);
    let env: Record<string, string>;
    let dataDir: string | undefined;
    let database: TestDatabase | undefined;
    let running: Running | undefined;

    before(async function () {
      if (storage === 'postgresql') {
        await requireStorage(
          storageTargets().find((t) => t.name === 'postgresql')!,
          this,
          this.test?.parent?.title ?? 'shutdown',
        );
        database = await createTestDatabase();
        env = { DATABASE_URL: database.url };
      } else {
        dataDir = await mkdtemp(join(tmpdir(), 'um-shutdown-'));
        env = { DATA_DIR: dataDir };
      }
      env = { ...env, ...ADMIN, RATE_LIMIT_MAX: '1000000', SHUTDOWN_TIMEOUT_S: '20' };
    });

    afterEach(async () => {
      if (running !== undefined && running.child.exitCode === null) await running.stop('SIGKILL');
      running = undefined;
    });

    after(async () => {
      await database?.drop();
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    });

    it('drains, closes the keep-alive connections and exits 0; every 201 answered is stored', async () => {
      running = await startService(env);
      let signalled = false;
      const clients = Array.from({ length: CLIENTS }, (_, i) =>
        client(running!.port, i, () => signalled),
      );
      // Let every client get answers on its connection before the signal.
      const deadline = Date.now() + 30_000;
      while (clients.some((c) => c.statuses.length < 2) && Date.now() < deadline) await sleep(50);
      signalled = true;
      const code = await running.stop('SIGTERM');
      await Promise.all(clients.map((c) => c.done));

      expect(
        code,
        running
          .stdout()
          .split('\n')
          .filter((l) => l.includes('forced_exit'))
          .join('\n'),
      ).to.equal(0);
      expect(running.stdout())
        .to.contain('"event":"stopped"')
        .and.not.contain('"event":"forced_exit"');
      const statuses = clients.flatMap((c) => c.statuses);
      expect([...new Set(statuses)], 'every answer a 201').to.deep.equal([201]);
      const afterSignal = clients.flatMap((c) => c.afterSignal);
      expect(afterSignal.length, 'answers after the signal').to.be.greaterThan(0);
      expect(
        afterSignal.filter((c) => c === 'close').length,
        'answers after the signal carrying Connection: close',
      ).to.be.greaterThan(0);

      running = await startService(env);
      const stored = await storedUsernames(running);
      const answered = clients.flatMap((c) => c.created);
      expect(answered.length).to.be.at.least(CLIENTS * 2);
      expect(
        answered.filter((name) => !stored.has(name)),
        'answered 201 but not stored',
      ).to.deep.equal([]);
    });

    if (storage === 'embedded') {
      it('lets go of a client that never finishes its headers (HTTP_HEADERS_TIMEOUT_S): 408', async () => {
        running = await startService({
          ...env,
          HTTP_HEADERS_TIMEOUT_S: '1',
          HTTP_REQUEST_TIMEOUT_S: '2',
        });
        const socket = connect(running.port, '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n');
        await closed;
        expect(answer).to.match(/^HTTP\/1\.1 408 /);
      });
    }
  });
}
