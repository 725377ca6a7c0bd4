import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { CryptoEmailTokens } from '../../../../src/adapters/security/crypto-email-tokens.js';

describe('CryptoEmailTokens', () => {
  const codec = new CryptoEmailTokens();

  it('makes tokens of 48 random bytes (a 16-byte selector and a 32-byte verifier), never twice the same', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => codec.generate().token));
    expect(tokens.size).to.equal(100);
    for (const token of tokens) expect(Buffer.from(token, 'base64url')).to.have.length(48);
  });

  it('keeps only the selector and the SHA-256 of the verifier; parsing the token gives them back', () => {
    const fresh = codec.generate();
    const bytes = Buffer.from(fresh.token, 'base64url');
    expect(fresh.selector).to.equal(bytes.subarray(0, 16).toString('base64url'));
    expect(fresh.verifierHash).to.equal(
      createHash('sha256').update(bytes.subarray(16)).digest('base64url'),
    );
    expect(fresh.token).to.not.contain(fresh.verifierHash);
    expect(codec.parse(fresh.token)).to.deep.equal({
      selector: fresh.selector,
      verifierHash: fresh.verifierHash,
    });
  });

  it('refuses strings that cannot be one of its tokens', () => {
    const { token } = codec.generate();
    for (const bad of [
      '',
      'x',
      token.slice(1),
      `${token}A`,
      `${token.slice(0, -1)}=`,
      `${token.slice(0, -1)}.`,
    ]) {
      expect(codec.parse(bad), bad).to.equal(null);
    }
  });

  it('compares verifier hashes by value, whatever their length', () => {
    const { verifierHash } = codec.generate();
    expect(codec.same(verifierHash, verifierHash)).to.equal(true);
    expect(codec.same(verifierHash, codec.generate().verifierHash)).to.equal(false);
    expect(codec.same(verifierHash, verifierHash.slice(0, 10))).to.equal(false);
  });
});
