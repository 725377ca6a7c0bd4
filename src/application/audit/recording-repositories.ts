import type { NewOrder, Order } from '../../domain/order/order.js';
import { orderPlaced } from '../../domain/order/order.js';
import { userDeleted, userRegistered, type NewUser, type User } from '../../domain/user/user.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { OrderRepository } from '../ports/order-repository.js';
import type { UserRepository } from '../ports/user-repository.js';
import type { DomainEvents } from './domain-events.js';

/**
 * The user store as the core's handlers use it: saving a user hands its recorded events to the
 * unit of work (a sign-up and a removal record theirs here, once the id is known), and removing
 * a user erases the personal values of the events about them, in the same unit.
 */
export class RecordingUserRepository implements UserRepository {
  constructor(
    private readonly inner: UserRepository,
    private readonly events: DomainEvents,
    private readonly log: AuditLog,
  ) {}

  findById(id: number): Promise<User | null> {
    return this.inner.findById(id);
  }

  findByLogin(login: string): Promise<User | null> {
    return this.inner.findByLogin(login);
  }

  async add(user: NewUser): Promise<User> {
    this.events.requireUnit();
    const saved = await this.inner.add(user);
    this.events.record(userRegistered(saved));
    return saved;
  }

  async update(user: User): Promise<User> {
    this.events.requireUnit();
    const saved = await this.inner.update(user);
    this.events.record(...user.events);
    return saved.withoutEvents();
  }

  async remove(id: number): Promise<void> {
    this.events.requireUnit();
    await this.inner.remove(id);
    await this.log.eraseUser(id);
    this.events.record(userDeleted(id));
  }

  countActiveAdminsExcept(id: number | null): Promise<number> {
    return this.inner.countActiveAdminsExcept(id);
  }
}

/** The order store as the core's handlers use it: placing and moving an order record their events. */
export class RecordingOrderRepository implements OrderRepository {
  constructor(
    private readonly inner: OrderRepository,
    private readonly events: DomainEvents,
  ) {}

  findById(id: number): Promise<Order | null> {
    return this.inner.findById(id);
  }

  async add(order: NewOrder): Promise<Order> {
    this.events.requireUnit();
    const saved = await this.inner.add(order);
    this.events.record(orderPlaced(saved));
    return saved;
  }

  async update(order: Order): Promise<Order> {
    this.events.requireUnit();
    const saved = await this.inner.update(order);
    this.events.record(...order.events);
    return saved.withoutEvents();
  }
}
