/**
 * What happened to an aggregate, as the aggregate records it. The core collects the events of a
 * command and writes them to the audit log in the same unit of work as the change itself.
 */
export const AUDIT_ACTIONS = [
  'user.registered',
  'user.updated',
  'user.password_changed',
  'user.password_reset',
  'user.email_verified',
  'user.deleted',
  'session.started',
  'session.ended',
  'session.reuse_detected',
  'auth.sign_in_failed',
  'auth.locked',
  'order.placed',
  'order.status_changed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const SUBJECT_TYPES = ['user', 'order', 'session'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

/** One field's change: both values for the fields the contract names, neither for the others. */
export interface FieldChange {
  readonly from?: unknown;
  readonly to?: unknown;
}

/** Changed fields by their API name (`full_name`, `is_active`, ...). */
export type Changes = Readonly<Record<string, FieldChange>>;

export interface DomainEvent {
  readonly action: AuditAction;
  readonly subjectType: SubjectType;
  /** Null when there is no stored subject (a sign-in with an unknown login). */
  readonly subjectId: string | null;
  /**
   * Who acted when the command has no authenticated caller: the user signing in, signing up or
   * presenting a refresh token. An authenticated caller always wins over it.
   */
  readonly actorId?: number | null;
  readonly changes?: Changes | null;
}

/** `ada@example.com` as `a***@example.com`: enough to tell addresses apart, not to read one. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** The fields whose values personal-data erasure removes from recorded changes. */
export const PERSONAL_FIELDS: readonly string[] = ['email', 'username', 'full_name'];

/** Recorded changes with the values of personal fields removed (their names stay). */
export function erasePersonalValues(changes: Changes | null): Changes | null {
  if (changes === null) return null;
  return Object.fromEntries(
    Object.entries(changes).map(([field, change]) => [
      field,
      PERSONAL_FIELDS.includes(field) ? {} : change,
    ]),
  );
}
