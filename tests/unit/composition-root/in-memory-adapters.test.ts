/**
 * The door testers use to run the whole service on in-memory adapters: the lines between the
 * markers are the ones the architecture guide shows, run as written.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import supertest from 'supertest';
import { buildApp } from '../../../src/adapters/http/app.js';
import { buildService, type Service } from '../../../src/composition-root/container.js';
import { inMemoryAdapters } from '../../../src/composition-root/in-memory-adapters.js';
import { testConfig } from '../../../src/config/config.js';

describe('the in-memory door: buildService(config, inMemoryAdapters(config))', () => {
  it('serves the API on in-memory storage, tokens and password hashes, and closes', async () => {
    // --- the tester's lines ---
    const config = testConfig();
    const service = await buildService(config, inMemoryAdapters(config));
    const http = supertest(buildApp(service.container).callback());
    const created = await http
      .post('/api/v1/users')
      .send({ email: 'ada@example.com', username: 'ada', password: 'Passw0rdOk' });
    await service.close();
    // --- end ---

    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const stored = await service.persistence.users.findByLogin('ada');
    expect(stored?.passwordHash, 'the in-memory hasher').to.match(/^mem\$/);
    await expectClosed(service);
  });

  it('hands out in-memory access tokens that authenticate the caller', async () => {
    const config = testConfig();
    const service = await buildService(config, inMemoryAdapters(config));
    try {
      const http = supertest(buildApp(service.container).callback());
      await http
        .post('/api/v1/users')
        .send({ email: 'bob@example.com', username: 'bob', password: 'Passw0rdOk' });
      const signIn = await http
        .post('/api/v1/auth/token')
        .send({ username: 'bob', password: 'Passw0rdOk' });
      expect(signIn.status).to.equal(200);
      expect(signIn.body.access_token, 'the in-memory token service').to.match(/^mem\./);
      const me = await http
        .get('/api/v1/users/me')
        .set('Authorization', `Bearer ${signIn.body.access_token}`);
      expect(me.status).to.equal(200);
      expect(me.body.username).to.equal('bob');
    } finally {
      await service.close();
    }
  });

  it('gives each service a store of its own', async () => {
    const config = testConfig();
    const first = await buildService(config, inMemoryAdapters(config));
    const second = await buildService(config, inMemoryAdapters(config));
    try {
      await supertest(buildApp(first.container).callback())
        .post('/api/v1/users')
        .send({ email: 'cyd@example.com', username: 'cyd', password: 'Passw0rdOk' })
        .expect(201);
      expect(await second.persistence.users.findByLogin('cyd')).to.equal(null);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

/** After `close()` the service reports itself not ready: it no longer serves. */
async function expectClosed(service: Service): Promise<void> {
  const ready = await supertest(buildApp(service.container).callback()).get('/health/ready');
  expect(ready.status).to.equal(503);
}
