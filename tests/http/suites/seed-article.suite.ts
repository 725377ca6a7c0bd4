import { expect } from 'chai';
import { bearer } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

/** The three tests of the article this service grew from, adapted to the contract. */
export function seedArticleSuite(open: OpenStore): void {
  describe("the seed article's tests", () => {
    const ctx = useApi(open);

    it('test_create_user: 201 with an id and the email', async () => {
      const res = await ctx
        .get()
        .http.post('/api/v1/users')
        .send({ email: 'test@example.com', username: 'testuser', password: 'SecurePass123' });
      expect(res.status).to.equal(201);
      expect(res.body.email).to.equal('test@example.com');
      expect(res.body).to.have.property('id');
    });

    it('test_get_nonexistent_user: 404 with "not found" in the message', async () => {
      const api = ctx.get();
      const res = await api.http.get('/api/v1/users/99999').set(bearer(await api.adminToken()));
      expect(res.status).to.equal(404);
      expect(res.body.message.toLowerCase()).to.contain('not found');
    });

    it('test_invalid_email: 422 naming email', async () => {
      const res = await ctx
        .get()
        .http.post('/api/v1/users')
        .send({ email: 'invalid-email', username: 'testuser2', password: 'SecurePass123' });
      expect(res.status).to.equal(422);
      expect(res.body.details.map((d: { field: string }) => d.field)).to.include('email');
    });
  });
}
