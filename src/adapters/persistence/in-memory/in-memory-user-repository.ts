import { userNotFound } from '../../../application/not-found.js';
import type { UserRepository } from '../../../application/ports/user-repository.js';
import { User, type NewUser } from '../../../domain/user/user.js';
import { userConflict } from '../user-constraints.js';
import { UniqueViolation, type InMemoryDatabase, type TableWriter } from './in-memory-database.js';
import { ORDERS } from './order-records.js';
import { deleteSessionsOfUser } from './session-tables.js';
import { deleteEmailTokensOfUser, deleteMailOfUser } from './in-memory-mail.js';
import { USERS } from './tables.js';
import { toUserProps, toUserRecord } from './user-records.js';

/**
 * Users in the in-memory database. Inside a unit of work the unit holds the database's writer
 * lock from start to end, which covers the row locks the port asks of `findById` and
 * `countActiveAdminsExcept`.
 */
export class InMemoryUserRepository implements UserRepository {
  constructor(private readonly db: InMemoryDatabase) {}

  async findById(id: number): Promise<User | null> {
    const row = this.db.rows(USERS).get(id);
    return row === undefined ? null : User.restore(toUserProps(row));
  }

  async findByLogin(login: string): Promise<User | null> {
    const wanted = login.toLowerCase();
    for (const row of this.db.rows(USERS).values()) {
      if (row.email.toLowerCase() === wanted || row.username.toLowerCase() === wanted) {
        return User.restore(toUserProps(row));
      }
    }
    return null;
  }

  async add(user: NewUser): Promise<User> {
    const row = await this.write((tx) => tx.insert(USERS, toUserRecord(user)));
    return User.restore(toUserProps(row));
  }

  async update(user: User): Promise<User> {
    const found = await this.write((tx) =>
      tx.update(USERS, { ...toUserRecord(user), id: user.id }),
    );
    if (!found) throw userNotFound(user.id);
    return user;
  }

  async remove(id: number): Promise<void> {
    // The user's orders go in this same write, so both go or neither does (SQL: the same transaction).
    await this.write((tx) => {
      tx.deleteWhere(ORDERS, (order) => order.userId === id);
      // Its sessions and their refresh tokens too (SQL: on delete cascade).
      deleteSessionsOfUser(tx, id);
      deleteEmailTokensOfUser(tx, id);
      // Its mails, sent or not, to any address: nothing goes to an account that no longer exists.
      const user = tx.rows(USERS).get(id);
      if (user !== undefined) deleteMailOfUser(tx, id, user.email);
      tx.delete(USERS, id);
    });
  }

  async countActiveAdminsExcept(id: number | null): Promise<number> {
    let count = 0;
    for (const row of this.db.rows(USERS).values()) {
      if (row.role === 'admin' && row.isActive && row.id !== id) count += 1;
    }
    return count;
  }

  private async write<T>(change: (tx: TableWriter) => T): Promise<T> {
    try {
      return await this.db.write(change);
    } catch (error) {
      throw (error instanceof UniqueViolation ? userConflict(error.constraint) : null) ?? error;
    }
  }
}
