/** The operator commands, run as processes on the embedded database and on PostgreSQL. */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { PublicProtocol } from 'paseto';
import {
  ImportPublicKeyFactory,
  ImportSecretKeyFactory,
  SignFactory,
  VerifyFactory,
} from 'paseto/v4/public';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { requireStorage, storageTargets } from '../support/storage.js';
import { CLI, ROOT, runNode, runProcess } from './process.js';

describe('cli generate-key', function () {
  this.timeout(30_000);

  it('prints a key id, a k4.secret and the matching k4.public that verifies its tokens', async () => {
    const { code, stdout } = await runNode(CLI, ['generate-key', 'test-kid'], {});
    expect(code).to.equal(0);
    const secret = /^TOKEN_SIGNING_KEY=(k4\.secret\.\S+)$/m.exec(stdout)?.[1];
    const pub = /^# TOKEN_VERIFY_KEYS=test-kid=(k4\.public\.\S+)$/m.exec(stdout)?.[1];
    expect(stdout).to.match(/^TOKEN_KEY_ID=test-kid$/m);
    expect(secret).to.be.a('string');
    expect(pub).to.be.a('string');
    const v4 = new PublicProtocol(
      SignFactory,
      VerifyFactory,
      ImportSecretKeyFactory,
      ImportPublicKeyFactory,
    );
    const token = await v4.Sign(await v4.ImportSecretKey(secret as `k4.secret.${string}`), {
      sub: '1',
    });
    const { claims } = await v4.Verify(
      await v4.ImportPublicKey(pub as `k4.public.${string}`),
      token,
    );
    expect(claims['sub']).to.equal('1');
  });

  it('exits 2 with the usage on wrong arguments', async () => {
    const { code, stderr } = await runNode(CLI, ['create-admin', 'only-email@example.com'], {});
    expect(code).to.equal(2);
    expect(stderr).to.contain('usage');
  });

  it('writes, through `npm run -s cli`, an .env file with nothing but its settings and comments', async () => {
    const { code, stdout, stderr } = await runProcess(
      'npm',
      ['run', '-s', 'cli', '--', 'generate-key', 'env-kid'],
      {},
    );
    expect(code, stderr).to.equal(0);
    // Docker Compose reads KEY=VALUE lines, comments and blank lines: nothing else may appear.
    for (const line of stdout.split('\n'))
      expect(line, 'a line of the .env file').to.match(/^(#.*|[A-Z_]+=\S+|)$/);
    const settings = parseEnv(stdout);
    expect(Object.keys(settings).sort()).to.deep.equal(['TOKEN_KEY_ID', 'TOKEN_SIGNING_KEY']);
    expect(settings['TOKEN_KEY_ID']).to.equal('env-kid');
    expect(settings['TOKEN_SIGNING_KEY']).to.match(/^k4\.secret\./);
  });
});

describe('cli options', function () {
  this.timeout(30_000);

  it('--help prints the commands to standard output and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout, stderr } = await runNode(CLI, [flag], {});
      expect(code, flag).to.equal(0);
      expect(stdout, flag)
        .to.contain('generate-key')
        .and.contain('create-admin')
        .and.contain('--version');
      expect(stderr, flag).to.equal('');
    }
  });

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v']) {
      const { code, stdout } = await runNode(CLI, [flag], {});
      expect(code, flag).to.equal(0);
      expect(stdout, flag).to.equal(`${version}\n`);
    }
  });

  it('exits 2 naming an unknown option or command, with the usage', async () => {
    const option = await runNode(CLI, ['generate-key', '--kid=x'], {});
    expect(option.code).to.equal(2);
    expect(option.stderr).to.contain("'--kid'").and.contain('usage');
    const command = await runNode(CLI, ['rotate-key'], {});
    expect(command.code).to.equal(2);
    expect(command.stderr).to.contain('Unknown command: rotate-key');
    const none = await runNode(CLI, [], {});
    expect(none.code).to.equal(2);
    expect(none.stderr).to.contain('No command given');
  });
});

for (const target of storageTargets().filter((t) => t.name !== 'in-memory')) {
  describe(`cli create-admin [${target.name}]`, function () {
    this.timeout(60_000);
    let env: Record<string, string>;
    let dataDir: string | undefined;
    let database: TestDatabase | undefined;

    before(async function () {
      await requireStorage(target, this, `cli create-admin [${target.name}]`);
      if (target.name === 'postgresql') {
        database = await createTestDatabase();
        env = { DATABASE_URL: database.url };
      } else {
        dataDir = await mkdtemp(join(tmpdir(), 'um-cli-'));
        env = { DATA_DIR: dataDir };
      }
    });

    after(async () => {
      await database?.drop();
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    });

    it('creates an admin with the password from standard input, never from the arguments', async () => {
      const result = await runNode(
        CLI,
        ['create-admin', 'ops@example.com', 'ops_admin'],
        env,
        'OpsPassw0rd\n',
      );
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.match(/Admin ops_admin created with id \d+/);
    });

    it('refuses a taken email or username with a clear message and exit 1', async () => {
      const email = await runNode(
        CLI,
        ['create-admin', 'OPS@example.com', 'other_admin'],
        env,
        'OpsPassw0rd\n',
      );
      expect(email.code).to.equal(1);
      expect(email.stderr).to.contain('Email already registered');
      const username = await runNode(
        CLI,
        ['create-admin', 'ops2@example.com', 'OPS_ADMIN'],
        env,
        'OpsPassw0rd\n',
      );
      expect(username.code).to.equal(1);
      expect(username.stderr).to.contain('Username already taken');
    });

    it('refuses a weak password or a bad email, naming the field, exit 1', async () => {
      const weak = await runNode(CLI, ['create-admin', 'ops3@example.com', 'ops3'], env, 'weak\n');
      expect(weak.code).to.equal(1);
      expect(weak.stderr).to.contain('password');
      const email = await runNode(
        CLI,
        ['create-admin', 'not-an-email', 'ops4'],
        env,
        'OpsPassw0rd\n',
      );
      expect(email.code).to.equal(1);
      expect(email.stderr).to.contain('email');
    });
  });
}
