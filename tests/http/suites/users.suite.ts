import { expect } from 'chai';
import { ADMIN, PASSWORD, bearer } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

export function usersSuite(open: OpenStore): void {
  describe('users', () => {
    const ctx = useApi(open);

    describe('POST /users', () => {
      it('signs up: 201, Location, the user without any password', async () => {
        const res = await ctx.get().http.post('/api/v1/users').send({
          email: 'Grace@Example.com',
          username: 'Grace_H',
          password: PASSWORD,
          full_name: 'Grace Hopper',
        });
        expect(res.status).to.equal(201);
        expect(res.headers['location']).to.equal(`/api/v1/users/${res.body.id}`);
        expect(res.body).to.include({
          email: 'grace@example.com',
          username: 'Grace_H',
          full_name: 'Grace Hopper',
          role: 'user',
          is_active: true,
        });
        expect(res.body.id).to.be.a('number').greaterThan(0);
        expect(JSON.stringify(res.body)).to.not.contain(PASSWORD);
      });

      it('full_name is optional and may be null', async () => {
        const api = ctx.get();
        const a = await api.http
          .post('/api/v1/users')
          .send({ email: 'nn1@example.com', username: 'nn1', password: PASSWORD });
        const b = await api.http
          .post('/api/v1/users')
          .send({ email: 'nn2@example.com', username: 'nn2', password: PASSWORD, full_name: null });
        expect([a.status, b.status]).to.deep.equal([201, 201]);
        expect([a.body.full_name, b.body.full_name]).to.deep.equal([null, null]);
      });

      it('409 for a taken email or username, regardless of case', async () => {
        const api = ctx.get();
        await api.createUser({ username: 'taken_one', email: 'taken@example.com' });
        const email = await api.http
          .post('/api/v1/users')
          .send({ email: 'TAKEN@example.com', username: 'other_name', password: PASSWORD });
        expect(email.status).to.equal(409);
        expect(email.body.error).to.equal('ConflictError');
        expect(email.body.message).to.match(/email/i);
        const username = await api.http
          .post('/api/v1/users')
          .send({ email: 'fresh@example.com', username: 'TAKEN_ONE', password: PASSWORD });
        expect(username.status).to.equal(409);
        expect(username.body.message).to.match(/username/i);
      });

      it('422 for a weak password, naming the rule', async () => {
        for (const password of [
          'alllowercase1',
          'ALLUPPERCASE1',
          'NoDigitsHere',
          'Sh0rt',
          'A1a'.repeat(50),
        ]) {
          const res = await ctx
            .get()
            .http.post('/api/v1/users')
            .send({ email: 'weak@example.com', username: 'weak_pw', password });
          expect(res.status, password).to.equal(422);
          expect(res.body.details[0].field).to.equal('password');
        }
      });

      it('422 for an email over 254 characters, a username outside 3..50', async () => {
        const long = `${'a'.repeat(250)}@example.com`;
        const res = await ctx
          .get()
          .http.post('/api/v1/users')
          .send({ email: long, username: 'ab', password: PASSWORD });
        expect(res.status).to.equal(422);
        expect(res.body.details.map((d: { field: string }) => d.field).sort()).to.deep.equal([
          'email',
          'username',
        ]);
        const tooLong = await ctx
          .get()
          .http.post('/api/v1/users')
          .send({ email: 'ok@example.com', username: 'u'.repeat(51), password: PASSWORD });
        expect(tooLong.status).to.equal(422);
      });

      it('403 when someone not an admin sends role or is_active', async () => {
        const api = ctx.get();
        const anonymous = await api.http.post('/api/v1/users').send({
          email: 'sneak@example.com',
          username: 'sneak',
          password: PASSWORD,
          role: 'admin',
        });
        expect(anonymous.status).to.equal(403);
        expect(anonymous.body.message).to.equal('Insufficient permissions. Required role: admin');
        const user = await api.createUser();
        const asUser = await api.http.post('/api/v1/users').set(bearer(user.token)).send({
          email: 'sneak2@example.com',
          username: 'sneak2',
          password: PASSWORD,
          is_active: false,
        });
        expect(asUser.status).to.equal(403);
      });

      it('an admin may set role and is_active', async () => {
        const api = ctx.get();
        const res = await api.http
          .post('/api/v1/users')
          .set(bearer(await api.adminToken()))
          .send({
            email: 'mod@example.com',
            username: 'made_mod',
            password: PASSWORD,
            role: 'moderator',
            is_active: false,
          });
        expect(res.status).to.equal(201);
        expect(res.body).to.include({ role: 'moderator', is_active: false });
      });

      it('401 for a sign-up that presents a bad token', async () => {
        const res = await ctx
          .get()
          .http.post('/api/v1/users')
          .set('Authorization', 'Bearer v4.public.garbage')
          .send({ email: 'bt@example.com', username: 'bad_token', password: PASSWORD });
        expect(res.status).to.equal(401);
      });
    });

    describe('GET /users/me and /users/{id}', () => {
      it('me: the caller; 401 without a token', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const me = await api.http.get('/api/v1/users/me').set(bearer(user.token));
        expect(me.status).to.equal(200);
        expect(me.body.id).to.equal(user.id);
        const none = await api.http.get('/api/v1/users/me');
        expect(none.status).to.equal(401);
        expect(none.headers['www-authenticate']).to.match(/^Bearer/);
      });

      it('the caller’s own account as the last change left it: me and its id, body and ETag', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const before = await api.http.get(`/api/v1/users/${user.id}`).set(bearer(user.token));
        const patched = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ full_name: 'Changed Name' });
        expect(patched.status).to.equal(200);
        for (const path of ['/api/v1/users/me', `/api/v1/users/${user.id}`]) {
          const res = await api.http.get(path).set(bearer(user.token));
          expect(res.status, path).to.equal(200);
          expect(res.body, path).to.deep.equal(patched.body);
          expect(res.headers['etag'], path)
            .to.equal(patched.headers['etag'])
            .and.not.equal(before.headers['etag']);
        }
      });

      it('the user itself, a moderator and an admin may read; ETag is set', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const mod = await api.createUser({ role: 'moderator' });
        for (const token of [user.token, mod.token, await api.adminToken()]) {
          const res = await api.http.get(`/api/v1/users/${user.id}`).set(bearer(token));
          expect(res.status).to.equal(200);
          expect(res.body.username).to.equal(user.username);
          expect(res.headers['etag']).to.match(/^"\d+"$/);
        }
      });

      it("403 for someone else's id, whether or not it exists", async () => {
        const api = ctx.get();
        const a = await api.createUser();
        const b = await api.createUser();
        const other = await api.http.get(`/api/v1/users/${b.id}`).set(bearer(a.token));
        expect(other.status).to.equal(403);
        const missing = await api.http.get('/api/v1/users/2000000000').set(bearer(a.token));
        expect(missing.status).to.equal(403);
      });

      it('404 for a missing user, as admin', async () => {
        const api = ctx.get();
        const res = await api.http
          .get('/api/v1/users/2000000000')
          .set(bearer(await api.adminToken()));
        expect(res.status).to.equal(404);
        expect(res.body.message).to.equal('User with id 2000000000 not found');
      });

      it('If-None-Match with the current ETag: 304', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const first = await api.http.get(`/api/v1/users/${user.id}`).set(bearer(user.token));
        const again = await api.http
          .get(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .set('If-None-Match', first.headers['etag']!);
        expect(again.status).to.equal(304);
        const stale = await api.http
          .get(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .set('If-None-Match', '"999"');
        expect(stale.status).to.equal(200);
      });
    });

    describe('PUT /users/{id}', () => {
      it('replaces email, username and full_name; the user itself or an admin', async () => {
        const api = ctx.get();
        const user = await api.createUser({ full_name: 'Old Name' });
        const res = await api.http
          .put(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ email: 'NEW_put@example.com', username: `${user.username}_x`, full_name: null });
        expect(res.status).to.equal(200);
        expect(res.body).to.include({
          email: 'new_put@example.com',
          username: `${user.username}_x`,
          full_name: null,
        });
        const byAdmin = await api.http
          .put(`/api/v1/users/${user.id}`)
          .set(bearer(await api.adminToken()))
          .send({ email: 'new_put2@example.com', username: user.username, full_name: 'A' });
        expect(byAdmin.status).to.equal(200);
      });

      it('422 when a field is missing: all three are required', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const res = await api.http
          .put(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ email: 'x@example.com' });
        expect(res.status).to.equal(422);
        expect(res.body.details.map((d: { field: string }) => d.field).sort()).to.deep.equal([
          'full_name',
          'username',
        ]);
      });

      it('403 for a moderator or another user; 404 for a missing id (admin); checks before the body', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const mod = await api.createUser({ role: 'moderator' });
        const asMod = await api.http
          .put(`/api/v1/users/${user.id}`)
          .set(bearer(mod.token))
          .send({ nonsense: true });
        expect(asMod.status).to.equal(403);
        const missing = await api.http
          .put('/api/v1/users/2000000000')
          .set(bearer(await api.adminToken()))
          .send({ nonsense: true });
        expect(missing.status).to.equal(404);
      });

      it('409 when the new email belongs to someone else', async () => {
        const api = ctx.get();
        const a = await api.createUser();
        const b = await api.createUser();
        const res = await api.http
          .put(`/api/v1/users/${a.id}`)
          .set(bearer(a.token))
          .send({ email: `${b.username}@EXAMPLE.com`, username: a.username, full_name: null });
        expect(res.status).to.equal(409);
      });

      it('If-Match: a stale ETag is 412 and nothing changes; the current one passes', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const read = await api.http.get(`/api/v1/users/${user.id}`).set(bearer(user.token));
        const etag = read.headers['etag']!;
        const ok = await api.http
          .put(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .set('If-Match', etag)
          .send({ email: read.body.email, username: user.username, full_name: 'First' });
        expect(ok.status).to.equal(200);
        const stale = await api.http
          .put(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .set('If-Match', etag)
          .send({ email: read.body.email, username: user.username, full_name: 'Second' });
        expect(stale.status).to.equal(412);
        expect(stale.body.error).to.equal('PreconditionFailedError');
        const after = await api.http.get(`/api/v1/users/${user.id}`).set(bearer(user.token));
        expect(after.body.full_name).to.equal('First');
      });
    });

    describe('PATCH /users/{id}', () => {
      it('changes only the fields sent', async () => {
        const api = ctx.get();
        const user = await api.createUser({ full_name: 'Keep Me' });
        const res = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ username: `${user.username}_p` });
        expect(res.status).to.equal(200);
        expect(res.body).to.include({
          username: `${user.username}_p`,
          full_name: 'Keep Me',
          email: user.body['email'],
        });
      });

      it('403 when a non-admin sends role; the user may not change its own is_active', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const role = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ role: 'admin' });
        expect(role.status).to.equal(403);
        expect(role.body.message).to.equal('Insufficient permissions. Required role: admin');
        const active = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ is_active: false });
        expect(active.status).to.equal(403);
      });

      it('a moderator may change is_active of plain users only, and nothing else of theirs', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const otherMod = await api.createUser({ role: 'moderator' });
        const mod = await api.createUser({ role: 'moderator' });
        const ok = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(mod.token))
          .send({ is_active: false });
        expect(ok.status).to.equal(200);
        expect(ok.body.is_active).to.equal(false);
        const onMod = await api.http
          .patch(`/api/v1/users/${otherMod.id}`)
          .set(bearer(mod.token))
          .send({ is_active: false });
        expect(onMod.status).to.equal(403);
        const profile = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(mod.token))
          .send({ full_name: 'Renamed' });
        expect(profile.status).to.equal(403);
        const role = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(mod.token))
          .send({ role: 'moderator' });
        expect(role.status).to.equal(403);
      });

      it('an admin changes role; the demoted user loses the right at once', async () => {
        const api = ctx.get();
        const mod = await api.createUser({ role: 'moderator' });
        expect((await api.http.get('/api/v1/users').set(bearer(mod.token))).status).to.equal(200);
        const res = await api.http
          .patch(`/api/v1/users/${mod.id}`)
          .set(bearer(await api.adminToken()))
          .send({ role: 'user' });
        expect(res.status).to.equal(200);
        expect(res.body.role).to.equal('user');
        expect((await api.http.get('/api/v1/users').set(bearer(mod.token))).status).to.equal(403);
      });

      it('409 when it would demote or deactivate the last active admin', async () => {
        const api = ctx.get();
        const token = await api.adminToken();
        const me = await api.http.get('/api/v1/users/me').set(bearer(token));
        const demote = await api.http
          .patch(`/api/v1/users/${me.body.id}`)
          .set(bearer(token))
          .send({ role: 'user' });
        expect(demote.status).to.equal(409);
        const deactivate = await api.http
          .patch(`/api/v1/users/${me.body.id}`)
          .set(bearer(token))
          .send({ is_active: false });
        expect(deactivate.status).to.equal(409);
        const still = await api.http.get('/api/v1/users/me').set(bearer(token));
        expect(still.body).to.include({ role: 'admin', is_active: true });
      });

      it('422 for unknown or unwritable fields (id, created_at)', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const res = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ id: 1, created_at: 'x', password: 'Abcdefg1' });
        expect(res.status).to.equal(422);
        expect(res.body.details.map((d: { field: string }) => d.field).sort()).to.deep.equal([
          'created_at',
          'id',
          'password',
        ]);
      });

      it('If-Match stale: 412; an empty patch changes nothing and keeps the ETag', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const read = await api.http.get(`/api/v1/users/${user.id}`).set(bearer(user.token));
        const empty = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({});
        expect(empty.status).to.equal(200);
        expect(empty.headers['etag']).to.equal(read.headers['etag']);
        await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ full_name: 'Changed' });
        const stale = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .set('If-Match', read.headers['etag']!)
          .send({ full_name: 'Again' });
        expect(stale.status).to.equal(412);
      });
    });

    describe('DELETE /users/{id}', () => {
      it("admin: 204 with no body; then 404; the deleted user's token is 401", async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const res = await api.http
          .delete(`/api/v1/users/${user.id}`)
          .set(bearer(await api.adminToken()));
        expect(res.status).to.equal(204);
        expect(res.text).to.equal('');
        const again = await api.http
          .delete(`/api/v1/users/${user.id}`)
          .set(bearer(await api.adminToken()));
        expect(again.status).to.equal(404);
        const gone = await api.http.get('/api/v1/users/me').set(bearer(user.token));
        expect(gone.status).to.equal(401);
      });

      it('403 for users and moderators', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const mod = await api.createUser({ role: 'moderator' });
        expect(
          (await api.http.delete(`/api/v1/users/${user.id}`).set(bearer(user.token))).status,
        ).to.equal(403);
        expect(
          (await api.http.delete(`/api/v1/users/${user.id}`).set(bearer(mod.token))).status,
        ).to.equal(403);
      });

      it('409 when it would remove the last active admin; allowed once another admin exists', async () => {
        const api = ctx.get();
        const token = await api.adminToken();
        const me = await api.http.get('/api/v1/users/me').set(bearer(token));
        const refused = await api.http.delete(`/api/v1/users/${me.body.id}`).set(bearer(token));
        expect(refused.status).to.equal(409);
        const second = await api.createUser({ role: 'admin' });
        const removed = await api.http.delete(`/api/v1/users/${second.id}`).set(bearer(token));
        expect(removed.status).to.equal(204);
      });
    });

    describe('the account is re-read on each request', () => {
      it('a deactivated account gets 403 User account is inactive', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(await api.adminToken()))
          .send({ is_active: false });
        const res = await api.http.get('/api/v1/users/me').set(bearer(user.token));
        expect(res.status).to.equal(403);
        expect(res.body.message).to.equal('User account is inactive');
      });

      it('the admin from ADMIN_* can sign in', async () => {
        const api = ctx.get();
        const res = await api.http
          .post('/api/v1/auth/token')
          .send({ username: ADMIN.email, password: ADMIN.password });
        expect(res.status).to.equal(200);
        const me = await api.http.get('/api/v1/users/me').set(bearer(res.body.access_token));
        expect(me.body).to.include({ username: ADMIN.username, role: 'admin' });
      });
    });
  });
}
