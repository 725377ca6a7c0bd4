import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { OrderRepository } from '../../../src/application/ports/order-repository.js';
import { ADMIN, PASSWORD, bearer, type TestApi } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

interface Response {
  status: number;
  body: Record<string, any>;
  headers: Record<string, string | undefined>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ORDER = { currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 2, unit_price_cents: 1999 }] };

let sequence = 0;
/** A sign-up body nobody else uses. */
const aSignUp = (over: Record<string, unknown> = {}) => {
  sequence += 1;
  const username = `idem_${process.pid}_${sequence}`;
  return { email: `${username}@example.com`, username, password: PASSWORD, ...over };
};

function expectError(res: Response, status: number, error: string, message?: RegExp): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.body['error']).to.equal(error);
  if (message !== undefined) expect(res.body['message']).to.match(message);
}

/** The first answer again: same status, body, Location and ETag, marked as a replay. */
function expectReplayOf(replay: Response, first: Response): void {
  expect(replay.status, JSON.stringify(replay.body)).to.equal(first.status);
  expect(replay.body).to.deep.equal(first.body);
  expect(Object.keys(replay.body)).to.deep.equal(Object.keys(first.body));
  expect(replay.headers['location']).to.equal(first.headers['location']);
  expect(replay.headers['etag']).to.equal(first.headers['etag']);
  expect(replay.headers['idempotent-replayed']).to.equal('true');
  expect(first.headers['idempotent-replayed']).to.equal(undefined);
}

