import { LockMode, sql } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { userNotFound } from '../../../application/not-found.js';
import type { UserRepository } from '../../../application/ports/user-repository.js';
import { User, type NewUser, type UserProps } from '../../../domain/user/user.js';
import { userConflict } from '../user-constraints.js';
import { OrderRecord } from './entities/order.entity.js';
import { UserRecord } from './entities/user.entity.js';
import { entityManagerFor, violatedUniqueConstraint, write, type SqlOrm } from './mikro-orm-context.js';

const toUser = (row: UserRecord): User =>
  User.restore({
    id: row.id,
    email: row.email,
    username: row.username,
    fullName: row.fullName,
    passwordHash: row.passwordHash,
    role: row.role,
    isActive: row.isActive,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
    passwordChangedAt: row.passwordChangedAt,
  });

const toColumns = (user: Omit<UserProps, 'id'>): Omit<UserRecord, 'id'> => ({
  email: user.email,
  username: user.username,
  fullName: user.fullName,
  passwordHash: user.passwordHash,
  role: user.role,
  isActive: user.isActive,
  createdAt: user.createdAt,
  updatedAt: user.updatedAt,
  version: user.version,
  passwordChangedAt: user.passwordChangedAt,
});

/**
 * Users in PostgreSQL (or PGlite) through MikroORM.
 *
 * Each call is one or a few explicit statements (`insert`, `nativeUpdate`, `nativeDelete`, a
 * locking select) rather than change tracking: the domain's users are immutable values, so an
 * identity map would only hold copies that can go stale. Writes therefore hit the database within
 * the call, and a unique violation surfaces there, mapped by constraint name to the conflict the
 * port names. Rows are read with the identity map off, for the same reason.
 */
export class MikroOrmUserRepository implements UserRepository {
  constructor(private readonly orm: SqlOrm) {}

  async findById(id: number): Promise<User | null> {
    const { em, inTransaction } = entityManagerFor(this.orm);
    const row = await em.findOne(
      UserRecord,
      { id },
      // Inside a unit the row stays locked (SELECT ... FOR UPDATE) until the unit ends.
      { disableIdentityMap: true, ...(inTransaction ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
    );
    return row === null ? null : toUser(row);
  }

  async findByLogin(login: string): Promise<User | null> {
    const { em } = entityManagerFor(this.orm);
    const wanted = login.toLowerCase();
    // lower(...) on both, so the unique indexes on lower(email) and lower(username) serve it.
    const row = await em.findOne(
      UserRecord,
      { $or: [{ [sql.lower('email')]: wanted }, { [sql.lower('username')]: wanted }] },
      { disableIdentityMap: true },
    );
    return row === null ? null : toUser(row);
  }

  async add(user: NewUser): Promise<User> {
    const id = await this.write((em) => em.insert<UserRecord>(UserRecord, toColumns(user)));
    return User.restore({ ...user, id });
  }

  async update(user: User): Promise<User> {
    const changed = await this.write((em) => em.nativeUpdate(UserRecord, { id: user.id }, toColumns(user)));
    if (changed === 0) throw userNotFound(user.id);
    return user;
  }

  async remove(id: number): Promise<void> {
    // The user's orders go in this same write, before the user (their lines follow by cascade).
    await this.write(async (em) => {
      await em.nativeDelete(OrderRecord, { userId: id });
      await em.nativeDelete(UserRecord, { id });
    });
  }

  async countActiveAdminsExcept(id: number | null): Promise<number> {
    const { em, inTransaction } = entityManagerFor(this.orm);
    const qb = em
      .createQueryBuilder(UserRecord, 'u')
      .select('u.id')
      .where({ role: 'admin', isActive: true, ...(id === null ? {} : { id: { $ne: id } }) })
      // Locked in id order, so two units locking the same admins take them in the same order.
      .orderBy({ id: 'asc' });
    // PostgreSQL cannot lock rows under count(*): the rows are selected, locked and counted here.
    if (inTransaction) qb.setLockMode(LockMode.PESSIMISTIC_WRITE);
    const rows = await qb.execute('all', false);
    return rows.length;
  }

  private async write<T>(statements: (em: SqlEntityManager) => Promise<T>): Promise<T> {
    try {
      return await write(this.orm, statements);
    } catch (error) {
      throw userConflict(violatedUniqueConstraint(error)) ?? error;
    }
  }
}
