/**
 * A sign-in that checked the old password while the password was being changed must not leave a
 * usable session behind, even though its session is stored after the change revoked the others.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import supertest from 'supertest';
import type { PasswordHasher } from '../../../src/application/ports/password-hasher.js';
import { FixedClock } from '../../../src/adapters/clock/fixed-clock.js';
import { buildApp } from '../../../src/adapters/http/app.js';
import { MemoryLogger } from '../../../src/adapters/logging/memory-logger.js';
import { InMemoryPasswordHasher } from '../../../src/adapters/security/in-memory-password-hasher.js';
import { buildService, type Service } from '../../../src/composition-root/container.js';
import { inMemoryAdapters } from '../../../src/composition-root/in-memory-adapters.js';
import { testConfig } from '../../../src/config/config.js';
import { latch, type Latch } from '../../contract/helpers.js';

/** A hasher whose next check, once armed, waits after checking until it is let go. */
class GatedHasher implements PasswordHasher {
  private readonly inner = new InMemoryPasswordHasher();
  armed: { checked: Latch; release: Latch } | null = null;

  hash(password: string): Promise<string> {
    return this.inner.hash(password);
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    const gate = this.armed;
    this.armed = null;
    const result = await this.inner.verify(hash, password);
    if (gate !== null) {
      gate.checked.open();
      await gate.release.promise;
    }
    return result;
  }
}

describe('a password change racing a sign-in with the old password', () => {
  let service: Service;
  let http: supertest.Agent;
  const clock = new FixedClock('2026-05-01T10:00:00.000Z');
  const hasher = new GatedHasher();

  before(async () => {
    const config = testConfig();
    service = await buildService(config, {
      ...inMemoryAdapters(config, { clock }),
      logger: new MemoryLogger('debug'),
      passwordHasher: hasher,
    });
    http = supertest.agent(buildApp(service.container).callback());
  });
  after(() => service.close());

  it('leaves the racing sign-in’s session superseded: its tokens are refused', async () => {
    const created = await http
      .post('/api/v1/users')
      .send({ email: 'race@example.com', username: 'racer', password: 'OldPassw0rd' });
    expect(created.status).to.equal(201);
    const first = await http
      .post('/api/v1/auth/token')
      .send({ username: 'racer', password: 'OldPassw0rd' });
    expect(first.status).to.equal(200);

    const gate = { checked: latch(), release: latch() };
    hasher.armed = gate;
    const racing = http
      .post('/api/v1/auth/token')
      .send({ username: 'racer', password: 'OldPassw0rd' })
      .then((res) => res);
    await gate.checked.promise; // the old password has been checked; the session is not stored yet
    clock.advance(1);
    const changed = await http
      .post('/api/v1/users/me/password')
      .set('Authorization', `Bearer ${first.body.access_token}`)
      .send({ current_password: 'OldPassw0rd', new_password: 'NewPassw0rd' });
    expect(changed.status).to.equal(204);
    gate.release.open();

    const late = await racing;
    expect(late.status, 'the sign-in itself went through').to.equal(200);
    const me = await http
      .get('/api/v1/users/me')
      .set('Authorization', `Bearer ${late.body.access_token}`);
    expect(me.status).to.equal(401);
    expect(me.body.message).to.equal('Token has been revoked');
    const refreshed = await http
      .post('/api/v1/auth/refresh')
      .send({ refresh_token: late.body.refresh_token });
    expect(refreshed.status).to.equal(401);
    expect(refreshed.body.message).to.equal('Session has been revoked');

    const fresh = await http
      .post('/api/v1/auth/token')
      .send({ username: 'racer', password: 'NewPassw0rd' });
    expect(
      (await http.get('/api/v1/users/me').set('Authorization', `Bearer ${fresh.body.access_token}`))
        .status,
    ).to.equal(200);
  });
});
