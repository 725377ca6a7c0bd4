/** Races the database must settle: the uniqueness of a sign-up under 50 concurrent requests. */
import { expect } from 'chai';
import { describeStorages } from '../support/storage.js';
import { useApi } from './suites/harness.js';

describeStorages('concurrent sign-ups', ['in-memory', 'postgresql'], (target) => {
  const ctx = useApi(() => target.open());

  it('50 sign-ups with one email: exactly one 201, 409 for the rest, one row', async function () {
    this.timeout(60_000);
    const api = ctx.get();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api.http
          .post('/api/v1/users')
          .send({ email: 'race@example.com', username: `racer_${i}`, password: 'RacePassw0rd' }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(
      statuses.filter((s) => s === 201),
      JSON.stringify(statuses),
    ).to.have.length(1);
    expect(statuses.filter((s) => s === 409)).to.have.length(49);
    for (const res of responses.filter((r) => r.status === 409))
      expect(res.body.error).to.equal('ConflictError');
    const list = await api.http
      .get('/api/v1/users?search=race%40example.com')
      .set('Authorization', `Bearer ${await api.adminToken()}`);
    expect(list.body.total).to.equal(1);
  });

  it('50 sign-ups with one username in different cases: exactly one 201', async function () {
    this.timeout(60_000);
    const api = ctx.get();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api.http.post('/api/v1/users').send({
          email: `case_${i}@example.com`,
          username: i % 2 === 0 ? 'SameName' : 'samename',
          password: 'RacePassw0rd',
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).to.have.length(1);
    expect(statuses.filter((s) => s === 409)).to.have.length(49);
  });
});
