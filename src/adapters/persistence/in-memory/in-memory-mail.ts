import { randomUUID } from 'node:crypto';
import type {
  EmailTokenPurpose,
  EmailTokenRepository,
  LiveEmailToken,
  StoredEmailToken,
} from '../../../application/ports/email-tokens.js';
import type {
  ClaimedMail,
  Mail,
  Outbox,
  OutboxQueue,
  OutboxStats,
  PendingMail,
} from '../../../application/ports/outbox.js';
import { defineTable, type InMemoryDatabase, type TableWriter } from './in-memory-database.js';
import { USERS } from './tables.js';

/** The in-memory `email_tokens`, as the SQL table has it; times in epoch milliseconds. */
interface EmailTokenRow {
  readonly id: number;
  readonly selector: string;
  readonly verifierHash: string;
  readonly purpose: EmailTokenPurpose;
  readonly userId: number;
  readonly email: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly spentAt: number | null;
}

/** The in-memory `mail_outbox`. */
interface OutboxRow {
  readonly id: number;
  readonly recipient: string;
  readonly userId: number | null;
  readonly kind: Mail['kind'];
  readonly data: Mail['data'] | null;
  readonly status: 'pending' | 'sent' | 'failed';
  readonly attempts: number;
  readonly createdAt: number;
  readonly nextAttemptAt: number;
  readonly lockedUntil: number | null;
  readonly claimId: string | null;
  readonly sentAt: number | null;
  readonly lastError: string | null;
}

export const EMAIL_TOKENS = defineTable<EmailTokenRow>({
  name: 'email_tokens',
  unique: { email_tokens_pkey: (row) => row.selector },
});
const MAIL_OUTBOX = defineTable<OutboxRow>({ name: 'mail_outbox', unique: {} });

/** The cascade of deleting a user (SQL: `on delete cascade`). */
export const deleteEmailTokensOfUser = (tx: TableWriter, userId: number): number =>
  tx.deleteWhere(EMAIL_TOKENS, (row) => row.userId === userId);

/**
 * Every mail about an erased account goes with it, pending ones included (SQL: on delete cascade),
 * and the rows without a user (queued before the SQL store recorded it) to its current address.
 */
export const deleteMailOfUser = (tx: TableWriter, userId: number, email: string): number =>
  tx.deleteWhere(
    MAIL_OUTBOX,
    (row) => row.userId === userId || (row.userId === null && row.recipient === email),
  );

const toToken = (row: EmailTokenRow): StoredEmailToken => ({
  selector: row.selector,
  verifierHash: row.verifierHash,
  purpose: row.purpose,
  userId: row.userId,
  email: row.email,
  createdAt: new Date(row.createdAt),
  expiresAt: new Date(row.expiresAt),
  spentAt: row.spentAt === null ? null : new Date(row.spentAt),
});

export class InMemoryEmailTokenRepository implements EmailTokenRepository {
  constructor(private readonly db: InMemoryDatabase) {}

  async issue(token: Omit<StoredEmailToken, 'spentAt'>, now: Date): Promise<void> {
    await this.db.write((tx) => {
      // The foreign key to users, as PostgreSQL checks it.
      if (!tx.rows(USERS).has(token.userId))
        throw new Error(
          `insert into email_tokens violates the foreign key to users (${token.userId})`,
        );
      for (const row of tx.rows(EMAIL_TOKENS).values()) {
        if (row.userId === token.userId && row.purpose === token.purpose && row.spentAt === null) {
          tx.update(EMAIL_TOKENS, { ...row, spentAt: now.getTime() });
        }
      }
      tx.insert(EMAIL_TOKENS, {
        ...token,
        createdAt: token.createdAt.getTime(),
        expiresAt: token.expiresAt.getTime(),
        spentAt: null,
      });
    });
  }

  async find(selector: string): Promise<StoredEmailToken | null> {
    for (const row of this.db.rows(EMAIL_TOKENS).values())
      if (row.selector === selector) return toToken(row);
    return null;
  }

  spend(selector: string, now: Date): Promise<boolean> {
    return this.db.write((tx) => {
      for (const row of tx.rows(EMAIL_TOKENS).values()) {
        if (row.selector === selector) {
          if (row.spentAt !== null) return false;
          return tx.update(EMAIL_TOKENS, { ...row, spentAt: now.getTime() });
        }
      }
      return false;
    });
  }

  async liveOf(userId: number, now: Date): Promise<LiveEmailToken[]> {
    const at = now.getTime();
    return [...this.db.rows(EMAIL_TOKENS).values()]
      .filter((row) => row.userId === userId && row.spentAt === null && row.expiresAt > at)
      .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)
      .map((row) => ({
        purpose: row.purpose,
        createdAt: new Date(row.createdAt),
        expiresAt: new Date(row.expiresAt),
      }));
  }
}

