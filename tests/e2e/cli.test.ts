/** The operator commands, run as processes on the embedded database and on PostgreSQL. */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublicProtocol } from 'paseto';
import { ImportPublicKeyFactory, ImportSecretKeyFactory, SignFactory, VerifyFactory } from 'paseto/v4/public';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { requireStorage, storageTargets } from '../support/storage.js';
import { CLI, runNode } from './process.js';

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
    const v4 = new PublicProtocol(SignFactory, VerifyFactory, ImportSecretKeyFactory, ImportPublicKeyFactory);
    const token = await v4.Sign(await v4.ImportSecretKey(secret as `k4.secret.${string}`), { sub: '1' });
    const { claims } = await v4.Verify(await v4.ImportPublicKey(pub as `k4.public.${string}`), token);
    expect(claims['sub']).to.equal('1');
  });

  it('exits 2 with the usage on wrong arguments', async () => {
    const { code, stderr } = await runNode(CLI, ['create-admin', 'only-email@example.com'], {});
    expect(code).to.equal(2);
    expect(stderr).to.contain('usage');
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
      const result = await runNode(CLI, ['create-admin', 'ops@example.com', 'ops_admin'], env, 'OpsPassw0rd\n');
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.match(/Admin ops_admin created with id \d+/);
    });

    it('refuses a taken email or username with a clear message and exit 1', async () => {
      const email = await runNode(CLI, ['create-admin', 'OPS@example.com', 'other_admin'], env, 'OpsPassw0rd\n');
      expect(email.code).to.equal(1);
      expect(email.stderr).to.contain('Email already registered');
      const username = await runNode(CLI, ['create-admin', 'ops2@example.com', 'OPS_ADMIN'], env, 'OpsPassw0rd\n');
      expect(username.code).to.equal(1);
      expect(username.stderr).to.contain('Username already taken');
    });

    it('refuses a weak password or a bad email, naming the field, exit 1', async () => {
      const weak = await runNode(CLI, ['create-admin', 'ops3@example.com', 'ops3'], env, 'weak\n');
      expect(weak.code).to.equal(1);
      expect(weak.stderr).to.contain('password');
      const email = await runNode(CLI, ['create-admin', 'not-an-email', 'ops4'], env, 'OpsPassw0rd\n');
      expect(email.code).to.equal(1);
      expect(email.stderr).to.contain('email');
    });
  });
}
