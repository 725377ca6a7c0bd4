import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEVELOPMENT_KEY_FILE,
  loadOrCreateDevelopmentKeys,
  publicKeyOf,
} from '../../../../src/adapters/security/paserk-keys.js';

describe('loadOrCreateDevelopmentKeys', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dev-keys-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates the data directory and a key file readable by its owner only', async () => {
    const dataDir = join(root, 'nested', 'data');
    const key = await loadOrCreateDevelopmentKeys(dataDir);
    expect(key.kid).to.match(/^dev-[A-Za-z0-9_-]{12}$/);
    expect(await publicKeyOf(key.secret)).to.match(/^k4\.public\./);
    const file = join(dataDir, DEVELOPMENT_KEY_FILE);
    expect(JSON.parse(await readFile(file, 'utf8'))).to.deep.equal(key);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).to.equal(0o600);
  });

  it('reuses the stored key on the next start', async () => {
    const first = await loadOrCreateDevelopmentKeys(root);
    const second = await loadOrCreateDevelopmentKeys(root);
    expect(second).to.deep.equal(first);
  });

  it('agrees on one key when several processes start at once', async () => {
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => loadOrCreateDevelopmentKeys(root)),
    );
    expect(new Set(keys.map((k) => k.secret)).size).to.equal(1);
  });

  it('tightens the permissions of a key file others could read', async function () {
    if (process.platform === 'win32') this.skip();
    await loadOrCreateDevelopmentKeys(root);
    const file = join(root, DEVELOPMENT_KEY_FILE);
    await chmod(file, 0o644);
    await loadOrCreateDevelopmentKeys(root);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
  });

  it('stops with a clear message when the file is damaged, and does not overwrite it', async () => {
    const file = join(root, DEVELOPMENT_KEY_FILE);
    await writeFile(file, '{"kid":"dev-x","secret":"k4.secret.broken"}');
    try {
      await loadOrCreateDevelopmentKeys(root);
      expect.fail('expected a failure');
    } catch (error) {
      expect((error as Error).message)
        .to.contain(DEVELOPMENT_KEY_FILE)
        .and.contain('delete it');
    }
    expect(await readFile(file, 'utf8')).to.contain('broken');
  });
});
