import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV_VARS } from '../../../src/config/config.js';

const CONFIG_MODULE = new URL('../../../src/config/config.js', import.meta.url).href;

/**
 * Runs `loadConfig()` in a fresh process (node-config reads its files once per process) from a
 * directory outside the repository, with only the given settings in the environment.
 */
function load(
  cwd: string,
  vars: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      !ENV_VARS.some((v) => v.env === name) &&
      !name.startsWith('NODE_CONFIG')
    )
      env[name] = value;
  }
  const script = `
    const { loadConfig } = await import(${JSON.stringify(CONFIG_MODULE)});
    try { console.log(JSON.stringify(loadConfig())); } catch (e) { console.error(e.name + ': ' + e.message); process.exit(3); }
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    env: { ...env, ...vars },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('loadConfig', function () {
  this.timeout(20_000);
  let cwd: string;

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'load-config-'));
  });

  after(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('finds config/ from another working directory and picks the file NODE_ENV names', () => {
    const run = load(cwd, { NODE_ENV: 'test' });
    expect(run.status, run.stderr).to.equal(0);
    const config = JSON.parse(run.stdout);
    expect(config.env).to.equal('test');
    expect(config.log.level).to.equal('silent');
    expect(config.server.port).to.equal(3000);
  });

  it('is development without NODE_ENV', () => {
    const run = load(cwd, {});
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.include({ env: 'development', log: { level: 'debug' } });
  });

  it('lets environment variables override the files, and ignores empty ones', () => {
    const run = load(cwd, {
      NODE_ENV: 'test',
      PORT: '8081',
      TRUST_PROXY: 'true',
      RATE_LIMIT_MAX: '',
      LOG_LEVEL: 'error',
      CORS_ORIGINS: 'https://a.example.com,https://b.example.com',
    });
    expect(run.status, run.stderr).to.equal(0);
    const config = JSON.parse(run.stdout);
    expect(config.server).to.include({ port: 8081, trustProxy: true });
    expect(config.server.corsOrigins).to.deep.equal([
      'https://a.example.com',
      'https://b.example.com',
    ]);
    expect(config.rateLimit.max).to.equal(100);
    expect(config.log.level).to.equal('error');
  });

  it('stops with one message naming every bad variable', () => {
    const run = load(cwd, { NODE_ENV: 'production', PORT: 'abc', LOGIN_LOCK_S: '-1' });
    expect(run.status).to.equal(3);
    expect(run.stderr).to.contain('ConfigError: Invalid configuration: ');
    expect(run.stderr).to.contain(
      'server.port (PORT): expected an integer from 1 to 65535, got "abc"',
    );
    expect(run.stderr).to.contain('login.lockS (LOGIN_LOCK_S)');
  });
});
