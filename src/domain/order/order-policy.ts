import { forbidden } from '../shared/errors.js';
import type { Actor } from '../user/role.js';
import { insufficientRole, requireSelfOr } from '../user/user-policy.js';
import { moversOf, type OrderMover, type OrderStatus } from './order-status.js';

/**
 * Who may do what with orders. Orders are a nested resource (`/users/{id}/orders`): the checks
 * that need only the caller and the owner's id run before anything is loaded, so that someone
 * else's orders are 403 whether or not that user or order exists.
 */

/** Placing an order: the user itself, or an admin on the user's behalf. */
export function mayPlaceOrder(actor: Actor, userId: number): void {
  requireSelfOr(actor, userId, 'admin');
}

/** Reading a user's orders (the list or one): the user itself, moderators and admins. */
export function mayReadOrders(actor: Actor, userId: number): void {
  requireSelfOr(actor, userId, 'moderator', 'admin');
}

/**
 * The pre-load check of a status change: only the owner and admins could possibly change an
 * order's status; moderators read orders but never change them.
 */
export function mayAttemptOrderStatusChange(actor: Actor, userId: number): void {
  requireSelfOr(actor, userId, 'admin');
}

const isMover = (actor: Actor, order: { userId: number }, mover: OrderMover): boolean =>
  mover === 'admin' ? actor.role === 'admin' : actor.id === order.userId;

/**
 * A move the transition table has, made by someone it does not name, is forbidden. A move the
 * table does not have is not this function's business: the order refuses it as a conflict,
 * whoever asks, so that the answer does not depend on who asked.
 */
export function authorizeOrderStatusChange(
  actor: Actor,
  order: { userId: number; status: OrderStatus },
  to: OrderStatus,
): void {
  const movers = moversOf(order.status, to);
  if (movers === null || movers.some((mover) => isMover(actor, order, mover))) return;
  if (movers.includes('admin')) throw insufficientRole('admin');
  throw forbidden(`Only the order's owner may change order status from ${order.status} to ${to}`);
}
