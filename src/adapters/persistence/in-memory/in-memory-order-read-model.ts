import type {
  OrderFilter,
  OrderListCriteria,
  OrderReadModel,
  OrderSliceCriteria,
} from '../../../application/ports/order-read-model.js';
import type { OrderView } from '../../../application/ports/order-view.js';
import type { Page, Slice } from '../../../application/ports/views.js';
import type { InMemoryDatabase } from './in-memory-database.js';
import { ORDERS, toOrderView } from './order-records.js';

/** Reads committed orders (or, inside a unit of work, the unit's own state), as views. */
export class InMemoryOrderReadModel implements OrderReadModel {
  constructor(private readonly db: InMemoryDatabase) {}

  async getById(id: number): Promise<OrderView | null> {
    const row = this.db.rows(ORDERS).get(id);
    return row === undefined ? null : toOrderView(row);
  }

  async list({ userId, filter, page, pageSize }: OrderListCriteria): Promise<Page<OrderView>> {
    const matching = this.newestFirst(userId, filter);
    const start = (page - 1) * pageSize;
    return {
      items: matching.slice(start, start + pageSize).map(toOrderView),
      total: matching.length,
    };
  }

  async listAfter({ userId, filter, limit, after }: OrderSliceCriteria): Promise<Slice<OrderView>> {
    const afterAt = after === undefined ? undefined : Date.parse(after.key);
    const rest =
      after === undefined || afterAt === undefined
        ? this.newestFirst(userId, filter)
        : this.newestFirst(userId, filter).filter(
            (row) => row.createdAt < afterAt || (row.createdAt === afterAt && row.id < after.id),
          );
    return { items: rest.slice(0, limit).map(toOrderView), hasMore: rest.length > limit };
  }

  private newestFirst(userId: number, filter: OrderFilter) {
    const matching = [...this.db.rows(ORDERS).values()].filter(
      (row) =>
        row.userId === userId && (filter.status === undefined || row.status === filter.status),
    );
    // Newest first, ties to the higher id: the SQL read model's `created_at desc, id desc`.
    matching.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    return matching;
  }
}
