import { expect } from 'chai';
import { bearer, type TestApi } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

interface Listed {
  id: number;
  username: string;
  email: string;
  role: string;
  is_active: boolean;
  full_name: string | null;
  created_at: string;
}

export function listSuite(open: OpenStore): void {
  describe('GET /users (v1 pages)', () => {
    const ctx = useApi(open);
    let admin: string;
    let created: { id: number; username: string }[];

    before(async function () {
      this.timeout(60_000);
      const api: TestApi = ctx.get();
      admin = await api.adminToken();
      created = [];
      // 12 users with distinct creation times; names chosen so that username and email orders differ.
      const names = [
        'mike',
        'alpha',
        'zulu',
        'echo',
        'bravo',
        'kilo',
        'delta',
        'lima',
        'charlie',
        'juliet',
        'foxtrot',
        'hotel',
      ];
      for (const [i, name] of names.entries()) {
        const user = await api.createUser({
          username: `l_${name}`,
          email: `${String.fromCharCode(122 - i)}_${name}@list.example.com`,
          full_name: i % 3 === 0 ? `Special ${name.toUpperCase()}` : null,
          ...(i % 4 === 0 ? { role: 'moderator' as const } : {}),
        });
        created.push({ id: user.id, username: user.username });
      }
      await api.http
        .patch(`/api/v1/users/${created[1]!.id}`)
        .set(bearer(admin))
        .send({ is_active: false });
    });

    const list = async (query: string) =>
      ctx.get().http.get(`/api/v1/users${query}`).set(bearer(admin));

    it('defaults to page 1 of 50, oldest first, with total and total_pages', async () => {
      const res = await list('');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({
        page: 1,
        page_size: 50,
        total: 13,
        total_pages: 1,
        total_exact: true,
      });
      const ids = (res.body.items as Listed[]).map((u) => u.id);
      expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
      expect(res.body.items).to.have.length(13);
    });

    it('pages without overlap, with Link first/prev/next/last', async () => {
      const seen: number[] = [];
      for (let page = 1; page <= 3; page += 1) {
        const res = await list(`?page=${page}&page_size=5&search=list.example`);
        expect(res.body).to.include({
          page,
          page_size: 5,
          total: 12,
          total_pages: 3,
          total_exact: true,
        });
        seen.push(...(res.body.items as Listed[]).map((u) => u.id));
        const link = res.headers['link'] as string;
        expect(link).to.contain('rel="first"').and.contain('rel="last"');
        expect(link).to.contain('search=list.example');
        if (page > 1)
          expect(link)
            .to.contain(`page=${page - 1}&page_size=5`)
            .and.contain('rel="prev"');
        else expect(link).to.not.contain('rel="prev"');
        if (page < 3)
          expect(link)
            .to.contain(`page=${page + 1}&page_size=5`)
            .and.contain('rel="next"');
        else expect(link).to.not.contain('rel="next"');
      }
      expect(seen).to.have.length(12);
      expect(new Set(seen).size).to.equal(12);
      expect(seen).to.deep.equal(created.map((c) => c.id));
    });

    it('a page past the end is 200 with no items', async () => {
      const res = await list('?page=99&page_size=5');
      expect(res.status).to.equal(200);
      expect(res.body.items).to.deep.equal([]);
      expect(res.body.total).to.equal(13);
    });

    it('400 for page < 1 and page_size outside 1..100, with the contract messages', async () => {
      for (const q of ['?page=0', '?page=-3', '?page=abc']) {
        const res = await list(q);
        expect(res.status, q).to.equal(400);
        expect(res.body.message).to.equal('Page must be >= 1');
      }
      for (const q of ['?page_size=0', '?page_size=101', '?page_size=x']) {
        const res = await list(q);
        expect(res.status, q).to.equal(400);
        expect(res.body.message).to.equal('Page size must be between 1 and 100');
      }
    });

    it('filters by role and is_active', async () => {
      const mods = await list('?role=moderator');
      expect((mods.body.items as Listed[]).every((u) => u.role === 'moderator')).to.equal(true);
      expect(mods.body.total).to.equal(3);
      const inactive = await list('?is_active=false');
      expect((inactive.body.items as Listed[]).map((u) => u.id)).to.deep.equal([created[1]!.id]);
      const active = await list('?is_active=true&search=list.example');
      expect(active.body.total).to.equal(11);
    });

    it('search is a case-insensitive substring of email, username or full name', async () => {
      const byName = await list('?search=SPECIAL');
      expect(byName.body.total).to.equal(4);
      const byUsername = await list('?search=L_ECH');
      expect((byUsername.body.items as Listed[]).map((u) => u.username)).to.deep.equal(['l_echo']);
      const byEmail = await list('?search=W_ECHO@LIST');
      expect(byEmail.body.total).to.equal(1);
      const wildcard = await list('?search=%25');
      expect(wildcard.body.total).to.equal(0);
    });

    it('sorts by username, email and created_at, each both ways', async () => {
      const names = (res: { body: { items: Listed[] } }) => res.body.items.map((u) => u.username);
      const asc = names(await list('?sort=username&search=l_'));
      expect(asc).to.deep.equal([...asc].sort());
      expect(names(await list('?sort=-username&search=l_'))).to.deep.equal([...asc].reverse());
      const emails = (await list('?sort=email&search=list.example')).body.items.map(
        (u: Listed) => u.email,
      );
      expect(emails).to.deep.equal([...emails].sort());
      expect(emails[0]).to.match(/^o_hotel/);
      const newest = (await list('?sort=-created_at&search=list.example')).body.items.map(
        (u: Listed) => u.id,
      );
      expect(newest).to.deep.equal(created.map((c) => c.id).reverse());
    });

    it('400 for an unknown value of any filter or sort', async () => {
      for (const q of [
        '?role=superuser',
        '?is_active=yes',
        '?sort=password',
        '?sort=-id',
        `?search=${'x'.repeat(101)}`,
      ]) {
        const res = await list(q);
        expect(res.status, q).to.equal(400);
        expect(res.body.error).to.equal('BadRequestError');
      }
    });

    it('403 for role user; 401 without a token', async () => {
      const api = ctx.get();
      const user = await api.createUser();
      const res = await api.http.get('/api/v1/users').set(bearer(user.token));
      expect(res.status).to.equal(403);
      expect(res.body.message).to.equal(
        'Insufficient permissions. Required role: admin or moderator',
      );
      expect((await api.http.get('/api/v1/users')).status).to.equal(401);
    });

    it('moderators may list', async () => {
      const api = ctx.get();
      const mod = await api.createUser({ role: 'moderator' });
      expect((await api.http.get('/api/v1/users').set(bearer(mod.token))).status).to.equal(200);
    });
  });
}
