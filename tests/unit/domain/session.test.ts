import { expect } from 'chai';
import {
  IP_MAX,
  USER_AGENT_MAX,
  issuedBeforePasswordChange,
  sessionDevice,
  sessionState,
  sessionTimes,
  type Session,
} from '../../../src/domain/session/session.js';

const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

const aSession = (over: Partial<Session> = {}): Session => ({
  id: '0b5f1c2e-7d4a-4c3b-9e8f-1a2b3c4d5e6f',
  userId: 1,
  createdAt: t(0),
  expiresAt: t(1_000),
  revokedAt: null,
  ...over,
});

describe('domain: session', () => {
  it('is live from its start up to and including its expiry', () => {
    expect(sessionState(aSession(), t(0), null)).to.equal('live');
    expect(sessionState(aSession(), t(1_000), null)).to.equal('live');
    expect(sessionState(aSession(), t(1_001), null)).to.equal('expired');
  });

  it('is revoked once revoked, whatever else holds', () => {
    expect(sessionState(aSession({ revokedAt: t(5) }), t(10), null)).to.equal('revoked');
    expect(sessionState(aSession({ revokedAt: t(5) }), t(2_000), t(500))).to.equal('revoked');
  });

  it('is superseded when it began before the last password change, not when it began at or after it', () => {
    expect(sessionState(aSession({ createdAt: t(10) }), t(20), t(11))).to.equal('superseded');
    expect(sessionState(aSession({ createdAt: t(10) }), t(20), t(10))).to.equal('live');
    expect(sessionState(aSession({ createdAt: t(10) }), t(20), t(9))).to.equal('live');
  });

  it('an access token issued before the password change no longer counts; one issued at or after it does', () => {
    expect(issuedBeforePasswordChange(t(9), t(10))).to.equal(true);
    expect(issuedBeforePasswordChange(t(10), t(10))).to.equal(false);
    expect(issuedBeforePasswordChange(t(9), null)).to.equal(false);
  });

  it('lasts its lifetime from its start, with copies of the times', () => {
    const now = t(0);
    const times = sessionTimes(now, 60);
    expect(times.expiresAt.getTime() - times.createdAt.getTime()).to.equal(60_000);
    expect(times.createdAt).to.not.equal(now);
  });

  describe('sessionDevice', () => {
    it('keeps a user agent and an address as sent, trimmed', () => {
      expect(sessionDevice('  Mozilla/5.0 (X11)  ', '203.0.113.7')).to.deep.equal({
        userAgent: 'Mozilla/5.0 (X11)',
        ip: '203.0.113.7',
      });
    });

    it('cuts a user agent to 256 characters and an address to 64, counting characters rather than UTF-16 units', () => {
      const long = '😀'.repeat(300);
      const kept = sessionDevice(long, 'a'.repeat(100));
      expect(Array.from(kept.userAgent!)).to.have.length(USER_AGENT_MAX);
      expect(kept.userAgent).to.equal('😀'.repeat(256));
      expect(kept.ip).to.have.length(IP_MAX);
    });

    it('drops control characters and lone surrogates, and normalises to NFC', () => {
      expect(sessionDevice('a\u0000b\tc\u007f\ud800d', null).userAgent).to.equal('abcd');
      expect(sessionDevice('Cafe\u0301', null).userAgent).to.equal('Café');
    });

    it('gives null for nothing, an empty header or only blanks and controls', () => {
      for (const value of [null, undefined, '', '   ', '\u0001\u0002']) {
        expect(sessionDevice(value, value)).to.deep.equal({ userAgent: null, ip: null });
      }
    });
  });
});
