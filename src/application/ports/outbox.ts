import { token } from './injection.js';

/** What every mail carries beside its kind's data. */
interface Addressed {
  readonly to: string;
  /**
   * The account the mail is about, which may since have changed its address: the mail goes when
   * the account is erased, and its export lists it. Null for a mail about no account (no kind is,
   * today), and in rows queued before the outbox recorded it.
   */
  readonly userId: number | null;
}

/** Each kind of mail with the data its template needs. */
export type Mail = Addressed &
  (
    | {
        readonly kind: 'verify_email';
        readonly data: { readonly username: string; readonly token: string };
      }
    | {
        readonly kind: 'email_changed';
        readonly data: { readonly username: string; readonly newEmail: string };
      }
    | {
        readonly kind: 'password_reset';
        readonly data: { readonly username: string; readonly token: string };
      }
    | {
        readonly kind: 'password_changed';
        readonly data: { readonly username: string };
      }
  );

export type MailKind = Mail['kind'];

/**
 * Where the core puts the mails a change causes. Inside a unit of work the mail is written with
 * the change and commits or rolls back with it; a dispatcher sends it after the commit.
 */
export interface Outbox {
  /** A mail about an account needs the account to exist (in PostgreSQL, a foreign key). */
  enqueue(mail: Mail, now: Date): Promise<void>;
  /**
   * The mails about this account still waiting to be sent, to whichever address, oldest first:
   * what an export shows of them (never their data). Rows queued before the outbox recorded the
   * account count when they go to its current address.
   */
  pendingOf(account: { readonly id: number; readonly email: string }): Promise<PendingMail[]>;
}

export interface PendingMail {
  readonly kind: MailKind;
  readonly createdAt: Date;
  readonly status: 'pending';
}

export const OUTBOX = token<Outbox>('Outbox');

/** A mail the dispatcher claimed: it is leased to that claim until it is settled or the lease ends. */
export interface ClaimedMail {
  readonly id: number;
  readonly mail: Mail;
  readonly createdAt: Date;
  /** Tries so far, this one included. */
  readonly attempts: number;
  readonly claimId: string;
}

export interface OutboxStats {
  /** Mails waiting to be sent (pending, due or not). */
  readonly backlog: number;
  /** When the oldest of them was queued; null when none waits. */
  readonly oldestPendingAt: Date | null;
}

/**
 * The dispatcher's side of the outbox. `claim` is atomic across instances: a row is leased to one
 * claim (`leaseMs`), rows locked by another claim in progress are skipped, and a recipient's mail
 * is claimed only when no older mail to that recipient is pending, so each recipient gets its
 * mails in the order they were queued. The settling calls act only while `claimId` holds the row.
 */
export interface OutboxQueue {
  claim(now: Date, leaseMs: number, limit: number): Promise<ClaimedMail[]>;
  /** Sent: the row is kept as sent, its data (tokens) emptied. */
  markSent(id: number, claimId: string, now: Date): Promise<boolean>;
  /** Another try at `nextAttemptAt`. */
  reschedule(id: number, claimId: string, nextAttemptAt: Date, error: string): Promise<boolean>;
  /** Given up: the row is kept as failed, its data emptied. */
  markFailed(id: number, claimId: string, now: Date, error: string): Promise<boolean>;
  stats(): Promise<OutboxStats>;
  /**
   * Deletes up to `limit` of the oldest sent or failed mails queued before `before`, in a
   * transaction of its own; rows another pruner holds are skipped. Pending mails are never pruned.
   * Returns how many went.
   */
  pruneBatch(before: Date, limit: number): Promise<number>;
}
