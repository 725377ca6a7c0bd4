/**
 * Orders, the nested resource: `/users/{id}/orders` and `/users/{id}/orders/{order_id}`. The
 * owner's id in the path decides the caller's right (403, before anything is read); the order
 * must then belong to that owner, or it is 404 exactly as a missing one. Orders are never deleted
 * through the API: no DELETE (nor PUT) is declared, so the router answers 405 with `Allow`.
 */
import type { Actor } from '../../../domain/user/role.js';
import {
  mayAttemptOrderStatusChange,
  mayPlaceOrder,
  mayReadOrders,
} from '../../../domain/order/order-policy.js';
import type { QueryBus } from '../../../application/bus.js';
import { ChangeOrderStatusCommand } from '../../../application/commands/change-order-status/change-order-status.command.js';
import { ChangeOrderStatusHandler } from '../../../application/commands/change-order-status/change-order-status.handler.js';
import { PlaceOrderCommand } from '../../../application/commands/place-order/place-order.command.js';
import { PlaceOrderHandler } from '../../../application/commands/place-order/place-order.handler.js';
import { GetOrderHandler } from '../../../application/queries/get-order/get-order.handler.js';
import { GetOrderQuery } from '../../../application/queries/get-order/get-order.query.js';
import { GetUserHandler } from '../../../application/queries/get-user/get-user.handler.js';
import { GetUserQuery } from '../../../application/queries/get-user/get-user.query.js';
import { ListOrdersHandler } from '../../../application/queries/list-orders/list-orders.handler.js';
import { ListOrdersQuery } from '../../../application/queries/list-orders/list-orders.query.js';
import { orderPosition } from '../../../application/ports/order-read-model.js';
import {
  ChangeOrderStatusBody,
  ListOrdersQueryCodec,
  ListOrdersSliceQueryCodec,
  OrderIdParams,
  OrderSchema,
  PlaceOrderBody,
  UserOrdersParams,
  presentOrder,
} from '../codecs/orders.codecs.js';
import { etagOf, expectedVersions, withETag } from '../conditional.js';
import { CursorCodec } from '../kit/cursor.js';
import { pageReply, pageSchema, sliceReply, sliceSchema } from '../pagination.js';
import { type AnyRouteSpec, defineRoute } from '../kit/route.js';

const TAG = 'Orders';

/** The owner exists (404 `User with id N not found`) before the body is read. */
const ownerExists = ({
  actor,
  params,
  queries,
}: {
  actor: Actor;
  params: { id: number };
  queries: QueryBus;
}) => queries.execute(GetUserHandler, new GetUserQuery(actor, params.id));

/** The owner, then the order under that owner (404 `Order with id N not found`), before the body. */
const orderExists = ({
  actor,
  params,
  queries,
}: {
  actor: Actor;
  params: { id: number; order_id: number };
  queries: QueryBus;
}) => queries.execute(GetOrderHandler, new GetOrderQuery(actor, params.id, params.order_id));

