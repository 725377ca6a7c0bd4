import { expect } from 'chai';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEVELOPMENT_KEY_FILE,
  generateTokenKeyPair,
} from '../../../src/adapters/security/paserk-keys.js';
import { resolveSigningKey } from '../../../src/composition-root/signing-key.js';
import { ConfigError, testConfig } from '../../../src/config/config.js';

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('resolveSigningKey', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'signing-key-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('uses TOKEN_SIGNING_KEY with TOKEN_KEY_ID when they are set, in any environment', async () => {
    const { secret } = await generateTokenKeyPair();
    for (const env of ['production', 'development', 'test'] as const) {
      const config = testConfig({ env, tokens: { signingKey: secret, keyId: '2026-03' } });
      expect(await resolveSigningKey(config)).to.deep.equal({ kid: '2026-03', secret });
    }
  });

  it('stops the start in production when no key is configured', async () => {
    const error = await failure(
      resolveSigningKey(testConfig({ env: 'production', database: { dataDir } })),
    );
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.equal('TOKEN_SIGNING_KEY and TOKEN_KEY_ID are required in production');
    await failure(stat(join(dataDir, DEVELOPMENT_KEY_FILE))); // nothing was written
  });

  it('refuses a well-formed key that is not a usable Ed25519 key, without repeating it', async () => {
    const [a, b] = await Promise.all([generateTokenKeyPair(), generateTokenKeyPair()]);
    const raw = (k: string) => Buffer.from(k.slice('k4.secret.'.length), 'base64url');
    // A seed from one key with the public half of another.
    const mixed = `k4.secret.${Buffer.concat([raw(a.secret).subarray(0, 32), raw(b.secret).subarray(32)]).toString('base64url')}`;
    const error = await failure(
      resolveSigningKey(
        testConfig({ env: 'production', tokens: { signingKey: mixed, keyId: 'k1' } }),
      ),
    );
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.contain('TOKEN_SIGNING_KEY').and.not.contain(mixed.slice(10));
  });

  it('in development keeps a generated key in DATA_DIR and reuses it', async () => {
    const config = testConfig({ env: 'development', database: { dataDir } });
    const first = await resolveSigningKey(config);
    expect((await stat(join(dataDir, DEVELOPMENT_KEY_FILE))).isFile()).to.equal(true);
    expect(await resolveSigningKey(config)).to.deep.equal(first);
  });

  it('in tests makes a fresh key each time and writes nothing', async () => {
    const config = testConfig({ database: { dataDir } });
    const [a, b] = await Promise.all([resolveSigningKey(config), resolveSigningKey(config)]);
    expect(a.secret).to.not.equal(b.secret);
    expect(a.kid).to.match(/^test-/);
    await failure(stat(join(dataDir, DEVELOPMENT_KEY_FILE)));
  });
});
