/**
 * A sign-up replayed with its Idempotency-Key after its user was deleted: 409, never a 201 for a
 * user that no longer exists, and nothing is created again. On every store, with the keys kept in
 * the database and in Redis.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ADMIN, PASSWORD, bearer, startApi, type TestApi } from '../support/api.js';
import { cleanUpRedisPrefix, requireRedis, runKeyPrefix, testRedisUrl } from '../support/redis.js';
import { describeStorages, type OpenedStorage } from '../support/storage.js';

let sequence = 0;
const aSignUp = () => {
  sequence += 1;
  const username = `gone_${process.pid}_${sequence}`;
  return { email: `${username}@example.com`, username, password: PASSWORD };
};

describeStorages('Idempotency-Key: a replay never claims a deleted resource', (target) => {
  for (const keys of ['database', 'redis'] as const) {
    describe(`keys in the ${keys}`, () => {
      const prefix = runKeyPrefix();
      let store: OpenedStorage | undefined;
      let api: TestApi;

      before(async function () {
        this.timeout(60_000);
        if (keys === 'redis') await requireRedis(this, 'Idempotency-Key replays on Redis');
        store = await target.open();
        api = await startApi(store, keys === 'redis' ? { redis: { url: testRedisUrl() } } : {}, {
          redisKeyPrefix: prefix,
        });
      });
      after(async () => {
        await api?.close();
        await store?.dispose();
        if (keys === 'redis') await cleanUpRedisPrefix(prefix);
      });

      const signUp = (body: object, key: string) =>
        api.http.post('/api/v1/users').set('Idempotency-Key', key).send(body);
      const usersNamed = async (username: string) => {
        const res = await api.http
          .get('/api/v1/users')
          .query({ search: username })
          .set(bearer(await api.token(ADMIN.username, ADMIN.password)));
        return (res.body.items as Array<{ id: number }>).map((u) => u.id);
      };

      it('a replay after the user was deleted is 409 and creates no one; before, it replays the 201', async () => {
        const body = aSignUp();
        const key = randomUUID();
        const first = await signUp(body, key);
        expect(first.status, JSON.stringify(first.body)).to.equal(201);
        const replay = await signUp(body, key);
        expect(replay.status).to.equal(201);
        expect(replay.headers['idempotent-replayed']).to.equal('true');

        const admin = await api.token(ADMIN.username, ADMIN.password);
        expect(
          (await api.http.delete(`/api/v1/users/${first.body.id}`).set(bearer(admin))).status,
        ).to.equal(204);

        const afterDelete = await signUp(body, key);
        expect(afterDelete.status, JSON.stringify(afterDelete.body)).to.equal(409);
        expect(afterDelete.body).to.include({ error: 'ConflictError' });
        expect(afterDelete.body.message).to.match(/has since been deleted/);
        expect(afterDelete.headers['idempotent-replayed']).to.equal(undefined);
        expect(await usersNamed(body.username), 'nothing created again').to.deep.equal([]);
        // It stays so for the key's life; a new key is a new request.
        expect((await signUp(body, key)).status).to.equal(409);
        const fresh = await signUp(body, randomUUID());
        expect(fresh.status).to.equal(201);
        expect(fresh.body.id).to.not.equal(first.body.id);
      });
    });
  }
});
