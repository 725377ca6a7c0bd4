import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { CryptoRefreshTokens } from '../../../../src/adapters/security/crypto-refresh-tokens.js';

describe('CryptoRefreshTokens', () => {
  const tokens = new CryptoRefreshTokens();

  it('makes 256-bit random tokens in base64url, kept only as their SHA-256', () => {
    const { token, hash } = tokens.generate();
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).to.have.length(32);
    expect(hash).to.equal(createHash('sha256').update(token).digest('base64url'));
    expect(hash).to.not.contain(token);
  });

  it('never makes the same token twice', () => {
    const made = new Set(Array.from({ length: 1000 }, () => tokens.generate().token));
    expect(made.size).to.equal(1000);
  });

  it('hashes a token as presented to the hash it was stored under', () => {
    const { token, hash } = tokens.generate();
    expect(tokens.hashOf(token)).to.equal(hash);
  });

  it('gives no hash for what cannot be one of its tokens', () => {
    const { token } = tokens.generate();
    for (const candidate of [
      '',
      'short',
      `${token}A`,
      token.slice(1),
      `${token.slice(0, 42)}=`,
      ` ${token.slice(1)}`,
      `v4.public.${token}`,
    ]) {
      expect(tokens.hashOf(candidate), candidate).to.equal(null);
    }
  });
});
