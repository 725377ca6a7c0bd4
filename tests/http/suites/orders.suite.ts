import { expect } from 'chai';
import { bearer, type TestApi } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

interface Response {
  status: number;
  body: Record<string, any>;
  headers: Record<string, string | undefined>;
}

const ORDER_KEYS = [
  'id',
  'user_id',
  'status',
  'currency',
  'items',
  'total_cents',
  'created_at',
  'updated_at',
];

const BOOK = { sku: 'BOOK-1', quantity: 2, unit_price_cents: 1999 };
const PEN = { sku: 'pen_2', quantity: 3, unit_price_cents: 250 };
const anOrderBody = (over: Record<string, unknown> = {}) => ({
  currency: 'EUR',
  items: [BOOK, PEN],
  ...over,
});

const fields = (res: Response): string[] =>
  (res.body['details'] as { field: string }[]).map((d) => d.field).sort();

function expectError(res: Response, status: number, error: string, message?: string): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.body['error']).to.equal(error);
  if (message !== undefined) expect(res.body['message']).to.equal(message);
}

export function ordersSuite(open: OpenStore): void {
  describe('orders (/users/{id}/orders)', () => {
    const ctx = useApi(open);
    const api = (): TestApi => ctx.get();

    const place = async (
      userId: number,
      token: string,
      body: unknown = anOrderBody(),
    ): Promise<Response> =>
      api()
        .http.post(`/api/v1/users/${userId}/orders`)
        .set(bearer(token))
        .send(body as object);
    /** Places an order (as the admin unless a token is given) and returns its body; fails the test otherwise. */
    const placed = async (
      userId: number,
      token?: string,
      body?: unknown,
    ): Promise<Record<string, any>> => {
      const res = await place(userId, token ?? (await api().adminToken()), body);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      api().clock.advance(1000);
      return res.body;
    };
    const getOrder = (userId: number, orderId: number, token: string) =>
      api()
        .http.get(`/api/v1/users/${userId}/orders/${orderId}`)
        .set(bearer(token)) as unknown as Promise<Response>;
    const patch = (
      userId: number,
      orderId: number,
      token: string,
      body: unknown,
      ifMatch?: string,
    ): Promise<Response> => {
      const request = api()
        .http.patch(`/api/v1/users/${userId}/orders/${orderId}`)
        .set(bearer(token));
      if (ifMatch !== undefined) request.set('If-Match', ifMatch);
      return request.send(body as object) as unknown as Promise<Response>;
    };
    const list = (userId: number, token: string, query = '') =>
      api()
        .http.get(`/api/v1/users/${userId}/orders${query}`)
        .set(bearer(token)) as unknown as Promise<Response>;

    describe('POST /users/{id}/orders', () => {
      it('the user itself: 201, Location, ETag, the order with its total computed, pending', async () => {
        const user = await api().createUser();
        const res = await place(user.id, user.token);
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(Object.keys(res.body).sort()).to.deep.equal([...ORDER_KEYS].sort());
        expect(res.body).to.deep.include({
          user_id: user.id,
          status: 'pending',
          currency: 'EUR',
          items: [BOOK, PEN],
          total_cents: 3998 + 750,
        });
        expect(res.body['id']).to.be.a('number').greaterThan(0);
        expect(res.headers['location']).to.equal(
          `/api/v1/users/${user.id}/orders/${res.body['id']}`,
        );
        expect(res.headers['etag']).to.equal('"1"');
        expect(res.body['created_at']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(res.body['updated_at']).to.equal(res.body['created_at']);
        const read = await getOrder(user.id, res.body['id'], user.token);
        expect(read.body).to.deep.equal(res.body);
      });

      it('an admin places an order for a user', async () => {
        const user = await api().createUser();
        const res = await place(user.id, await api().adminToken());
        expect(res.status).to.equal(201);
        expect(res.body['user_id']).to.equal(user.id);
      });

      it('403 for a moderator and for another user, whether or not the user exists', async () => {
        const user = await api().createUser();
        const other = await api().createUser();
        const mod = await api().createUser({ role: 'moderator' });
        expectError(
          await place(user.id, mod.token),
          403,
          'ForbiddenError',
          'Insufficient permissions. Required role: admin',
        );
        expectError(await place(user.id, other.token), 403, 'ForbiddenError');
        expectError(await place(2_000_000_000, other.token), 403, 'ForbiddenError');
        expect((await list(user.id, await api().adminToken())).body['total']).to.equal(0);
      });

      it('401 without a token; 400 for a malformed user id', async () => {
        const res = await api().http.post('/api/v1/users/1/orders').send(anOrderBody());
        expectError(res, 401, 'UnauthorizedError');
        const admin = await api().adminToken();
        for (const id of ['abc', '0', '-1', '2147483648'])
          expectError(await place(id as unknown as number, admin), 400, 'BadRequestError');
      });

      it('404 for a user that does not exist (admin), before the body is read', async () => {
        const admin = await api().adminToken();
        expectError(
          await place(2_000_000_000, admin),
          404,
          'NotFoundError',
          'User with id 2000000000 not found',
        );
        expectError(await place(2_000_000_000, admin, { nonsense: true }), 404, 'NotFoundError');
        const notJson = await api()
          .http.post('/api/v1/users/2000000000/orders')
          .set(bearer(admin))
          .set('Content-Type', 'text/plain')
          .send('x');
        expectError(notJson as unknown as Response, 404, 'NotFoundError');
      });

      it('the order of checks: 403 before 404 before 415 before 422', async () => {
        const user = await api().createUser();
        const mod = await api().createUser({ role: 'moderator' });
        expectError(
          await place(2_000_000_000, mod.token, { nonsense: true }),
          403,
          'ForbiddenError',
        );
        const notJson = await api()
          .http.post(`/api/v1/users/${user.id}/orders`)
          .set(bearer(user.token))
          .set('Content-Type', 'text/plain')
          .send('x');
        expectError(notJson as unknown as Response, 415, 'UnsupportedMediaTypeError');
        expectError(await place(user.id, user.token, { nonsense: true }), 422, 'ValidationError');
      });

      it('422 naming every bad field, items by path', async () => {
        const user = await api().createUser();
        const res = await place(user.id, user.token, {
          currency: 'eur',
          items: [
            BOOK,
            { sku: 'has space', quantity: 0, unit_price_cents: -1 },
            { sku: '', quantity: 1.5, unit_price_cents: 1.5, colour: 'red' },
            { sku: 'x'.repeat(65), quantity: 1001, unit_price_cents: '100' },
            { quantity: 1 },
          ],
        });
        expectError(res, 422, 'ValidationError');
        expect(fields(res)).to.deep.equal(
          [
            'currency',
            'items.1.sku',
            'items.1.quantity',
            'items.1.unit_price_cents',
            'items.2.sku',
            'items.2.quantity',
            'items.2.unit_price_cents',
            'items.2.colour',
            'items.3.sku',
            'items.3.quantity',
            'items.3.unit_price_cents',
            'items.4.sku',
            'items.4.unit_price_cents',
          ].sort(),
        );
        const colour = (res.body['details'] as { field: string; message: string }[]).find(
          (d) => d.field === 'items.2.colour',
        );
        expect(colour?.message).to.equal('Unknown field');
      });

      it('422 for total_cents, id, status, user_id, created_at and unknown fields, each named', async () => {
        const user = await api().createUser();
        const res = await place(
          user.id,
          user.token,
          anOrderBody({
            total_cents: 1,
            id: 5,
            status: 'paid',
            user_id: user.id,
            created_at: 'now',
            coupon: 'FREE',
          }),
        );
        expectError(res, 422, 'ValidationError');
        expect(fields(res)).to.deep.equal([
          'coupon',
          'created_at',
          'id',
          'status',
          'total_cents',
          'user_id',
        ]);
        expect((await list(user.id, user.token)).body['total']).to.equal(0);
      });

      it('422 for a missing currency or items, and for anything but 1 to 100 items', async () => {
        const user = await api().createUser();
        expect(fields(await place(user.id, user.token, {}))).to.deep.equal(['currency', 'items']);
        for (const items of [[], Array.from({ length: 101 }, () => BOOK), 'BOOK-1', null]) {
          const res = await place(user.id, user.token, { currency: 'EUR', items });
          expectError(res, 422, 'ValidationError');
          expect(fields(res), JSON.stringify(items).slice(0, 20)).to.deep.equal(['items']);
        }
        expect(
          (
            await place(user.id, user.token, {
              currency: 'EUR',
              items: Array.from({ length: 100 }, () => BOOK),
            })
          ).status,
        ).to.equal(201);
      });

      it('accepts the bounds: quantity 1 and 1000, unit price 0 and 10^12, a 64-character sku', async () => {
        const user = await api().createUser();
        const res = await place(user.id, user.token, {
          currency: 'JPY',
          items: [
            { sku: 'A', quantity: 1, unit_price_cents: 0 },
            { sku: 'z'.repeat(64), quantity: 1000, unit_price_cents: 1_000_000_000_000 },
          ],
        });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(res.body['total_cents']).to.equal(1_000_000_000_000_000);
      });

      it('422 on items when the total would pass Number.MAX_SAFE_INTEGER', async () => {
        const user = await api().createUser();
        const huge = { sku: 'GOLD', quantity: 1000, unit_price_cents: 1_000_000_000_000 };
        const res = await place(user.id, user.token, {
          currency: 'EUR',
          items: Array.from({ length: 10 }, () => huge),
        });
        expectError(res, 422, 'ValidationError');
        expect(res.body['details']).to.deep.equal([
          {
            field: 'items',
            message: `The order total must not exceed ${Number.MAX_SAFE_INTEGER} cents`,
          },
        ]);
      });

      it('422 for a currency that is not an ISO 4217 code in use', async () => {
        const user = await api().createUser();
        for (const currency of ['ABC', 'EURO', 'E1R', 12]) {
          const res = await place(user.id, user.token, anOrderBody({ currency }));
          expectError(res, 422, 'ValidationError');
          expect(fields(res), String(currency)).to.deep.equal(['currency']);
        }
      });
    });

    describe('GET /users/{id}/orders', () => {
      let user: { id: number; token: string };
      let ids: number[];
      before(async function () {
        this.timeout(30_000);
        user = await api().createUser();
        ids = [];
        // Seven orders, one a second apart; the 2nd is paid and the 4th cancelled by the admin.
        for (let i = 0; i < 7; i += 1)
          ids.push(
            (
              await placed(
                user.id,
                user.token,
                anOrderBody({ items: [{ ...BOOK, quantity: i + 1 }] }),
              )
            )['id'],
          );
        const admin = await api().adminToken();
        expect((await patch(user.id, ids[1]!, admin, { status: 'paid' })).status).to.equal(200);
        expect((await patch(user.id, ids[3]!, admin, { status: 'cancelled' })).status).to.equal(
          200,
        );
      });
      const newestFirst = () => [...ids].reverse();

      it('the user itself, a moderator and an admin: a v1 page, newest first', async () => {
        const mod = await api().createUser({ role: 'moderator' });
        for (const token of [user.token, mod.token, await api().adminToken()]) {
          const res = await list(user.id, token);
          expect(res.status).to.equal(200);
          expect(res.body).to.include({
            total: 7,
            page: 1,
            page_size: 50,
            total_pages: 1,
            total_exact: true,
          });
          expect((res.body['items'] as { id: number }[]).map((o) => o.id)).to.deep.equal(
            newestFirst(),
          );
          expect(Object.keys(res.body['items'][0]).sort()).to.deep.equal([...ORDER_KEYS].sort());
        }
      });

      it('pages without overlap, with Link first/prev/next/last', async () => {
        const seen: number[] = [];
        for (let page = 1; page <= 3; page += 1) {
          const res = await list(user.id, user.token, `?page=${page}&page_size=3`);
          expect(res.body).to.include({ page, page_size: 3, total: 7, total_pages: 3 });
          seen.push(...(res.body['items'] as { id: number }[]).map((o) => o.id));
          const link = res.headers['link']!;
          expect(link).to.contain(
            `</api/v1/users/${user.id}/orders?page=1&page_size=3>; rel="first"`,
          );
          expect(link).to.contain('rel="last"');
          if (page < 3) expect(link).to.contain(`page=${page + 1}&page_size=3>; rel="next"`);
        }
        expect(seen).to.deep.equal(newestFirst());
        const past = await list(user.id, user.token, '?page=9&page_size=3');
        expect(past.status).to.equal(200);
        expect(past.body).to.include({ total: 7, page: 9 });
        expect(past.body['items']).to.deep.equal([]);
      });

      it('filters by status', async () => {
        const pending = await list(user.id, user.token, '?status=pending');
        expect(pending.body['total']).to.equal(5);
        expect(
          (pending.body['items'] as { status: string }[]).every((o) => o.status === 'pending'),
        ).to.equal(true);
        const paid = await list(user.id, user.token, '?status=paid&page_size=1');
        expect((paid.body['items'] as { id: number }[]).map((o) => o.id)).to.deep.equal([ids[1]]);
        expect((await list(user.id, user.token, '?status=delivered')).body).to.include({
          total: 0,
          total_pages: 0,
        });
        expect((await list(user.id, user.token, '?status=pending')).headers['link']).to.contain(
          'status=pending',
        );
      });

      it('400 for an unknown status, a bad page or page size', async () => {
        expectError(
          await list(user.id, user.token, '?status=lost'),
          400,
          'BadRequestError',
          'Invalid status: lost. Expected one of: pending, paid, shipped, delivered, cancelled',
        );
        expectError(
          await list(user.id, user.token, '?page=0'),
          400,
          'BadRequestError',
          'Page must be >= 1',
        );
        expectError(
          await list(user.id, user.token, '?page_size=101'),
          400,
          'BadRequestError',
          'Page size must be between 1 and 100',
        );
        expectError(await list('abc' as unknown as number, user.token), 400, 'BadRequestError');
      });

      it("403 for someone else's orders, whether or not the user exists; 404 for a missing user (moderator, admin)", async () => {
        const other = await api().createUser();
        expectError(await list(user.id, other.token), 403, 'ForbiddenError');
        expectError(await list(2_000_000_000, other.token), 403, 'ForbiddenError');
        const mod = await api().createUser({ role: 'moderator' });
        expectError(
          await list(2_000_000_000, mod.token),
          404,
          'NotFoundError',
          'User with id 2000000000 not found',
        );
        expectError(
          await list(2_000_000_000, await api().adminToken()),
          404,
          'NotFoundError',
          'User with id 2000000000 not found',
        );
        expect((await list(other.id, other.token)).body).to.include({ total: 0 });
      });
    });

    describe('GET /users/{id}/orders/{order_id}', () => {
      it('the user itself, a moderator and an admin; ETag; If-None-Match gives 304', async () => {
        const user = await api().createUser();
        const mod = await api().createUser({ role: 'moderator' });
        const order = await placed(user.id, user.token);
        for (const token of [user.token, mod.token, await api().adminToken()]) {
          const res = await getOrder(user.id, order['id'], token);
          expect(res.status).to.equal(200);
          expect(res.body).to.deep.equal(order);
          expect(res.headers['etag']).to.equal('"1"');
        }
        const again = await api()
          .http.get(`/api/v1/users/${user.id}/orders/${order['id']}`)
          .set(bearer(user.token))
          .set('If-None-Match', '"1"');
        expect(again.status).to.equal(304);
        const stale = await api()
          .http.get(`/api/v1/users/${user.id}/orders/${order['id']}`)
          .set(bearer(user.token))
          .set('If-None-Match', '"9"');
        expect(stale.status).to.equal(200);
      });

      it('404 for an order that belongs to another user, even to that other user or an admin', async () => {
        const ada = await api().createUser();
        const bob = await api().createUser();
        const bobs = await placed(bob.id, bob.token);
        const message = `Order with id ${bobs['id']} not found`;
        expectError(await getOrder(ada.id, bobs['id'], ada.token), 404, 'NotFoundError', message);
        expectError(
          await getOrder(ada.id, bobs['id'], await api().adminToken()),
          404,
          'NotFoundError',
          message,
        );
        expectError(
          await getOrder(ada.id, 2_000_000_000, ada.token),
          404,
          'NotFoundError',
          'Order with id 2000000000 not found',
        );
        expect((await getOrder(bob.id, bobs['id'], bob.token)).status).to.equal(200);
      });

      it("403 for someone else's order, whether or not it exists; 404 for a missing user; 400 for a malformed id", async () => {
        const ada = await api().createUser();
        const bob = await api().createUser();
        const adas = await placed(ada.id, ada.token);
        expectError(await getOrder(ada.id, adas['id'], bob.token), 403, 'ForbiddenError');
        expectError(await getOrder(ada.id, 2_000_000_000, bob.token), 403, 'ForbiddenError');
        expectError(
          await getOrder(2_000_000_000, adas['id'], await api().adminToken()),
          404,
          'NotFoundError',
          'User with id 2000000000 not found',
        );
        expectError(
          await getOrder(ada.id, 'x1' as unknown as number, ada.token),
          400,
          'BadRequestError',
        );
        expectError(await getOrder(ada.id, 0, ada.token), 400, 'BadRequestError');
      });
    });

    describe('PATCH /users/{id}/orders/{order_id}', () => {
      it('the owner cancels a pending order: 200, the new ETag, updated_at moves', async () => {
        const user = await api().createUser();
        const order = await placed(user.id, user.token);
        const res = await patch(user.id, order['id'], user.token, { status: 'cancelled' });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body).to.deep.include({
          id: order['id'],
          status: 'cancelled',
          total_cents: order['total_cents'],
          items: order['items'],
          created_at: order['created_at'],
        });
        expect(res.body['updated_at']).to.not.equal(order['updated_at']);
        expect(res.headers['etag']).to.equal('"2"');
        expect((await getOrder(user.id, order['id'], user.token)).body['status']).to.equal(
          'cancelled',
        );
      });

      it('an admin walks an order to delivered, and may cancel a paid one', async () => {
        const user = await api().createUser();
        const admin = await api().adminToken();
        const order = await placed(user.id, user.token);
        for (const status of ['paid', 'shipped', 'delivered']) {
          const res = await patch(user.id, order['id'], admin, { status });
          expect(res.status, `${status}: ${JSON.stringify(res.body)}`).to.equal(200);
          expect(res.body['status']).to.equal(status);
        }
        const second = await placed(user.id, user.token);
        expect((await patch(user.id, second['id'], admin, { status: 'paid' })).status).to.equal(
          200,
        );
        expect(
          (await patch(user.id, second['id'], admin, { status: 'cancelled' })).body['status'],
        ).to.equal('cancelled');
      });

      it('403 when the owner makes any move but cancelling a pending order', async () => {
        const user = await api().createUser();
        const admin = await api().adminToken();
        const order = await placed(user.id, user.token);
        expectError(
          await patch(user.id, order['id'], user.token, { status: 'paid' }),
          403,
          'ForbiddenError',
          'Insufficient permissions. Required role: admin',
        );
        await patch(user.id, order['id'], admin, { status: 'paid' });
        expectError(
          await patch(user.id, order['id'], user.token, { status: 'cancelled' }),
          403,
          'ForbiddenError',
        );
        expectError(
          await patch(user.id, order['id'], user.token, { status: 'shipped' }),
          403,
          'ForbiddenError',
        );
        await patch(user.id, order['id'], admin, { status: 'shipped' });
        expectError(
          await patch(user.id, order['id'], user.token, { status: 'delivered' }),
          403,
          'ForbiddenError',
        );
        expect((await getOrder(user.id, order['id'], user.token)).body['status']).to.equal(
          'shipped',
        );
      });

      it('409 Cannot change order status from X to Y for a move not in the table, the same status included, whoever asks', async () => {
        const user = await api().createUser();
        const admin = await api().adminToken();
        const order = await placed(user.id, user.token);
        for (const token of [user.token, admin]) {
          expectError(
            await patch(user.id, order['id'], token, { status: 'pending' }),
            409,
            'ConflictError',
            'Cannot change order status from pending to pending',
          );
          expectError(
            await patch(user.id, order['id'], token, { status: 'shipped' }),
            409,
            'ConflictError',
            'Cannot change order status from pending to shipped',
          );
          expectError(
            await patch(user.id, order['id'], token, { status: 'delivered' }),
            409,
            'ConflictError',
            'Cannot change order status from pending to delivered',
          );
        }
        await patch(user.id, order['id'], user.token, { status: 'cancelled' });
        for (const status of ['pending', 'paid', 'shipped', 'delivered', 'cancelled']) {
          for (const token of [user.token, admin]) {
            expectError(
              await patch(user.id, order['id'], token, { status }),
              409,
              'ConflictError',
              `Cannot change order status from cancelled to ${status}`,
            );
          }
        }
        const delivered = await placed(user.id, user.token);
        for (const status of ['paid', 'shipped', 'delivered'])
          await patch(user.id, delivered['id'], admin, { status });
        expectError(
          await patch(user.id, delivered['id'], user.token, { status: 'cancelled' }),
          409,
          'ConflictError',
          'Cannot change order status from delivered to cancelled',
        );
        expectError(
          await patch(user.id, delivered['id'], admin, { status: 'shipped' }),
          409,
          'ConflictError',
          'Cannot change order status from delivered to shipped',
        );
      });

      it('403 for a moderator and for another user, before the order or the body is looked at', async () => {
        const user = await api().createUser();
        const other = await api().createUser();
        const mod = await api().createUser({ role: 'moderator' });
        const order = await placed(user.id, user.token);
        expectError(
          await patch(user.id, order['id'], mod.token, { status: 'cancelled' }),
          403,
          'ForbiddenError',
          'Insufficient permissions. Required role: admin',
        );
        expectError(
          await patch(user.id, order['id'], other.token, { status: 'cancelled' }),
          403,
          'ForbiddenError',
        );
        expectError(
          await patch(user.id, 2_000_000_000, mod.token, { nonsense: 1 }),
          403,
          'ForbiddenError',
        );
        expectError(
          await patch(2_000_000_000, 1, other.token, { nonsense: 1 }),
          403,
          'ForbiddenError',
        );
        expect((await getOrder(user.id, order['id'], user.token)).body['status']).to.equal(
          'pending',
        );
      });

      it('404 for a missing user, a missing order and another user’s order, before the body is read', async () => {
        const ada = await api().createUser();
        const bob = await api().createUser();
        const admin = await api().adminToken();
        const bobs = await placed(bob.id, bob.token);
        expectError(
          await patch(2_000_000_000, bobs['id'], admin, { nonsense: 1 }),
          404,
          'NotFoundError',
          'User with id 2000000000 not found',
        );
        expectError(
          await patch(ada.id, bobs['id'], ada.token, { nonsense: 1 }),
          404,
          'NotFoundError',
          `Order with id ${bobs['id']} not found`,
        );
        expectError(
          await patch(ada.id, bobs['id'], admin, { status: 'paid' }),
          404,
          'NotFoundError',
          `Order with id ${bobs['id']} not found`,
        );
        expectError(
          await patch(ada.id, 2_000_000_000, ada.token, { status: 'cancelled' }),
          404,
          'NotFoundError',
          'Order with id 2000000000 not found',
        );
        expect((await getOrder(bob.id, bobs['id'], bob.token)).body['status']).to.equal('pending');
      });

      it('422 unless the body is exactly {"status": <a known status>}', async () => {
        const user = await api().createUser();
        const order = await placed(user.id, user.token);
        const cases: Array<[unknown, string[]]> = [
          [{}, ['status']],
          [{ status: 'lost' }, ['status']],
          [{ status: 'PAID' }, ['status']],
          [{ status: null }, ['status']],
          [{ status: 'cancelled', note: 'x' }, ['note']],
          [{ status: 'cancelled', total_cents: 0, items: [] }, ['items', 'total_cents']],
          [['cancelled'], ['body']],
        ];
        for (const [body, expected] of cases) {
          const res = await patch(user.id, order['id'], user.token, body);
          expectError(res, 422, 'ValidationError');
          expect(fields(res), JSON.stringify(body)).to.deep.equal(expected);
        }
        expect((await getOrder(user.id, order['id'], user.token)).body['status']).to.equal(
          'pending',
        );
      });

      it('If-Match: a stale ETag is 412 and nothing changes; the current one passes', async () => {
        const user = await api().createUser();
        const admin = await api().adminToken();
        const order = await placed(user.id, user.token);
        const paid = await patch(user.id, order['id'], admin, { status: 'paid' }, '"1"');
        expect(paid.status).to.equal(200);
        expect(paid.headers['etag']).to.equal('"2"');
        const stale = await patch(user.id, order['id'], admin, { status: 'shipped' }, '"1"');
        expectError(stale, 412, 'PreconditionFailedError');
        expect((await getOrder(user.id, order['id'], admin)).body['status']).to.equal('paid');
        expect(
          (await patch(user.id, order['id'], admin, { status: 'shipped' }, '"2"')).status,
        ).to.equal(200);
      });

      it('the order of checks: 403 (the move) before 412 before 409 (the state)', async () => {
        const user = await api().createUser();
        const admin = await api().adminToken();
        const order = await placed(user.id, user.token);
        await patch(user.id, order['id'], admin, { status: 'paid' });
        // The owner may not cancel a paid order: 403 even with a stale If-Match.
        expectError(
          await patch(user.id, order['id'], user.token, { status: 'cancelled' }, '"1"'),
          403,
          'ForbiddenError',
        );
        // A move the table lacks, with a stale If-Match: 412; with the current one: 409.
        expectError(
          await patch(user.id, order['id'], admin, { status: 'pending' }, '"1"'),
          412,
          'PreconditionFailedError',
        );
        expectError(
          await patch(user.id, order['id'], admin, { status: 'pending' }, '"2"'),
          409,
          'ConflictError',
        );
        // A malformed body with a stale If-Match: 422 first.
        expectError(
          await patch(user.id, order['id'], admin, { status: 'lost' }, '"1"'),
          422,
          'ValidationError',
        );
      });
    });

    describe('methods the resource does not have', () => {
      it('DELETE and PUT on an order are 405 with Allow; nothing is deleted', async () => {
        const user = await api().createUser();
        const admin = await api().adminToken();
        const order = await placed(user.id, user.token);
        const path = `/api/v1/users/${user.id}/orders/${order['id']}`;
        for (const res of [
          await api().http.delete(path).set(bearer(admin)),
          await api().http.put(path).set(bearer(admin)).send({ status: 'paid' }),
        ]) {
          expectError(res as unknown as Response, 405, 'MethodNotAllowedError');
          const allow = (res.headers['allow'] ?? '').split(/,\s*/);
          expect(allow).to.include.members(['GET', 'PATCH']);
          expect(allow).to.not.include('DELETE');
          expect(allow).to.not.include('PUT');
        }
        expect((await getOrder(user.id, order['id'], admin)).status).to.equal(200);
      });

      it('DELETE, PUT and PATCH on the collection are 405 with Allow: GET, POST', async () => {
        const user = await api().createUser();
        const path = `/api/v1/users/${user.id}/orders`;
        for (const res of [
          await api().http.delete(path).set(bearer(user.token)),
          await api().http.put(path).set(bearer(user.token)),
          await api().http.patch(path).set(bearer(user.token)),
        ]) {
          expectError(res as unknown as Response, 405, 'MethodNotAllowedError');
          const allow = (res.headers['allow'] ?? '').split(/,\s*/);
          expect(allow).to.include.members(['GET', 'POST']);
          expect(allow).to.not.include('DELETE');
        }
      });
    });

    describe('deleting a user', () => {
      it("removes the user's orders with the user, and only theirs", async () => {
        const admin = await api().adminToken();
        const ada = await api().createUser();
        const bob = await api().createUser();
        const adas = [await placed(ada.id, ada.token), await placed(ada.id, ada.token)];
        await patch(ada.id, adas[1]!['id'], admin, { status: 'paid' });
        const bobs = await placed(bob.id, bob.token);
        const res = await api().http.delete(`/api/v1/users/${ada.id}`).set(bearer(admin));
        expect(res.status).to.equal(204);
        const store = api().service.persistence;
        for (const order of adas)
          expect(await store.orderReadModel.getById(order['id'])).to.equal(null);
        expect(await store.orders.findById(adas[0]!['id'])).to.equal(null);
        expectError(
          await getOrder(ada.id, adas[0]!['id'], admin),
          404,
          'NotFoundError',
          `User with id ${ada.id} not found`,
        );
        expect((await getOrder(bob.id, bobs['id'], bob.token)).body).to.deep.equal(bobs);
      });
    });
  });
}
