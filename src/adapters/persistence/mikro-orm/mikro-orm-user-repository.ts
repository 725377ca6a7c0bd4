import { LockMode } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { userNotFound } from '../../../application/not-found.js';
import type { UserRepository } from '../../../application/ports/user-repository.js';
import type { Role } from '../../../domain/user/role.js';
import { User, type NewUser, type UserProps } from '../../../domain/user/user.js';
import { userConflict } from '../user-constraints.js';
import { OrderRecord } from './entities/order.entity.js';
import { UserRecord } from './entities/user.entity.js';
import { LeanSql, sqlStatement } from './lean-sql.js';
import { DELETE_UNOWNED_MAIL_OF_USER } from './mikro-orm-mail.js';
import {
  entityManagerFor,
  transactionEntityManager,
  violatedUniqueConstraint,
  write,
  type SqlOrm,
} from './mikro-orm-context.js';

const USER_COLUMNS =
  'id, email, username, full_name, password_hash, role, is_active, created_at, updated_at, version, password_changed_at, email_verified';
const BY_ID = sqlStatement(`select ${USER_COLUMNS} from users where id = ?`);
// Inside a unit the row stays locked until the unit ends. A unit never changes a user's id, so
// the lock is FOR NO KEY UPDATE: it excludes other writers of the row as FOR UPDATE would, but
// not the KEY SHARE lock that inserting an order takes on its user for the foreign key, so
// orders are placed while their user is being changed. A removal still waits (a DELETE takes
// FOR UPDATE).
const BY_ID_LOCKED = sqlStatement(
  `select ${USER_COLUMNS} from users where id = ? for no key update`,
);
// lower(...) on both, so the unique indexes on lower(email) and lower(username) serve it.
const BY_LOGIN = sqlStatement(
  `select ${USER_COLUMNS} from users where lower(email) = ? or lower(username) = ?`,
);

interface UserRow {
  readonly id: number;
  readonly email: string;
  readonly username: string;
  readonly full_name: string | null;
  readonly password_hash: string;
  readonly role: Role;
  readonly is_active: boolean;
  readonly created_at: unknown;
  readonly updated_at: unknown;
  readonly version: number;
  readonly password_changed_at: unknown;
  readonly email_verified: boolean;
}

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
  emailVerified: user.emailVerified,
});

/**
 * Users in PostgreSQL (or PGlite) through MikroORM.
 *
 * Each call is one or a few explicit statements (`insert`, `nativeUpdate`, `nativeDelete`, a
 * locking select) rather than change tracking: the domain's users are immutable values, so an
 * identity map would only hold copies that can go stale. Writes therefore hit the database within
 * the call, and a unique violation surfaces there, mapped by constraint name to the conflict the
 * port names. Rows are read with explicit statements too (`LeanSql`), never loaded as entities.
 */
export class MikroOrmUserRepository implements UserRepository {
  private readonly sql: LeanSql;

  constructor(private readonly orm: SqlOrm) {
    this.sql = new LeanSql(orm);
  }

  // Reads are explicit statements through LeanSql (prepared on PostgreSQL outside a unit; in
  // the unit's transaction inside one), not entity loading: the sign-in and every change of a
  // user start with one of them.
  async findById(id: number): Promise<User | null> {
    const locked = transactionEntityManager(this.orm) !== undefined;
    return this.restore(await this.sql.one<UserRow>(locked ? BY_ID_LOCKED : BY_ID, [id], 'write'));
  }

  async findByLogin(login: string): Promise<User | null> {
    const wanted = login.toLowerCase();
    return this.restore(await this.sql.one<UserRow>(BY_LOGIN, [wanted, wanted], 'write'));
  }

  private restore(row: UserRow | null): User | null {
    if (row === null) return null;
    return User.restore({
      id: row.id,
      email: row.email,
      username: row.username,
      fullName: row.full_name,
      passwordHash: row.password_hash,
      role: row.role,
      isActive: row.is_active,
      createdAt: this.sql.time(row.created_at),
      updatedAt: this.sql.time(row.updated_at),
      version: row.version,
      passwordChangedAt:
        row.password_changed_at === null ? null : this.sql.time(row.password_changed_at),
      emailVerified: row.email_verified,
    });
  }

  async add(user: NewUser): Promise<User> {
    const id = await this.write((em) => em.insert<UserRecord>(UserRecord, toColumns(user)));
    return User.restore({ ...user, id });
  }

  /** Writes the columns of the fields that changed, or every column when which ones is unknown. */
  async update(user: User): Promise<User> {
    const columns = toColumns(user);
    const fields = user.changedFields;
    const changes =
      fields === undefined
        ? columns
        : Object.fromEntries(
            [...fields].map((field) => [field, columns[field as keyof typeof columns]]),
          );
    const changed = await this.write((em) => em.nativeUpdate(UserRecord, { id: user.id }, changes));
    if (changed === 0) throw userNotFound(user.id);
    return user;
  }

  async remove(id: number): Promise<void> {
    // The user's orders go in this same write, before the user (their lines follow by cascade).
    await this.write(async (em) => {
      await em.nativeDelete(OrderRecord, { userId: id });
      // Its mails, sent or not, to any address: nothing goes to an account that no longer exists.
      await em.execute(DELETE_UNOWNED_MAIL_OF_USER.knexText, [id], 'run');
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
