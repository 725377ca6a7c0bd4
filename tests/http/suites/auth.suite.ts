import { expect } from 'chai';
import { PASSWORD, bearer } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

export function authSuite(open: OpenStore): void {
  describe('POST /auth/token and bearer tokens', () => {
    const ctx = useApi(open);

    it('JSON sign-in by username or email returns a 30-minute bearer token', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      for (const login of [
        user.username,
        `${user.username}@example.com`,
        user.username.toUpperCase(),
      ]) {
        const res = await api.http
          .post('/api/v1/auth/token')
          .send({ username: login, password: PASSWORD });
        expect(res.status, login).to.equal(200);
        expect(res.body.token_type).to.equal('bearer');
        expect(res.body.expires_in).to.equal(1800);
        expect(res.body.access_token).to.match(/^v4\.public\./);
        expect(res.headers['cache-control']).to.equal('no-store');
      }
    });

    it('the OAuth2 password form works too', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const res = await api.http
        .post('/api/v1/auth/token')
        .type('form')
        .send({ grant_type: 'password', username: user.username, password: PASSWORD, scope: '' });
      expect(res.status).to.equal(200);
      const me = await api.http.get('/api/v1/users/me').set(bearer(res.body.access_token));
      expect(me.body.id).to.equal(user.id);
    });

    it('a wrong password and an unknown user give the same 401', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const wrong = await api.http
        .post('/api/v1/auth/token')
        .send({ username: user.username, password: 'Wrong1Password' });
      const unknown = await api.http
        .post('/api/v1/auth/token')
        .send({ username: 'nobody_here', password: 'Wrong1Password' });
      for (const res of [wrong, unknown]) {
        expect(res.status).to.equal(401);
        expect(res.body.error).to.equal('UnauthorizedError');
        expect(res.body.message).to.equal('Incorrect username or password');
      }
    });

    it('an inactive account is 403', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      await api.http
        .patch(`/api/v1/users/${user.id}`)
        .set(bearer(await api.adminToken()))
        .send({ is_active: false });
      const res = await api.http
        .post('/api/v1/auth/token')
        .send({ username: user.username, password: PASSWORD });
      expect(res.status).to.equal(403);
      expect(res.body.message).to.equal('User account is inactive');
    });

    it('422 for a sign-in body missing fields', async () => {
      const res = await ctx.get().http.post('/api/v1/auth/token').send({ username: 'x' });
      expect(res.status).to.equal(422);
      expect(res.body.details.map((d: { field: string }) => d.field)).to.deep.equal(['password']);
    });

    it('401 for a malformed, tampered, foreign or expired token, with WWW-Authenticate', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const [head, payload, footer] = [
        user.token.slice(0, 10),
        user.token.slice(10, -20),
        user.token.slice(-20),
      ];
      const flipped = payload.slice(0, 5) + (payload[5] === 'A' ? 'B' : 'A') + payload.slice(6);
      const cases = {
        'not a bearer scheme': `Basic ${Buffer.from('a:b').toString('base64')}`,
        malformed: 'Bearer not-a-token',
        tampered: `Bearer ${head}${flipped}${footer}`,
        'v4.local': 'Bearer v4.local.AAAA',
      };
      for (const [name, header] of Object.entries(cases)) {
        const res = await api.http.get('/api/v1/users/me').set('Authorization', header);
        expect(res.status, name).to.equal(401);
        expect(res.body.error).to.equal('UnauthorizedError');
        expect(res.headers['www-authenticate'], name).to.match(/^Bearer/);
      }
      api.clock.advance(31 * 60 * 1000);
      const expired = await api.http.get('/api/v1/users/me').set(bearer(user.token));
      expect(expired.status).to.equal(401);
      expect(expired.headers['www-authenticate']).to.equal('Bearer error="invalid_token"');
    });
  });
}
