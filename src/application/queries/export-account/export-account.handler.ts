import { inject, injectable } from 'tsyringe';
import { sessionState, type SessionState } from '../../../domain/session/session.js';
import type { QueryHandler } from '../../bus.js';
import { userNotFound } from '../../not-found.js';
import { CLOCK, type Clock } from '../../ports/clock.js';
import { ORDER_READ_MODEL, type OrderPosition, orderPosition, type OrderReadModel } from '../../ports/order-read-model.js';
import type { OrderView } from '../../ports/order-view.js';
import { SESSION_READ_MODEL, type SessionReadModel, type SessionView } from '../../ports/session-read-model.js';
import { USER_READ_MODEL, type UserReadModel } from '../../ports/user-read-model.js';
import type { UserView } from '../../ports/views.js';
import { ExportAccountQuery } from './export-account.query.js';

export interface ExportedSession extends SessionView {
  readonly state: SessionState;
}

/**
 * Everything stored about one user, each part from the read port that owns it. A part added to
 * the store (audit events about the user, say) is one more field here and one more read below.
 */
export interface AccountExport {
  readonly exportedAt: Date;
  readonly user: UserView;
  readonly passwordChangedAt: Date | null;
  /** Newest first, with their items. */
  readonly orders: readonly OrderView[];
  /** Every session the store keeps, ended ones with their state. */
  readonly sessions: readonly ExportedSession[];
}

/** Orders are read in keyset slices of this many, so no single read grows with the account. */
const ORDER_SLICE = 100;

/** `GET /users/me/export`: the caller's own data, composed from the read ports. Never a password hash. */
@injectable()
export class ExportAccountHandler implements QueryHandler<ExportAccountQuery, AccountExport> {
  constructor(
    @inject(USER_READ_MODEL) private readonly users: UserReadModel,
    @inject(ORDER_READ_MODEL) private readonly orders: OrderReadModel,
    @inject(SESSION_READ_MODEL) private readonly sessions: SessionReadModel,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor }: ExportAccountQuery): Promise<AccountExport> {
    const now = this.clock.now();
    const [user, stored, orders] = await Promise.all([
      this.users.getById(actor.id),
      this.sessions.sessionsOfUser(actor.id),
      this.allOrders(actor.id),
    ]);
    if (user === null || stored === null) throw userNotFound(actor.id);
    return {
      exportedAt: now,
      user,
      passwordChangedAt: stored.passwordChangedAt,
      orders,
      sessions: stored.sessions.map((session) => ({ ...session, state: sessionState(session, now, stored.passwordChangedAt) })),
    };
  }

  private async allOrders(userId: number): Promise<OrderView[]> {
    const all: OrderView[] = [];
    let after: OrderPosition | undefined;
    for (;;) {
      const slice = await this.orders.listAfter({ userId, filter: {}, limit: ORDER_SLICE, ...(after === undefined ? {} : { after }) });
      all.push(...slice.items);
      const last = slice.items.at(-1);
      if (!slice.hasMore || last === undefined) return all;
      after = orderPosition(last);
    }
  }
}
