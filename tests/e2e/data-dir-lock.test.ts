/**
 * The embedded database belongs to one process: while the service serves a DATA_DIR, a second
 * service or `create-admin` on it stops at once, naming the directory, exits non-zero and writes
 * nothing. The lock goes with a clean stop; one left by a killed process is taken over.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLI, MAIN, freePort, runNode, startService, type Running } from './process.js';

const ADMIN_PASSWORD = 'SecondPassw0rd';

async function signIn(base: string, username: string, password: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return res.status;
}

/** A pid that ran and no longer does. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('one process on an embedded DATA_DIR', function () {
  this.timeout(120_000);
  let dataDir: string;
  let running: Running | undefined;
  const lockFile = () => join(dataDir, 'service.lock');

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'um-lock-'));
  });

  afterEach(async () => {
    if (running !== undefined && running.child.exitCode === null) await running.stop('SIGKILL');
    running = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('create-admin while the service runs: refused at once, naming the directory; nothing written', async () => {
    running = await startService({ DATA_DIR: dataDir });
    const result = await runNode(
      CLI,
      ['create-admin', 'second@example.com', 'second_admin'],
      { DATA_DIR: dataDir },
      `${ADMIN_PASSWORD}\n`,
    );
    expect(result.code, result.stdout).to.not.equal(0);
    expect(result.stdout).to.not.contain('created');
    expect(result.stderr)
      .to.contain(resolve(dataDir))
      .and.contain('in use')
      .and.contain(`pid ${running.child.pid}`);
    expect((await readFile(lockFile(), 'utf8')).trim(), 'the lock holds the pid').to.equal(
      String(running.child.pid),
    );

    expect(
      await signIn(running.base, 'second_admin', ADMIN_PASSWORD),
      'the running service',
    ).to.equal(401);
    expect(await running.stop('SIGTERM')).to.equal(0);
    expect(existsSync(lockFile()), 'the lock goes with a clean stop').to.equal(false);
    running = await startService({ DATA_DIR: dataDir });
    expect(await signIn(running.base, 'second_admin', ADMIN_PASSWORD), 'after a restart').to.equal(
      401,
    );
  });

  it('a second service on the same DATA_DIR exits 1 with the message; the first serves on', async () => {
    running = await startService({ DATA_DIR: dataDir });
    const second = await runNode(MAIN, [], { DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(second.code).to.equal(1);
    expect(second.stderr).to.contain(resolve(dataDir)).and.contain('in use');
    expect((await fetch(`${running.base}/health/ready`)).status).to.equal(200);
    expect((await readFile(lockFile(), 'utf8')).trim()).to.equal(String(running.child.pid));
  });

  it('create-admin works when no service runs, and releases the lock', async () => {
    const result = await runNode(
      CLI,
      ['create-admin', 'second@example.com', 'second_admin'],
      { DATA_DIR: dataDir },
      `${ADMIN_PASSWORD}\n`,
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(existsSync(lockFile())).to.equal(false);
    running = await startService({ DATA_DIR: dataDir });
    expect(await signIn(running.base, 'second_admin', ADMIN_PASSWORD)).to.equal(200);
  });

  it('takes over a lock left by a process that died (SIGKILL, or a pid that no longer runs)', async () => {
    running = await startService({ DATA_DIR: dataDir });
    await running.stop('SIGKILL');
    expect(existsSync(lockFile()), 'a killed process leaves its lock').to.equal(true);
    running = await startService({ DATA_DIR: dataDir });
    expect((await readFile(lockFile(), 'utf8')).trim()).to.equal(String(running.child.pid));
    await running.stop('SIGTERM');

    await writeFile(lockFile(), `${deadPid()}\n`);
    const result = await runNode(
      CLI,
      ['create-admin', 'second@example.com', 'second_admin'],
      { DATA_DIR: dataDir },
      `${ADMIN_PASSWORD}\n`,
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(existsSync(lockFile())).to.equal(false);
  });
});
