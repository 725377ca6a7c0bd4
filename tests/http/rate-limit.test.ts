/**
 * The API's rate limit over HTTP: the RateLimit-* headers on every answer of the API (errors
 * included), 429 in each version's shape with Retry-After, budgets per user and per address,
 * X-Forwarded-For believed only with TRUST_PROXY, and the paths that are never limited.
 *
 * Rate limiting does not touch the store, so this runs on the in-memory one. Each block runs two
 * services on one store with one signing key: an unlimited one that creates users and signs them
 * in, and the one under test, with a budget of a few requests per minute, so that preparing a
 * test never spends the budget it checks.
 */
import { expect } from 'chai';
import type supertest from 'supertest';
import { createInMemoryPersistence } from '../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import type { Persistence } from '../../src/adapters/persistence/persistence.js';
import { generateTokenKeyPair } from '../../src/adapters/security/paserk-keys.js';
import { bearer, startApi, type ConfigOverrides, type TestApi } from '../support/api.js';

const MAX = 5;
const WINDOW_S = 60;

interface Pair {
  /** Unlimited: creates users, signs them in. */
  setup(): TestApi;
  /** RATE_LIMIT_MAX=5 per 60 seconds. */
  limited(): TestApi;
  /** A new user, signed in on the unlimited service; the two services' clocks then agree again. */
  user(): ReturnType<TestApi['createUser']>;
}

function usePair(overrides: ConfigOverrides = {}): Pair {
  let store: Persistence | undefined;
  let setup: TestApi | undefined;
  let limited: TestApi | undefined;
  before(async function () {
    this.timeout(30_000);
    store = createInMemoryPersistence();
    const pair = await generateTokenKeyPair();
    const shared = { tokens: { signingKey: pair.secret, keyId: 'rate-limit-suite' } };
    setup = await startApi(store, shared);
    limited = await startApi(store, {
      ...overrides,
      ...shared,
      rateLimit: { max: MAX, windowS: WINDOW_S },
    });
  });
  after(async () => {
    await limited?.close();
    await setup?.close();
    await store?.close();
  });
  return {
    setup: () => setup!,
    limited: () => limited!,
    async user() {
      const created = await setup!.createUser();
      limited!.clock.set(setup!.clock.now());
      return created;
    },
  };
}

function expectHeaders(res: supertest.Response, remaining: number): void {
  expect(res.headers['ratelimit-limit'], `RateLimit-Limit on ${res.status}`).to.equal(String(MAX));
  expect(res.headers['ratelimit-remaining'], `RateLimit-Remaining on ${res.status}`).to.equal(
    String(remaining),
  );
  expect(Number(res.headers['ratelimit-reset']), `RateLimit-Reset on ${res.status}`).to.be.within(
    1,
    WINDOW_S,
  );
}

/** Spends the rest of a budget with requests that are allowed (whatever they answer). */
async function spend(request: () => supertest.Test, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) expect((await request()).status).to.not.equal(429);
}

let address = 0;
/** A fresh client address, as a trusted proxy would report it. */
const from = () => ({ 'X-Forwarded-For': `198.51.100.${++address}` });

