import { inject, injectable } from 'tsyringe';
import { sessionState, type SessionState } from '../../../domain/session/session.js';
import type { QueryHandler } from '../../bus.js';
import { userNotFound } from '../../not-found.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import {
  AUDIT_LOG,
  auditPosition,
  type AuditEvent,
  type AuditFilter,
  type AuditLog,
} from '../../ports/audit-log.js';
import {
  EMAIL_TOKEN_REPOSITORY,
  type EmailTokenRepository,
  type LiveEmailToken,
} from '../../ports/email-tokens.js';
import {
  ORDER_READ_MODEL,
  orderPosition,
  type OrderReadModel,
} from '../../ports/order-read-model.js';
import type { OrderView } from '../../ports/order-view.js';
import { OUTBOX, type Outbox, type PendingMail } from '../../ports/outbox.js';
import {
  SESSION_READ_MODEL,
  type SessionReadModel,
  type SessionView,
} from '../../ports/session-read-model.js';
import { USER_READ_MODEL, type UserReadModel } from '../../ports/user-read-model.js';
import type { Slice, UserView } from '../../ports/views.js';
import type { ExportAccountQuery } from './export-account.query.js';

export interface ExportedSession extends SessionView {
  readonly state: SessionState;
}

/**
 * Everything stored about one user, each part from the read port that owns it. A part added to
 * the store is one more field here and one more read below.
 */
export interface AccountExport {
  readonly exportedAt: Date;
  readonly user: UserView;
  readonly passwordChangedAt: Date | null;
  /** Newest first, with their items. */
  readonly orders: readonly OrderView[];
  /** Every session the store keeps, ended ones with their state. */
  readonly sessions: readonly ExportedSession[];
  /** The audit events the user acted in, or about the user, their sessions or their orders; newest first. */
  readonly auditEvents: readonly AuditEvent[];
  /** Mails about the user not sent yet, to any of its addresses, oldest first: kind and time, never their data (tokens). */
  readonly pendingMails: readonly PendingMail[];
  /** Verification and reset tokens still usable, oldest first: purpose and times, never the hash. */
  readonly emailTokens: readonly LiveEmailToken[];
}

/** Lists are read in keyset slices of this many, so no single read grows with the account. */
const SLICE = 100;

/** Every item of a keyset list, slice after slice. */
async function everything<T, P>(
  slice: (after: P | undefined) => Promise<Slice<T>>,
  position: (item: T) => P,
): Promise<T[]> {
  const all: T[] = [];
  let after: P | undefined;
  for (;;) {
    const next = await slice(after);
    all.push(...next.items);
    const last = next.items.at(-1);
    if (!next.hasMore || last === undefined) return all;
    after = position(last);
  }
}

const newestFirst = (a: AuditEvent, b: AuditEvent): number =>
  b.occurredAt.getTime() - a.occurredAt.getTime() || Number(b.id) - Number(a.id);

/** `GET /users/me/export`: the caller's own data, composed from the read ports. Never a password hash. */
@injectable()
export class ExportAccountHandler implements QueryHandler<ExportAccountQuery, AccountExport> {
  constructor(
    @inject(USER_READ_MODEL) private readonly users: UserReadModel,
    @inject(ORDER_READ_MODEL) private readonly orders: OrderReadModel,
    @inject(SESSION_READ_MODEL) private readonly sessions: SessionReadModel,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(OUTBOX) private readonly outbox: Outbox,
    @inject(EMAIL_TOKEN_REPOSITORY) private readonly emailTokens: EmailTokenRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor }: ExportAccountQuery): Promise<AccountExport> {
    const now = this.clock.now();
    const [user, stored, orders] = await Promise.all([
      this.users.getById(actor.id),
      this.sessions.sessionsOfUser(actor.id),
      everything(
        (after) =>
          this.orders.listAfter({
            userId: actor.id,
            filter: {},
            limit: SLICE,
            ...(after === undefined ? {} : { after }),
          }),
        orderPosition,
      ),
    ]);
    if (user === null || stored === null) throw userNotFound(actor.id);
    const filters: AuditFilter[] = [
      { actorId: actor.id },
      { subjectType: 'user', subjectId: String(actor.id) },
      ...stored.sessions.map(
        (session): AuditFilter => ({ subjectType: 'session', subjectId: session.id }),
      ),
      ...orders.map(
        (order): AuditFilter => ({ subjectType: 'order', subjectId: String(order.id) }),
      ),
    ];
    // One indexed read per filter, one after another: an account with many orders must not take
    // every connection of the pool at once.
    const found = new Map<string, AuditEvent>();
    for (const filter of filters) {
      const events = await everything(
        (after) =>
          this.audit.listAfter({ filter, limit: SLICE, ...(after === undefined ? {} : { after }) }),
        auditPosition,
      );
      for (const event of events) found.set(event.id, event);
    }
    const auditEvents = [...found.values()].sort(newestFirst);
    const pendingMails = await this.outbox.pendingOf(user);
    const emailTokens = await this.emailTokens.liveOf(actor.id, now);
    return {
      exportedAt: now,
      user,
      passwordChangedAt: stored.passwordChangedAt,
      orders,
      sessions: stored.sessions.map((session) => ({
        ...session,
        state: sessionState(session, now, stored.passwordChangedAt),
      })),
      auditEvents,
      pendingMails,
      emailTokens,
    };
  }
}
