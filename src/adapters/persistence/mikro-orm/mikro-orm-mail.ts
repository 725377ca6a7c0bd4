import { randomUUID } from 'node:crypto';
import type {
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
import { LeanSql, sqlStatement } from './lean-sql.js';
import type { SqlOrm } from './mikro-orm-context.js';

/**
 * Issuing spends the user's live tokens of the purpose and inserts the new one, as one statement
 * (the new row is not in the snapshot the spending sees). Inside a unit of work it is held with
 * the unit's other held writes (`LeanSql.defer`): a sign-up sends it with its mail and audit event.
 */
const SPEND_LIVE_TOKENS = sqlStatement(
  'update email_tokens set spent_at = ?::timestamptz where user_id = ? and purpose = ? and spent_at is null',
);
const INSERT_TOKEN = sqlStatement(
  `insert into email_tokens (selector, verifier_hash, purpose, user_id, email, created_at, expires_at, spent_at)
   values (?, ?, ?, ?, ?, ?::timestamptz, ?::timestamptz, null)`,
);
const FIND_TOKEN = sqlStatement(
  `select selector, verifier_hash, purpose, user_id, email, created_at, expires_at, spent_at from email_tokens where selector = ?`,
);
const LIVE_TOKENS = sqlStatement(
  `select purpose, created_at, expires_at from email_tokens
    where user_id = ? and spent_at is null and expires_at > ?::timestamptz order by created_at, selector`,
);
const SPEND_TOKEN = sqlStatement(
  `update email_tokens set spent_at = ?::timestamptz where selector = ? and spent_at is null returning selector`,
);

interface TokenRow {
  readonly selector: string;
  readonly verifier_hash: string;
  readonly purpose: StoredEmailToken['purpose'];
  readonly user_id: number;
  readonly email: string;
  readonly created_at: unknown;
  readonly expires_at: unknown;
  readonly spent_at: unknown;
}

/** Mail tokens in PostgreSQL (or PGlite): explicit statements, in the caller's unit when there is one. */
export class MikroOrmEmailTokenRepository implements EmailTokenRepository {
  private readonly sql: LeanSql;

  constructor(orm: SqlOrm) {
    this.sql = new LeanSql(orm);
  }

  async issue(token: Omit<StoredEmailToken, 'spentAt'>, now: Date): Promise<void> {
    await this.sql.defer({
      statements: [SPEND_LIVE_TOKENS, INSERT_TOKEN],
      table: 'email_tokens',
      values: [
        now,
        token.userId,
        token.purpose,
        token.selector,
        token.verifierHash,
        token.purpose,
        token.userId,
        token.email,
        token.createdAt,
        token.expiresAt,
      ],
    });
  }

  async find(selector: string): Promise<StoredEmailToken | null> {
    const row = await this.sql.one<TokenRow>(FIND_TOKEN, [selector], 'write');
    if (row === null) return null;
    return {
      selector: row.selector,
      verifierHash: row.verifier_hash,
      purpose: row.purpose,
      userId: row.user_id,
      email: row.email,
      createdAt: this.sql.time(row.created_at),
      expiresAt: this.sql.time(row.expires_at),
      spentAt:
        row.spent_at === null || row.spent_at === undefined ? null : this.sql.time(row.spent_at),
    };
  }

  async spend(selector: string, now: Date): Promise<boolean> {
    return (await this.sql.all(SPEND_TOKEN, [now, selector], 'write')).length > 0;
  }

  async liveOf(userId: number, now: Date): Promise<LiveEmailToken[]> {
    const rows = await this.sql.all<Pick<TokenRow, 'purpose' | 'created_at' | 'expires_at'>>(
      LIVE_TOKENS,
      [userId, now],
      'write',
    );
    return rows.map((row) => ({
      purpose: row.purpose,
      createdAt: this.sql.time(row.created_at),
      expiresAt: this.sql.time(row.expires_at),
    }));
  }
}

// The foreign key on user_id checks the user within this statement: an index probe and a key-share
// lock on the user's row (in a sign-up, a row its own transaction inserted). Held in a unit of work
// (`LeanSql.defer`): it goes with the unit's other held writes, in one round trip.
const ENQUEUE = sqlStatement(
  `insert into mail_outbox (recipient, user_id, kind, data, status, attempts, created_at, next_attempt_at)
   values (?, ?, ?, ?::jsonb, 'pending', 0, ?::timestamptz, ?::timestamptz)`,
);

/**
 * One statement claims a batch: due pending rows whose lease is free and that are the oldest
 * pending mail of their recipient, in id order, locked with SKIP LOCKED so that instances claiming
 * at the same moment take different rows (and a row another claim holds keeps its recipient's
 * later mails waiting, since it is still pending), then leased to this claim.
 */
const CLAIM = sqlStatement(
  `with due as (
     select o.id from mail_outbox o
      where o.status = 'pending' and o.next_attempt_at <= ?::timestamptz
        and (o.locked_until is null or o.locked_until <= ?::timestamptz)
        and not exists (select 1 from mail_outbox e where e.recipient = o.recipient and e.status = 'pending' and e.id < o.id)
      order by o.id
      limit ?
      for update skip locked
   )
   update mail_outbox m set attempts = m.attempts + 1, locked_until = ?::timestamptz, claim_id = ?::uuid
     from due where m.id = due.id
   returning m.id, m.recipient, m.user_id, m.kind, m.data, m.created_at, m.attempts`,
);
const MARK_SENT = sqlStatement(
  `update mail_outbox set status = 'sent', sent_at = ?::timestamptz, data = '{}'::jsonb, locked_until = null, claim_id = null
    where id = ? and claim_id = ?::uuid and status = 'pending' returning id`,
);
const RESCHEDULE = sqlStatement(
  `update mail_outbox set next_attempt_at = ?::timestamptz, last_error = ?, locked_until = null, claim_id = null
    where id = ? and claim_id = ?::uuid and status = 'pending' returning id`,
);
const MARK_FAILED = sqlStatement(
  `update mail_outbox set status = 'failed', last_error = ?, data = '{}'::jsonb, locked_until = null, claim_id = null
    where id = ? and claim_id = ?::uuid and status = 'pending' returning id`,
);
// Rows queued before user_id was recorded have none: those count when they go to the current address.
const PENDING_OF = sqlStatement(
  `select kind, created_at from mail_outbox
    where status = 'pending' and (user_id = ? or (user_id is null and recipient = ?)) order by id`,
);
// SKIP LOCKED: pruners of several instances take disjoint batches; a claimed row is pending, never pruned.
// The oldest settled rows through mail_outbox_settled_idx, then by their ids: `= any(array(...))`
// and not `in (...)`, which PostgreSQL plans as a hash join over the whole table.
const PRUNE = sqlStatement(
  `delete from mail_outbox where id = any(array(
     select id from mail_outbox where status <> 'pending' and created_at < ?::timestamptz
      order by created_at, id limit ? for update skip locked))
   returning id`,
);
/**
 * Erasing a user: its mails go by cascade (mail_outbox.user_id); the rows queued before user_id
 * was recorded are found by the account's current address. Run before the user's row goes.
 */
export const DELETE_UNOWNED_MAIL_OF_USER = sqlStatement(
  'delete from mail_outbox where user_id is null and recipient = (select email from users where id = ?)',
);
/** The statements whose plans the tests look at. */
export const OUTBOX_STATEMENTS = { pendingOf: PENDING_OF, prune: PRUNE } as const;
const STATS = sqlStatement(
  `select count(*)::int as backlog, round(extract(epoch from min(created_at)) * 1000)::float8 as oldest
     from mail_outbox where status = 'pending'`,
);

interface ClaimRow {
  readonly id: number;
  readonly recipient: string;
  readonly user_id: number | null;
  readonly kind: Mail['kind'];
  readonly data: unknown;
  readonly created_at: unknown;
  readonly attempts: number;
}

/** The outbox in PostgreSQL (or PGlite). `enqueue` joins the caller's unit of work, held to its end. */
export class MikroOrmOutbox implements Outbox, OutboxQueue {
  private readonly sql: LeanSql;

  constructor(orm: SqlOrm) {
    this.sql = new LeanSql(orm);
  }

  async enqueue(mail: Mail, now: Date): Promise<void> {
    await this.sql.defer({
      statements: [ENQUEUE],
      table: 'mail_outbox',
      values: [mail.to, mail.userId, mail.kind, JSON.stringify(mail.data), now, now],
    });
  }

  async claim(now: Date, leaseMs: number, limit: number): Promise<ClaimedMail[]> {
    const claimId = randomUUID();
    const rows = await this.sql.all<ClaimRow>(
      CLAIM,
      [now, now, limit, new Date(now.getTime() + leaseMs), claimId],
      'write',
    );
    return rows
      .map((row) => ({
        id: row.id,
        mail: {
          kind: row.kind,
          to: row.recipient,
          userId: row.user_id,
          data: typeof row.data === 'string' ? JSON.parse(row.data) : row.data,
        } as Mail,
        createdAt: this.sql.time(row.created_at),
        attempts: row.attempts,
        claimId,
      }))
      .sort((a, b) => a.id - b.id);
  }

  async markSent(id: number, claimId: string, now: Date): Promise<boolean> {
    return (await this.sql.all(MARK_SENT, [now, id, claimId], 'write')).length > 0;
  }

  async reschedule(
    id: number,
    claimId: string,
    nextAttemptAt: Date,
    error: string,
  ): Promise<boolean> {
    return (
      (await this.sql.all(RESCHEDULE, [nextAttemptAt, error.slice(0, 500), id, claimId], 'write'))
        .length > 0
    );
  }

  async markFailed(id: number, claimId: string, _now: Date, error: string): Promise<boolean> {
    return (
      (await this.sql.all(MARK_FAILED, [error.slice(0, 500), id, claimId], 'write')).length > 0
    );
  }

  async pendingOf(account: {
    readonly id: number;
    readonly email: string;
  }): Promise<PendingMail[]> {
    const rows = await this.sql.all<{ kind: Mail['kind']; created_at: unknown }>(
      PENDING_OF,
      [account.id, account.email],
      'write',
    );
    return rows.map((row) => ({
      kind: row.kind,
      createdAt: this.sql.time(row.created_at),
      status: 'pending',
    }));
  }

  async pruneBatch(before: Date, limit: number): Promise<number> {
    return (await this.sql.all(PRUNE, [before, limit], 'write')).length;
  }

  async stats(): Promise<OutboxStats> {
    const row = await this.sql.one<{ backlog: number; oldest: number | null }>(STATS, [], 'write');
    return {
      backlog: row?.backlog ?? 0,
      oldestPendingAt:
        row?.oldest === null || row?.oldest === undefined ? null : new Date(Number(row.oldest)),
    };
  }
}
