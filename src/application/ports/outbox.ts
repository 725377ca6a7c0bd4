import { token } from './injection.js';

/** Each kind of mail with the data its template needs. */
export type Mail =
  | {
      readonly kind: 'verify_email';
      readonly to: string;
      readonly data: { readonly username: string; readonly token: string };
    }
  | {
      readonly kind: 'email_changed';
      readonly to: string;
      readonly data: { readonly username: string; readonly newEmail: string };
    }
  | {
      readonly kind: 'password_reset';
      readonly to: string;
      readonly data: { readonly username: string; readonly token: string };
    }
  | {
      readonly kind: 'password_changed';
      readonly to: string;
      readonly data: { readonly username: string };
    };

export type MailKind = Mail['kind'];

/**
 * Where the core puts the mails a change causes. Inside a unit of work the mail is written with
 * the change and commits or rolls back with it; a dispatcher sends it after the commit.
 */
export interface Outbox {
  enqueue(mail: Mail, now: Date): Promise<void>;
  /** The mails to this address still waiting to be sent, oldest first: what an export shows of them (never their data). */
  pendingTo(recipient: string): Promise<PendingMail[]>;
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
   * Deletes up to `limit` sent or failed mails queued before `before`, in a transaction of its own;
   * rows another pruner holds are skipped. Pending mails are never pruned. Returns how many went.
   */
  pruneBatch(before: Date, limit: number): Promise<number>;
}
