import { expect } from 'chai';
import fc from 'fast-check';
import {
  emailProblem,
  fullNameProblem,
  normalizeEmail,
  passwordProblem,
  usernameProblem,
} from '../../../src/domain/user/user-rules.js';

describe('domain: user field rules', () => {
  it('accepts ordinary emails and rejects malformed ones', () => {
    for (const ok of ['ada@example.com', 'a.b+c%d_e-f@sub.example.co', 'X@Y.ORG'])
      expect(emailProblem(ok), ok).to.equal(null);
    for (const bad of [
      '',
      'plain',
      '@example.com',
      'a@b',
      'a@b.c',
      'a b@example.com',
      'a@example.c0m',
      'a@@example.com',
    ]) {
      expect(emailProblem(bad), bad).to.equal('Invalid email format');
    }
  });

  it('limits emails to 254 characters', () => {
    const at254 = `${'a'.repeat(242)}@example.com`;
    expect(at254).to.have.length(254);
    expect(emailProblem(at254)).to.equal(null);
    expect(emailProblem(`a${at254}`)).to.match(/at most 254/);
  });

  it('stores emails lower-cased', () => {
    expect(normalizeEmail('Ada.Lovelace@Example.COM')).to.equal('ada.lovelace@example.com');
  });

  it('usernames: 3 to 50 letters, digits and underscores', () => {
    expect(usernameProblem('abc')).to.equal(null);
    expect(usernameProblem('A_b_9'.repeat(10))).to.equal(null);
    expect(usernameProblem('ab')).to.match(/between 3 and 50/);
    expect(usernameProblem('a'.repeat(51))).to.match(/between 3 and 50/);
    for (const bad of ['has space', 'dash-ed', 'dot.ted', 'ümlaut'])
      expect(usernameProblem(bad), bad).to.match(/letters, digits and underscores/);
  });

  it('property: any string of 3..50 word characters is a valid username, and nothing else is', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 60 }), (s) => {
        const valid = /^[A-Za-z0-9_]{3,50}$/.test(s);
        expect(usernameProblem(s) === null).to.equal(valid);
      }),
    );
  });

  it('passwords: 8 to 128 characters with upper, lower and digit; the message names what is missing', () => {
    expect(passwordProblem('Passw0rd')).to.equal(null);
    expect(passwordProblem('Pw0')).to.match(/between 8 and 128/);
    expect(passwordProblem(`Aa1${'x'.repeat(126)}`)).to.match(/between 8 and 128/);
    expect(passwordProblem('password1')).to.equal(
      'Password must contain at least one upper-case letter',
    );
    expect(passwordProblem('PASSWORD1')).to.equal(
      'Password must contain at least one lower-case letter',
    );
    expect(passwordProblem('Passwordx')).to.equal('Password must contain at least one digit');
    expect(passwordProblem('passwordx')).to.equal(
      'Password must contain at least one upper-case letter, one digit',
    );
  });

  it('property: a password is accepted exactly when it meets every rule', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 140 }), (s) => {
        const valid =
          s.length >= 8 && s.length <= 128 && /[A-Z]/.test(s) && /[a-z]/.test(s) && /\d/.test(s);
        expect(passwordProblem(s) === null).to.equal(valid);
      }),
    );
  });

  it('full names: optional, at most 100 characters', () => {
    expect(fullNameProblem(null)).to.equal(null);
    expect(fullNameProblem('x'.repeat(100))).to.equal(null);
    expect(fullNameProblem('x'.repeat(101))).to.match(/at most 100/);
  });
});
