import { expect } from 'chai';
import { DomainError } from '../../../src/domain/shared/errors.js';
import type { Actor } from '../../../src/domain/user/role.js';
import {
  authorizeUserPatch,
  requireRole,
  requireSelfOr,
} from '../../../src/domain/user/user-policy.js';

const user: Actor = { id: 1, role: 'user' };
const mod: Actor = { id: 2, role: 'moderator' };
const admin: Actor = { id: 3, role: 'admin' };
const none = { profile: false, role: false, isActive: false };

function outcome(fn: () => void): 'allowed' | string {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'forbidden') return 'forbidden';
    throw error;
  }
}

describe('domain: user access policy', () => {
  it('requireRole names the required roles', () => {
    expect(outcome(() => requireRole(admin, 'admin'))).to.equal('allowed');
    try {
      requireRole(user, 'admin', 'moderator');
      expect.fail('should throw');
    } catch (error) {
      expect((error as DomainError).message).to.equal(
        'Insufficient permissions. Required role: admin or moderator',
      );
    }
  });

  it('requireSelfOr: the user itself or the roles', () => {
    expect(outcome(() => requireSelfOr(user, 1, 'admin'))).to.equal('allowed');
    expect(outcome(() => requireSelfOr(user, 9, 'admin'))).to.equal('forbidden');
    expect(outcome(() => requireSelfOr(mod, 9, 'admin'))).to.equal('forbidden');
    expect(outcome(() => requireSelfOr(mod, 9, 'admin', 'moderator'))).to.equal('allowed');
  });

  it('PATCH: the whole table of who may change what', () => {
    const plain = { id: 10, role: 'user' as const };
    const otherMod = { id: 11, role: 'moderator' as const };
    const cases: Array<
      [Actor, { id: number; role: 'user' | 'moderator' | 'admin' }, typeof none, string]
    > = [
      [user, { id: 1, role: 'user' }, { ...none, profile: true }, 'allowed'],
      [user, { id: 1, role: 'user' }, { ...none, role: true }, 'forbidden'],
      [user, { id: 1, role: 'user' }, { ...none, isActive: true }, 'forbidden'],
      [user, plain, { ...none, profile: true }, 'forbidden'],
      [mod, plain, { ...none, isActive: true }, 'allowed'],
      [mod, plain, { ...none, profile: true }, 'forbidden'],
      [mod, plain, { ...none, role: true }, 'forbidden'],
      [mod, otherMod, { ...none, isActive: true }, 'forbidden'],
      [mod, { id: 2, role: 'moderator' }, { ...none, isActive: true }, 'forbidden'],
      [mod, { id: 2, role: 'moderator' }, { ...none, profile: true }, 'allowed'],
      [admin, otherMod, { profile: true, role: true, isActive: true }, 'allowed'],
    ];
    for (const [actor, target, patch, expected] of cases) {
      expect(
        outcome(() => authorizeUserPatch(actor, target, patch)),
        JSON.stringify([actor, target, patch]),
      ).to.equal(expected);
    }
  });
});