describe('HTTP rate limits', () => {
  describe('headers and the 429 (one address, TRUST_PROXY off)', () => {
    const ctx = usePair();

    it('every answer under /api and on the unprefixed paths carries RateLimit-*, errors included, counting down', async () => {
      const api = ctx.limited();
      const answers = [
        await api.http.get('/api/v1/users/me'), // 401
        await api.http.get('/api/v1/users/abc').set(bearer('not-a-token')), // 401 for the token, before the path
        await api.http.get('/api/v2/no-such-thing'), // 404
        await api.http.delete('/api/v1/auth/token'), // 405
        await api.http.get('/users/me').set('X-API-Version', '7'), // 400
      ];
      expect(answers.map((r) => r.status)).to.deep.equal([401, 401, 404, 405, 400]);
      for (const [i, res] of answers.entries()) expectHeaders(res, MAX - 1 - i);
    });

    it('over the budget: 429 RateLimitError in v1, problem details in v2, with Retry-After and Remaining 0', async () => {
      const api = ctx.limited();
      const v1 = await api.http.post('/api/v1/users').send({});
      expect(v1.status).to.equal(429);
      expect(v1.headers['content-type']).to.match(/^application\/json/);
      expect(v1.body).to.deep.equal({
        error: 'RateLimitError',
        message: `Rate limit exceeded: ${MAX} requests per ${WINDOW_S} seconds. Try again in ${v1.headers['retry-after']} seconds.`,
        path: '/api/v1/users',
        request_id: v1.headers['x-request-id'],
      });
      expectHeaders(v1, 0);
      expect(Number(v1.headers['retry-after'])).to.be.within(1, WINDOW_S);
      expect(v1.headers['retry-after']).to.equal(v1.headers['ratelimit-reset']);

      const v2 = await api.http.get('/api/v2/users');
      expect(v2.status).to.equal(429);
      expect(v2.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(v2.body).to.include({
        type: '/problems/rate-limited',
        title: 'Too Many Requests',
        status: 429,
        instance: '/api/v2/users',
      });
      expect(v2.body.detail).to.match(/^Rate limit exceeded/);
      expect(v2.headers['retry-after']).to.equal(v2.headers['ratelimit-reset']);
      expectHeaders(v2, 0);

      const byHeader = await api.http.get('/users/me').set('X-API-Version', '2');
      expect(byHeader.status).to.equal(429);
      expect(byHeader.body).to.include({ type: '/problems/rate-limited', status: 429 });
      expect((await api.http.get('/users/me')).body).to.include({ error: 'RateLimitError' });
    });

    it('refuses before anything else: no body read, no account looked up, nothing created', async () => {
      const api = ctx.limited();
      const res = await api.http
        .post('/api/v1/users')
        .send({ email: 'late@example.com', username: 'late_user', password: 'Passw0rdOk' });
      expect(res.status).to.equal(429);
      const admin = await ctx.setup().adminToken();
      const found = await ctx.setup().http.get('/api/v1/users?search=late_user').set(bearer(admin));
      expect(found.body.total).to.equal(0);
    });

    it('never limits health, metrics or the documentation, and gives them no RateLimit-* headers', async () => {
      const api = ctx.limited();
      expect(
        (await api.http.get('/api/v1/users/me')).status,
        'the address is over its budget',
      ).to.equal(429);
      for (const path of [
        '/health/live',
        '/health/ready',
        '/metrics',
        '/openapi.json',
        '/docs',
        '/redoc',
        '/problems/rate-limited',
      ]) {
        const res = await api.http.get(path);
        expect(res.status, path).to.equal(200);
        expect(res.headers, path).to.not.have.property('ratelimit-limit');
        expect(res.headers, path).to.not.have.property('retry-after');
      }
    });

    it('logs the refusals like any answer', async () => {
      const api = ctx.limited();
      api.logger.clear();
      await api.http.get('/api/v1/users/me');
      expect(api.logger.find('api_request').map((l) => l.fields['status'])).to.deep.equal([429]);
      expect(api.logger.find('api_error')).to.have.length(0);
    });

    it('ignores X-Forwarded-For without TRUST_PROXY: a forged address buys no new budget', async () => {
      const res = await ctx.limited().http.get('/api/v1/users/me').set(from());
      expect(res.status).to.equal(429);
    });
  });

  describe('browsers (CORS_ORIGINS set)', () => {
    const origin = 'https://app.example.com';
    const ctx = usePair({ server: { corsOrigins: [origin] } });

    it('does not count preflights, and lets scripts read the RateLimit-* headers', async () => {
      const api = ctx.limited();
      for (let i = 0; i < MAX + 2; i += 1) {
        const preflight = await api.http
          .options('/api/v1/users/me')
          .set('Origin', origin)
          .set('Access-Control-Request-Method', 'GET');
        expect(preflight.status).to.equal(204);
        expect(preflight.headers).to.not.have.property('ratelimit-limit');
      }
      const res = await api.http.get('/api/v1/users/me').set('Origin', origin);
      expectHeaders(res, MAX - 1);
      expect(res.headers['access-control-expose-headers'])
        .to.contain('RateLimit-Remaining')
        .and.contain('Retry-After');
    });
  });

  describe('budgets per user and per address (TRUST_PROXY on)', () => {
    const ctx = usePair({ server: { trustProxy: true } });

    it('a signed-in user has a budget of its own, which leaves the address and other users alone', async () => {
      const api = ctx.limited();
      const [user, other] = [await ctx.user(), await ctx.user()];
      const where = from();
      for (let i = 0; i < MAX; i += 1) {
        const res = await api.http.get('/api/v1/users/me').set(where).set(bearer(user.token));
        expect(res.status).to.equal(200);
        expectHeaders(res, MAX - 1 - i);
      }
      const refused = await api.http
        .get(`/api/v1/users/${user.id}`)
        .set(where)
        .set(bearer(user.token));
      expect(refused.status).to.equal(429);
      expect(refused.body.error).to.equal('RateLimitError');
      const anonymous = await api.http.get('/api/v1/users/me').set(where);
      expect(anonymous.status, 'the address without a token').to.equal(401);
      expectHeaders(anonymous, MAX - 1);
      const neighbour = await api.http.get('/api/v1/users/me').set(where).set(bearer(other.token));
      expect(neighbour.status, 'another user from the same address').to.equal(200);
      expectHeaders(neighbour, MAX - 1);
    });

    it("a user's budget follows the user from one address to another", async () => {
      const api = ctx.limited();
      const user = await ctx.user();
      await spend(() => api.http.get('/api/v1/users/me').set(from()).set(bearer(user.token)), MAX);
      const refused = await api.http.get('/api/v1/users/me').set(from()).set(bearer(user.token));
      expect(refused.status).to.equal(429);
    });

    it('an address has a budget of its own: another address goes on', async () => {
      const api = ctx.limited();
      const where = from();
      await spend(
        () =>
          api.http
            .post('/api/v1/auth/token')
            .set(where)
            .send({ username: 'nobody', password: 'Wrong1Password' }),
        MAX,
      );
      expect((await api.http.get('/api/v1/users/me').set(where)).status).to.equal(429);
      const elsewhere = await api.http.get('/api/v1/users/me').set(from());
      expect(elsewhere.status).to.equal(401);
      expectHeaders(elsewhere, MAX - 1);
    });

    it("believes only the address the proxy appended: earlier X-Forwarded-For entries are the client's and buy nothing", async () => {
      const api = ctx.limited();
      const proxied = from()['X-Forwarded-For'];
      await spend(
        () =>
          api.http
            .get('/api/v1/users/me')
            .set('X-Forwarded-For', `203.0.113.${++address}, ${proxied}`),
        MAX,
      );
      const forged = await api.http
        .get('/api/v1/users/me')
        .set('X-Forwarded-For', `203.0.113.${++address}, ${proxied}`);
      expect(forged.status).to.equal(429);
    });

    it('a malformed, tampered or foreign token counts against the address', async () => {
      const api = ctx.limited();
      const user = await ctx.user();
      const where = from();
      const tampered = `${user.token.slice(0, -4)}AAAA`;
      const foreign = await foreignToken();
      for (const token of ['garbage', tampered, foreign]) {
        const res = await api.http.get('/api/v1/users/me').set(where).set(bearer(token));
        expect(res.status).to.equal(401);
      }
      const res = await api.http.get('/api/v1/users/me').set(where);
      expectHeaders(res, MAX - 4);
      const own = await api.http.get('/api/v1/users/me').set(where).set(bearer(user.token));
      expectHeaders(own, MAX - 1);
    });

    it('a token of an ended session still counts against its user (no database read to key a request), then is 401', async () => {
      const api = ctx.limited();
      const user = await ctx.user();
      const grant = await ctx
        .setup()
        .http.post('/api/v1/auth/token')
        .send({ username: user.username, password: 'Passw0rdOk' });
      expect(
        (
          await ctx
            .setup()
            .http.post('/api/v1/auth/logout')
            .send({ refresh_token: grant.body.refresh_token })
        ).status,
      ).to.equal(204);
      const where = from();
      const res = await api.http
        .get('/api/v1/users/me')
        .set(where)
        .set(bearer(grant.body.access_token));
      expect(res.status).to.equal(401);
      expect(res.body.message).to.equal('Token has been revoked');
      expectHeaders(res, MAX - 1);
      expectHeaders(await api.http.get('/api/v1/users/me').set(where), MAX - 1);
    });
  });
});

/** An access token signed with a key this service does not know. */
async function foreignToken(): Promise<string> {
  const pair = await generateTokenKeyPair();
  const foreign = await startApi(createInMemoryPersistence(), {
    tokens: { signingKey: pair.secret, keyId: 'foreign' },
  });
  try {
    const user = await foreign.createUser();
    return user.token;
  } finally {
    await foreign.close();
  }
}
