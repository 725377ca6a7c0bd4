import type { UserView } from '../../../application/ports/views.js';
import type { Role } from '../../../domain/user/role.js';
import type { LeanSql } from './lean-sql.js';

/** Milliseconds since the epoch of a timestamp column, as a double (exact for milliseconds). */
const epochMs = (column: string): string => `round(extract(epoch from ${column}) * 1000)::float8`;

/**
 * The columns of a user's view over `users u`; the password hash is never read on this side.
 * Times come as epoch milliseconds, cheaper to turn into Dates than PostgreSQL's text form.
 */
export const VIEW_COLUMNS = `u.id, u.email, u.username, u.full_name, u.role, u.is_active, u.email_verified, ${epochMs('u.created_at')} as created_at, ${epochMs('u.updated_at')} as updated_at, u.version`;

/** A row holding `VIEW_COLUMNS`. */
export interface UserViewRow {
  readonly id: number;
  readonly email: string;
  readonly username: string;
  readonly full_name: string | null;
  readonly role: Role;
  readonly is_active: boolean;
  readonly email_verified: boolean;
  readonly created_at: unknown;
  readonly updated_at: unknown;
  readonly version: number;
}

export const toUserView = (sql: LeanSql, row: UserViewRow): UserView => ({
  id: row.id,
  email: row.email,
  username: row.username,
  fullName: row.full_name,
  role: row.role,
  isActive: row.is_active,
  emailVerified: row.email_verified,
  createdAt: sql.time(row.created_at),
  updatedAt: sql.time(row.updated_at),
  version: row.version,
});