export const orderRoutes: readonly AnyRouteSpec[] = [
  defineRoute({
    operationId: 'placeOrder',
    method: 'POST',
    path: '/users/:id/orders',
    tag: TAG,
    summary: 'Place an order',
    description:
      'The user itself, or an admin for the user. 1 to 100 items; the service computes `total_cents`, which cannot be sent. The order starts `pending`.',
    auth: 'required',
    params: UserOrdersParams,
    authorize: (actor, params) => mayPlaceOrder(actor, params.id),
    load: ownerExists,
    body: PlaceOrderBody,
    success: {
      status: 201,
      description: 'The new order',
      schema: OrderSchema,
      name: 'Order',
      headers: ['Location', 'ETag'],
    },
    errors: [404],
    idempotent: true,
    async handle({ actor, params, body, commands, ctx }) {
      const items = body.items.map((item) => ({
        sku: item.sku,
        quantity: item.quantity,
        unitPriceCents: item.unit_price_cents,
      }));
      const order = await commands.execute(
        PlaceOrderHandler,
        new PlaceOrderCommand(actor, params.id, { currency: body.currency, items }),
      );
      return {
        status: 201,
        body: presentOrder(order),
        headers: {
          Location: `${ctx.state.apiBase}/users/${params.id}/orders/${order.id}`,
          ETag: etagOf(order.version),
        },
      };
    },
  }),
  defineRoute({
    operationId: 'listOrders',
    method: 'GET',
    path: '/users/:id/orders',
    tag: TAG,
    summary: "List a user's orders",
    description:
      "The user itself, moderators and admins; someone else's orders are 403 whether or not the user exists. Newest first; filter `status`.",
    auth: 'required',
    params: UserOrdersParams,
    query: ListOrdersQueryCodec,
    authorize: (actor, params) => mayReadOrders(actor, params.id),
    success: {
      status: 200,
      description: 'A page of orders',
      schema: pageSchema(OrderSchema),
      name: 'OrderPage',
      headers: ['Link'],
    },
    errors: [404],
    async handle({ actor, params, query, queries, ctx }) {
      const criteria = {
        mode: 'page' as const,
        userId: params.id,
        page: query.page,
        pageSize: query.page_size,
        filter: query.status === undefined ? {} : { status: query.status },
      };
      const page = await queries.execute(ListOrdersHandler, new ListOrdersQuery(actor, criteria));
      if (page.mode !== 'page') throw new Error('expected a numbered page');
      return pageReply(ctx, criteria, page, presentOrder);
    },
    versions: {
      2: {
        description:
          "The user itself, moderators and admins; someone else's orders are 403 whether or not the user exists. Newest first; filter `status`. Keyset pages: pass `next_cursor` back as `cursor`.",
        query: ListOrdersSliceQueryCodec,
        success: {
          status: 200,
          description: 'A slice of orders',
          schema: sliceSchema(OrderSchema),
          name: 'OrderSlice',
          headers: ['Link'],
        },
        async handle({ actor, params, query, queries, ctx, cursors }) {
          const fingerprint = CursorCodec.fingerprint({ user: params.id, status: query.status });
          const after =
            query.cursor === undefined ? undefined : cursors.decode(query.cursor, fingerprint);
          const criteria = {
            mode: 'slice' as const,
            userId: params.id,
            limit: query.limit,
            filter: query.status === undefined ? {} : { status: query.status },
            ...(after === undefined ? {} : { after }),
          };
          const slice = await queries.execute(
            ListOrdersHandler,
            new ListOrdersQuery(actor, criteria),
          );
          if (slice.mode !== 'slice') throw new Error('expected a slice');
          return sliceReply(ctx, slice, presentOrder, (last) =>
            cursors.encode(orderPosition(last), fingerprint),
          );
        },
      },
    },
  }),
  defineRoute({
    operationId: 'getOrder',
    method: 'GET',
    path: '/users/:id/orders/:order_id',
    tag: TAG,
    summary: 'Get an order',
    description:
      "The same readers as the list. An order of another user is 404 under this user's path.",
    auth: 'required',
    params: OrderIdParams,
    authorize: (actor, params) => mayReadOrders(actor, params.id),
    success: {
      status: 200,
      description: 'The order',
      schema: OrderSchema,
      name: 'Order',
      headers: ['ETag'],
    },
    errors: [304, 404],
    async handle({ actor, params, queries, ctx }) {
      const order = await queries.execute(
        GetOrderHandler,
        new GetOrderQuery(actor, params.id, params.order_id),
      );
      return withETag(ctx, order.version, presentOrder(order));
    },
  }),
  defineRoute({
    operationId: 'changeOrderStatus',
    method: 'PATCH',
    path: '/users/:id/orders/:order_id',
    tag: TAG,
    summary: "Change an order's status",
    description:
      'Body `{"status": ...}`. `pending -> paid | cancelled`, `paid -> shipped | cancelled`, `shipped -> delivered`. The owner may only cancel a pending order; every other move is for admins (403 otherwise); moderators may not change orders. Any move not listed, the same status included, is 409 whoever asks. Honours `If-Match` (412).',
    auth: 'required',
    params: OrderIdParams,
    authorize: (actor, params) => mayAttemptOrderStatusChange(actor, params.id),
    load: orderExists,
    body: ChangeOrderStatusBody,
    success: {
      status: 200,
      description: 'The order',
      schema: OrderSchema,
      name: 'Order',
      headers: ['ETag'],
    },
    errors: [404, 409, 412],
    async handle({ actor, params, body, commands, ctx }) {
      const command = new ChangeOrderStatusCommand(
        actor,
        params.id,
        params.order_id,
        body.status,
        expectedVersions(ctx),
      );
      const order = await commands.execute(ChangeOrderStatusHandler, command);
      return { status: 200, body: presentOrder(order), headers: { ETag: etagOf(order.version) } };
    },
  }),
];
