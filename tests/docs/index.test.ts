/** `/`: where a newcomer lands, linking to what answers. */
import { expect } from 'chai';
import { createInMemoryPersistence } from '../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import { startApi, type TestApi } from '../support/api.js';

describe('GET /', () => {
  let api: TestApi;

  before(async () => {
    api = await startApi(createInMemoryPersistence());
  });
  after(() => api.close());

  it('names the API and links to the docs, ReDoc, the OpenAPI document and readiness', async () => {
    const res = await api.http.get('/');
    expect(res.status).to.equal(200);
    expect(res.type).to.equal('application/json');
    expect(res.body).to.deep.equal({
      name: 'User Management API',
      version: '1.0.0',
      links: { docs: '/docs', redoc: '/redoc', openapi: '/openapi.json', health: '/health/ready' },
    });
  });

  it('links only to paths that answer 200', async () => {
    const { links } = (await api.http.get('/')).body as { links: Record<string, string> };
    for (const path of Object.values(links))
      expect((await api.http.get(path)).status, path).to.equal(200);
  });

  it('is outside the versions and the rate limit, like the docs', async () => {
    const res = await api.http.get('/').set('X-API-Version', '9');
    expect(res.status).to.equal(200);
    expect(res.headers).to.not.have.property('ratelimit-limit');
  });

  it('answers other methods with 405 in the error shape', async () => {
    const res = await api.http.post('/').send({});
    expect(res.status).to.equal(405);
    expect(res.body.error).to.be.a('string');
  });
});