/**
 * The outbox in the in-memory database, with the SQL store's rules: one process, so a claim is one
 * atomic write under the database's lock, and the lease and per-recipient order hold as they do
 * there.
 */
export class InMemoryOutbox implements Outbox, OutboxQueue {
  constructor(private readonly db: InMemoryDatabase) {}

  async enqueue(mail: Mail, now: Date): Promise<void> {
    await this.db.write((tx) => {
      // The foreign key to users, as PostgreSQL checks it.
      if (mail.userId !== null && !tx.rows(USERS).has(mail.userId))
        throw new Error(
          `insert into mail_outbox violates the foreign key to users (${mail.userId})`,
        );
      tx.insert(MAIL_OUTBOX, {
        recipient: mail.to,
        userId: mail.userId,
        kind: mail.kind,
        data: structuredClone(mail.data),
        status: 'pending',
        attempts: 0,
        createdAt: now.getTime(),
        nextAttemptAt: now.getTime(),
        lockedUntil: null,
        claimId: null,
        sentAt: null,
        lastError: null,
      });
    });
  }

  async pendingOf(account: {
    readonly id: number;
    readonly email: string;
  }): Promise<PendingMail[]> {
    return [...this.db.rows(MAIL_OUTBOX).values()]
      .filter(
        (row) =>
          row.status === 'pending' &&
          (row.userId === account.id || (row.userId === null && row.recipient === account.email)),
      )
      .sort((a, b) => a.id - b.id)
      .map((row) => ({ kind: row.kind, createdAt: new Date(row.createdAt), status: 'pending' }));
  }

  claim(now: Date, leaseMs: number, limit: number): Promise<ClaimedMail[]> {
    const at = now.getTime();
    return this.db.write((tx) => {
      const pending = [...tx.rows(MAIL_OUTBOX).values()]
        .filter((row) => row.status === 'pending')
        .sort((a, b) => a.id - b.id);
      const heads = new Set<string>();
      const claimed: ClaimedMail[] = [];
      for (const row of pending) {
        // Only the oldest pending mail of each recipient may go.
        if (heads.has(row.recipient)) continue;
        heads.add(row.recipient);
        if (
          claimed.length >= limit ||
          row.nextAttemptAt > at ||
          (row.lockedUntil !== null && row.lockedUntil > at)
        )
          continue;
        const claimId = randomUUID();
        const next = { ...row, attempts: row.attempts + 1, lockedUntil: at + leaseMs, claimId };
        tx.update(MAIL_OUTBOX, next);
        claimed.push({
          id: row.id,
          mail: {
            kind: row.kind,
            to: row.recipient,
            userId: row.userId,
            data: structuredClone(row.data),
          } as Mail,
          createdAt: new Date(row.createdAt),
          attempts: next.attempts,
          claimId,
        });
      }
      return claimed;
    });
  }

  markSent(id: number, claimId: string, now: Date): Promise<boolean> {
    return this.settle(id, claimId, {
      status: 'sent',
      sentAt: now.getTime(),
      data: null,
      lockedUntil: null,
      claimId: null,
    });
  }

  reschedule(id: number, claimId: string, nextAttemptAt: Date, error: string): Promise<boolean> {
    return this.settle(id, claimId, {
      nextAttemptAt: nextAttemptAt.getTime(),
      lastError: error.slice(0, 500),
      lockedUntil: null,
      claimId: null,
    });
  }

  markFailed(id: number, claimId: string, _now: Date, error: string): Promise<boolean> {
    return this.settle(id, claimId, {
      status: 'failed',
      lastError: error.slice(0, 500),
      data: null,
      lockedUntil: null,
      claimId: null,
    });
  }

  async stats(): Promise<OutboxStats> {
    let backlog = 0;
    let oldest: number | null = null;
    for (const row of this.db.rows(MAIL_OUTBOX).values()) {
      if (row.status !== 'pending') continue;
      backlog += 1;
      if (oldest === null || row.createdAt < oldest) oldest = row.createdAt;
    }
    return { backlog, oldestPendingAt: oldest === null ? null : new Date(oldest) };
  }

  pruneBatch(before: Date, limit: number): Promise<number> {
    const cutoff = before.getTime();
    return this.db.write((tx) => {
      const old = [...tx.rows(MAIL_OUTBOX).values()]
        .filter((row) => row.status !== 'pending' && row.createdAt < cutoff)
        .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)
        .slice(0, limit);
      for (const row of old) tx.delete(MAIL_OUTBOX, row.id);
      return old.length;
    });
  }

  private settle(id: number, claimId: string, changes: Partial<OutboxRow>): Promise<boolean> {
    return this.db.write((tx) => {
      const row = tx.rows(MAIL_OUTBOX).get(id);
      if (row === undefined || row.status !== 'pending' || row.claimId !== claimId) return false;
      return tx.update(MAIL_OUTBOX, { ...row, ...changes });
    });
  }
}