/** An order store whose next `add` fails unexpectedly (a crash inside the use case: 500). */
function failingOnce(orders: OrderRepository): OrderRepository & { failNext(): void } {
  let fail = false;
  return new Proxy(orders, {
    get(target, property, receiver) {
      if (property === 'failNext') return () => (fail = true);
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'add' || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        if (fail) {
          fail = false;
          throw new Error('the disk is on fire');
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as OrderRepository & { failNext(): void };
}

export function idempotencySuite(open: OpenStore): void {
  describe('Idempotency-Key (POST /users, POST /users/{id}/orders)', () => {
    let orders: (OrderRepository & { failNext(): void }) | undefined;
    const ctx = useApi(
      async () => {
        const store = await open();
        orders = failingOnce(store.orders);
        return { ...store, orders };
      },
      { server: { trustProxy: true } },
    );
    const api = (): TestApi => ctx.get();
    /** A fresh admin token: these tests move the clock past a token's life. */
    const admin = (): Promise<string> => api().token(ADMIN.username, ADMIN.password);

    const signUp = (
      body: object,
      key?: string,
      headers: Record<string, string> = {},
    ): Promise<Response> => {
      const request = api().http.post('/api/v1/users').set(headers);
      if (key !== undefined) request.set('Idempotency-Key', key);
      return request.send(body) as unknown as Promise<Response>;
    };
    const place = (
      userId: number,
      token: string,
      key?: string,
      body: object = ORDER,
      path = `/api/v1/users/${userId}/orders`,
    ): Promise<Response> => {
      const request = api().http.post(path).set(bearer(token));
      if (key !== undefined) request.set('Idempotency-Key', key);
      return request.send(body) as unknown as Promise<Response>;
    };
    /** How many users have this username (through the admin's list). */
    const usersNamed = async (username: string): Promise<number> => {
      const res = await api()
        .http.get(`/api/v1/users?search=${username}`)
        .set(bearer(await admin()));
      expect(res.status).to.equal(200);
      return (res.body.items as { username: string }[]).filter((u) => u.username === username)
        .length;
    };
    const orderCount = async (userId: number): Promise<number> => {
      const res = await api()
        .http.get(`/api/v1/users/${userId}/orders`)
        .set(bearer(await admin()));
      expect(res.status).to.equal(200);
      return res.body.total as number;
    };

    describe('a retry with the same key and body', () => {
      it('sign-up: replays the 201 (status, body, Location) with Idempotent-Replayed: true, and creates one user', async () => {
        const key = randomUUID();
        const body = aSignUp({ full_name: 'Ada Lovelace' });
        const first = await signUp(body, key);
        expect(first.status, JSON.stringify(first.body)).to.equal(201);
        api().clock.advance(1000);
        const again = await signUp(body, key);
        expectReplayOf(again, first);
        expectReplayOf(await signUp(body, key), first);
        expect(await usersNamed(body.username)).to.equal(1);
      });

      it('an order: replays the 201 with its Location and ETag, and places one order', async () => {
        const user = await api().createUser();
        const key = randomUUID();
        const first = await place(user.id, user.token, key);
        expect(first.status, JSON.stringify(first.body)).to.equal(201);
        expect(first.headers['etag']).to.equal('"1"');
        expectReplayOf(await place(user.id, user.token, key), first);
        expect(await orderCount(user.id)).to.equal(1);
      });

      it('replays the first response even after the resource changed', async () => {
        const user = await api().createUser();
        const key = randomUUID();
        const first = await place(user.id, user.token, key);
        const cancel = await api()
          .http.patch(`/api/v1/users/${user.id}/orders/${first.body['id']}`)
          .set(bearer(user.token))
          .send({ status: 'cancelled' });
        expect(cancel.status).to.equal(200);
        const replay = await place(user.id, user.token, key);
        expectReplayOf(replay, first);
        expect(replay.body['status']).to.equal('pending');
      });

      it('the same path without the version prefix (version 1 by default) is the same request', async () => {
        const user = await api().createUser();
        const key = randomUUID();
        const first = await place(user.id, user.token, key);
        expectReplayOf(
          await place(user.id, user.token, key, ORDER, `/users/${user.id}/orders`),
          first,
        );
        expect(await orderCount(user.id)).to.equal(1);
      });

      it('a body spelled differently but decoding the same (key order) is the same request', async () => {
        const key = randomUUID();
        const body = aSignUp();
        const first = await signUp(body, key);
        const reordered = { password: body.password, username: body.username, email: body.email };
        expectReplayOf(await signUp(reordered, key), first);
      });
    });

    describe('the same key for another request: 422', () => {
      it('sign-up with another body: 422 ValidationError, and nothing created', async () => {
        const key = randomUUID();
        const body = aSignUp();
        expect((await signUp(body, key)).status).to.equal(201);
        const other = aSignUp();
        const res = await signUp(other, key);
        expectError(
          res,
          422,
          'ValidationError',
          /Idempotency-Key was already used for a different request/,
        );
        expect(res.body['details']).to.deep.equal([
          {
            field: 'Idempotency-Key',
            message:
              'Already used with another method, path or body; use a new key for a new request',
          },
        ]);
        expect(await usersNamed(other.username)).to.equal(0);
      });

      it('an order with other items, or for another user: 422', async () => {
        const user = await api().createUser();
        const token = await admin();
        const other = await api().createUser();
        const key = randomUUID();
        expect((await place(user.id, token, key)).status).to.equal(201);
        expectError(
          await place(user.id, token, key, { ...ORDER, currency: 'USD' }),
          422,
          'ValidationError',
        );
        expectError(await place(other.id, token, key), 422, 'ValidationError');
        expect(await orderCount(user.id)).to.equal(1);
        expect(await orderCount(other.id)).to.equal(0);
      });

      it('the same path under another version: 422 (its answers differ)', async () => {
        const user = await api().createUser();
        const key = randomUUID();
        expect((await place(user.id, user.token, key)).status).to.equal(201);
        const v2 = await place(user.id, user.token, key, ORDER, `/api/v2/users/${user.id}/orders`);
        expect(v2.status).to.equal(422);
        expect(v2.body['title']).to.equal('Unprocessable Content');
      });
    });

    describe('concurrent duplicates', () => {
      it('sign-up sent six times at once: one 201, 409 for those sent while it ran, one user', async () => {
        const key = randomUUID();
        const body = aSignUp();
        const all = (await Promise.all(
          Array.from({ length: 6 }, () => signUp(body, key)),
        )) as Response[];
        const created = all.filter(
          (r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined,
        );
        const inFlight = all.filter((r) => r.status === 409);
        const replayed = all.filter(
          (r) => r.status === 201 && r.headers['idempotent-replayed'] === 'true',
        );
        expect(created, JSON.stringify(all.map((r) => [r.status, r.body]))).to.have.length(1);
        expect(
          inFlight.length,
          'at least one duplicate arrived while the first was hashing the password',
        ).to.be.greaterThan(0);
        expect(inFlight.length + replayed.length).to.equal(5);
        for (const res of inFlight)
          expectError(res, 409, 'ConflictError', /Idempotency-Key is still in progress/);
        for (const res of replayed) expectReplayOf(res, created[0]!);
        expect(await usersNamed(body.username)).to.equal(1);
        // Once the first has completed, a retry is a replay.
        expectReplayOf(await signUp(body, key), created[0]!);
      });

      it('an order sent five times at once: one order', async () => {
        const user = await api().createUser();
        const key = randomUUID();
        const all = (await Promise.all(
          Array.from({ length: 5 }, () => place(user.id, user.token, key)),
        )) as Response[];
        expect(
          all.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined),
        ).to.have.length(1);
        expect(all.every((r) => r.status === 201 || r.status === 409)).to.equal(true);
        expect(await orderCount(user.id)).to.equal(1);
      });
    });

    describe('keys are scoped to the caller', () => {
      it("two users' identical keys never meet: each gets its own order", async () => {
        const ada = await api().createUser();
        const bob = await api().createUser();
        const key = 'order-1';
        const forAda = await place(ada.id, ada.token, key);
        const forBob = await place(bob.id, bob.token, key);
        expect([forAda.status, forBob.status]).to.deep.equal([201, 201]);
        expect(forBob.headers['idempotent-replayed']).to.equal(undefined);
        expect(forBob.body['user_id']).to.equal(bob.id);
        expect(await orderCount(ada.id)).to.equal(1);
        expect(await orderCount(bob.id)).to.equal(1);
      });

      it("an admin placing for a user has keys of its own, apart from the user's", async () => {
        const user = await api().createUser();
        const key = randomUUID();
        expect((await place(user.id, user.token, key)).status).to.equal(201);
        const byAdmin = await place(user.id, await admin(), key);
        expect(byAdmin.status).to.equal(201);
        expect(byAdmin.headers['idempotent-replayed']).to.equal(undefined);
        expect(await orderCount(user.id)).to.equal(2);
      });

      it('anonymous sign-ups are scoped by address; a signed-in caller by user', async () => {
        const key = randomUUID();
        const fromA = { 'X-Forwarded-For': '198.51.100.10' };
        const fromB = { 'X-Forwarded-For': '198.51.100.11' };
        expect((await signUp(aSignUp(), key, fromA)).status).to.equal(201);
        // Another address, another body, the same key: not a mismatch, a sign-up of its own.
        const other = aSignUp();
        expect((await signUp(other, key, fromB)).status).to.equal(201);
        // An admin from address A, same key: its own scope as well.
        const byAdmin = aSignUp();
        expect(
          (await signUp(byAdmin, key, { ...fromA, ...bearer(await admin()) })).status,
        ).to.equal(201);
        expect(await usersNamed(other.username)).to.equal(1);
        expect(await usersNamed(byAdmin.username)).to.equal(1);
        // And address A's key still holds its first request.
        expectError(await signUp(aSignUp(), key, fromA), 422, 'ValidationError');
      });

      it('the checks before the work apply to a retry: someone else retrying a key is 403 first', async () => {
        const owner = await api().createUser();
        const stranger = await api().createUser();
        const key = randomUUID();
        expect((await place(owner.id, owner.token, key)).status).to.equal(201);
        expectError(await place(owner.id, stranger.token, key), 403, 'ForbiddenError');
      });
    });

    describe('what is kept, and for how long', () => {
      it('a response is replayed for 24 hours; after that the key is new and the request runs again', async () => {
        const user = await api().createUser();
        const key = randomUUID();
        const first = await place(user.id, user.token, key);
        api().clock.advance(DAY_MS - 1);
        // The access token is long gone by now: the same user signs in again.
        const token = await api().token(user.username);
        expectReplayOf(await place(user.id, token, key), first);
        api().clock.advance(1);
        const later = await place(user.id, token, key);
        expect(later.status).to.equal(201);
        expect(later.headers['idempotent-replayed']).to.equal(undefined);
        expect(later.body['id']).to.not.equal(first.body['id']);
        expect(await orderCount(user.id)).to.equal(2);
        expectReplayOf(await place(user.id, token, key), later);
      });

      it('sign-up after 24 hours runs again: the account exists, so 409, not a replay', async () => {
        const key = randomUUID();
        const body = aSignUp();
        expect((await signUp(body, key)).status).to.equal(201);
        api().clock.advance(DAY_MS);
        const later = await signUp(body, key);
        expectError(later, 409, 'ConflictError', /email/i);
        expect(later.headers['idempotent-replayed']).to.equal(undefined);
        expect(await usersNamed(body.username)).to.equal(1);
      });

      it('a refused body (422 with details) is not kept: the key then serves the corrected request', async () => {
        const key = randomUUID();
        const bad = await signUp(aSignUp({ password: 'weak' }), key);
        expectError(bad, 422, 'ValidationError', /Request validation failed/);
        expect(bad.body['details'][0].field).to.equal('password');
        const good = await signUp(aSignUp(), key);
        expect(good.status).to.equal(201);
        expect(good.headers['idempotent-replayed']).to.equal(undefined);
      });

      it('a refusal of the use case (409 taken) is not kept: the retry runs again and gets the answer of the moment', async () => {
        const holder = await api().createUser();
        const key = randomUUID();
        const body = aSignUp({ username: holder.username.toUpperCase() });
        expectError(await signUp(body, key), 409, 'ConflictError', /username/i);
        const deleted = await api()
          .http.delete(`/api/v1/users/${holder.id}`)
          .set(bearer(await admin()));
        expect(deleted.status).to.equal(204);
        const retry = await signUp(body, key);
        expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
        expect(retry.headers['idempotent-replayed']).to.equal(undefined);
      });

      it('a failure (500) is never kept and frees the key: the retry places the order', async () => {
        const user = await api().createUser();
        const key = randomUUID();
        orders!.failNext();
        const failed = await place(user.id, user.token, key);
        expectError(failed, 500, 'InternalServerError');
        expect(await orderCount(user.id)).to.equal(0);
        const retry = await place(user.id, user.token, key);
        expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
        expect(retry.headers['idempotent-replayed']).to.equal(undefined);
        expect(await orderCount(user.id)).to.equal(1);
      });
    });

    describe('the header', () => {
      it('without a key, nothing changes: two identical requests place two orders', async () => {
        const user = await api().createUser();
        const a = await place(user.id, user.token);
        const b = await place(user.id, user.token);
        expect([a.status, b.status]).to.deep.equal([201, 201]);
        expect(a.headers['idempotent-replayed']).to.equal(undefined);
        expect(b.body['id']).to.not.equal(a.body['id']);
        expect(await orderCount(user.id)).to.equal(2);
      });

      it('400 for a key that is empty, too long, or not visible ASCII', async () => {
        const user = await api().createUser();
        for (const key of ['', 'a'.repeat(256), 'with space', 'tab\there', 'caf\u00e9']) {
          const res = await api()
            .http.post(`/api/v1/users/${user.id}/orders`)
            .set(bearer(user.token))
            .set('Idempotency-Key', Buffer.from(key, 'utf8').toString('latin1'))
            .send(ORDER);
          expectError(
            res as unknown as Response,
            400,
            'BadRequestError',
            /Idempotency-Key must be 1 to 255 visible ASCII characters/,
          );
        }
        expect(await orderCount(user.id)).to.equal(0);
        expect(
          (await place(user.id, user.token, `~!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}${'z'.repeat(200)}`))
            .status,
        ).to.equal(201);
        expect((await place(user.id, user.token, 'k'.repeat(255))).status).to.equal(201);
      });

      it('a malformed key is 400 before 403 and 422 (the order of checks: path and headers, right, body)', async () => {
        const user = await api().createUser();
        const stranger = await api().createUser();
        expectError(await place(user.id, stranger.token, 'bad key'), 400, 'BadRequestError');
        expectError(
          await place(user.id, user.token, 'bad key', { currency: 'nope' }),
          400,
          'BadRequestError',
        );
      });

      it('routes that do not take keys ignore the header', async () => {
        const user = await api().createUser();
        const order = await place(user.id, user.token);
        const key = 'not a valid key, and not looked at';
        const read = await api()
          .http.get(`/api/v1/users/${user.id}/orders/${order.body['id']}`)
          .set(bearer(user.token))
          .set('Idempotency-Key', key);
        expect(read.status).to.equal(200);
        expect(read.headers['idempotent-replayed']).to.equal(undefined);
      });
    });
  });
}
