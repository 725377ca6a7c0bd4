import { forbidden } from '../shared/errors.js';
import type { Actor, Role } from './role.js';

/**
 * Who may do what to a user. Each function throws a forbidden error or returns; the checks that
 * need only ids run before the user is loaded, so that someone else's id is 403 whether or not it
 * exists.
 */
export const insufficientRole = (...roles: Role[]) =>
  forbidden(`Insufficient permissions. Required role: ${roles.join(' or ')}`);

export function requireRole(actor: Actor, ...roles: Role[]): void {
  if (!roles.includes(actor.role)) throw insufficientRole(...roles);
}

/** The user itself, or one of the given roles. */
export function requireSelfOr(actor: Actor, userId: number, ...roles: Role[]): void {
  if (actor.id !== userId && !roles.includes(actor.role)) throw insufficientRole(...roles);
}

export interface UserPatch {
  readonly profile: boolean; // email, username or full_name
  readonly role: boolean;
  readonly isActive: boolean;
}

/**
 * PATCH /users/{id}: the user itself and admins change the profile; only admins change `role`;
 * admins change `is_active`, and moderators may change it for plain users only.
 */
export function authorizeUserPatch(
  actor: Actor,
  target: { id: number; role: Role },
  patch: UserPatch,
): void {
  if (actor.role === 'admin') return;
  if (patch.role) throw forbidden('Insufficient permissions. Required role: admin');
  if (patch.isActive) {
    if (actor.role !== 'moderator')
      throw forbidden('Insufficient permissions. Required role: admin or moderator');
    if (target.role !== 'user') throw forbidden('Moderators may change only plain users');
  }
  if (patch.profile && actor.id !== target.id)
    throw forbidden('Insufficient permissions. Required role: admin');
}

/** The pre-load check of PATCH: who could possibly patch this id. */
export function mayAttemptUserPatch(actor: Actor, userId: number): void {
  requireSelfOr(actor, userId, 'admin', 'moderator');
}
