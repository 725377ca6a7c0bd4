import 'reflect-metadata';
import { openMikroOrmPersistence } from '/work/wt/edges-input/dist/src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import { createTestDatabase } from '/work/wt/edges-input/dist/tests/support/postgres.js';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
for (const kind of ['pglite','postgresql']) {
  let db;
  const target = kind === 'pglite' ? {kind, dataDir:'/tmp/ei/pgl'+Date.now()} : (db = await createTestDatabase(), {kind, url: db.url});
  let p = await openMikroOrmPersistence(target);
  if (kind === 'postgresql') { const c = new pg.Client(db.url); await c.connect(); await c.query(`alter table users add constraint refuse_name check (full_name is distinct from 'Refused')`); await c.end(); }
  else { await p.close(); const g = new PGlite(target.dataDir); await g.exec(`alter table users add constraint refuse_name check (full_name is distinct from 'Refused')`); await g.close(); p = await openMikroOrmPersistence(target); }
  const now = new Date();
  try {
    await p.users.add({ email: 'a@example.com', username: 'abc', fullName: 'Refused', passwordHash: '$argon2id$v=19$m=1,t=1,p=1$SECRETHASH', role: 'user', isActive: true, createdAt: now, updatedAt: now, version: 1, passwordChangedAt: null });
  } catch (e) { console.log(kind, e.constructor.name, e.name, Object.keys(e), e.code, e.sqlState, e.constraint, e.table, e.detail); }
  try { await p.users.findById(2**31); } catch (e) { console.log(kind, 'find', e.constructor.name, Object.keys(e), e.code); }
  await p.close(); await db?.drop();
}
