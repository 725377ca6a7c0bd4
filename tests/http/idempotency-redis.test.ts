/**
 * Idempotency keys with REDIS_URL set: the composition root keeps them in Redis, so two instances
 * of the service (one store, one Redis, one key prefix) answer a retry the same whichever gets it.
 * And with a Redis that cannot be reached, a request with a key is refused with 503 (nothing is
 * done unguarded), while requests without one go on.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type supertest from 'supertest';
import { generateTokenKeyPair } from '../../src/adapters/security/paserk-keys.js';
import { PASSWORD, type TestApi } from '../support/api.js';
import { keysUnder, testRedisClient } from '../support/redis.js';
import { storageTargets } from '../support/storage.js';
import { useApi, useTwoApisOnRedis } from './suites/harness.js';

const inMemory = storageTargets().find((target) => target.name === 'in-memory')!;
let sequence = 0;
const aSignUp = () => {
  sequence += 1;
  const username = `idem_redis_${process.pid}_${sequence}`;
  return { email: `${username}@example.com`, username, password: PASSWORD };
};
const from = { 'X-Forwarded-For': '203.0.113.77' };

const signUp = (api: TestApi, body: object, key?: string): supertest.Test => {
  const request = api.http.post('/api/v1/users').set(from);
  if (key !== undefined) request.set('Idempotency-Key', key);
  return request.send(body);
};

describe('Idempotency-Key with REDIS_URL: shared by the instances', function () {
  this.timeout(60_000);
  // Instances share the signing key (from which the request fingerprints' key is derived) and Redis.
  const apis = useTwoApisOnRedis(
    () => inMemory.open(),
    'Idempotency-Key with REDIS_URL',
    async () => {
      const pair = await generateTokenKeyPair();
      return { tokens: { signingKey: pair.secret, keyId: 'shared' }, server: { trustProxy: true } };
    },
  );
  const prefix = apis.prefix;

  it('a retry on the other instance replays the first response; the key lives in Redis', async () => {
    const [a, b] = apis.get();
    const key = randomUUID();
    const body = aSignUp();
    const first = await signUp(a, body, key);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const again = await signUp(b, body, key);
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers['location']).to.equal(first.headers['location']);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    const client = testRedisClient();
    try {
      await client.connect();
      expect(await keysUnder(client, `${prefix}:idempotency:`)).to.have.length(1);
    } finally {
      client.disconnect();
    }
  });

  it('duplicates sent to both instances at once: one user', async () => {
    const [a, b] = apis.get();
    const key = randomUUID();
    const body = aSignUp();
    const all = await Promise.all([a, b, a, b].map((api) => signUp(api, body, key)));
    expect(
      all.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined),
    ).to.have.length(1);
    expect(
      all.every((r) => r.status === 201 || r.status === 409),
      JSON.stringify(all.map((r) => r.status)),
    ).to.equal(true);
    const mismatch = await signUp(b, aSignUp(), key);
    expect(mismatch.status).to.equal(422);
  });
});

describe('Idempotency-Key with a Redis that cannot be reached', function () {
  this.timeout(60_000);
  const ctx = useApi(() => inMemory.open(), {
    redis: { url: 'redis://127.0.0.1:1' },
    server: { trustProxy: true },
  });

  it('a request with a key is 503 with Retry-After and does nothing; one without a key goes on', async () => {
    const api = ctx.get();
    const body = aSignUp();
    const refused = await signUp(api, body, randomUUID());
    expect(refused.status).to.equal(503);
    expect(refused.body).to.include({
      error: 'ServiceUnavailableError',
      message: 'Idempotency-Key cannot be checked right now; try again shortly',
    });
    expect(refused.headers['retry-after']).to.equal('5');
    expect(await api.service.persistence.users.findByLogin(body.username)).to.equal(null);
    expect((await signUp(api, body)).status).to.equal(201);
    const warned = api.logger.entries.some(
      (entry) => entry.fields['event'] === 'idempotency_store_unavailable',
    );
    expect(warned).to.equal(true);
  });
});
