import 'reflect-metadata';
import { openMikroOrmPersistence } from '/work/wt/edges-input/dist/src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
import { createTestDatabase } from '/work/wt/edges-input/dist/tests/support/postgres.js';
for (const kind of ['pglite','postgresql']) {
  let db;
  const target = kind === 'pglite' ? {kind, dataDir:null} : (db = await createTestDatabase(), {kind, url: db.url});
  const p = await openMikroOrmPersistence(target);
  const now = new Date();
  try {
    await p.users.add({ email: 'a\u0000@example.com', username: 'abc', fullName: 'X', passwordHash: '$argon2id$v=19$m=1,t=1,p=1$SECRETHASH', role: 'user', isActive: true, createdAt: now, updatedAt: now, version: 1, passwordChangedAt: null });
  } catch (e) { console.log(kind, e.constructor.name, e.kind, e.cause?.code, e.cause?.sqlState, String(e.cause?.message).slice(-300), 'code', e.code, 'cause', e.cause?.constructor?.name, String(e.cause?.message).slice(0,300), Object.keys(e)); }
  try { await p.users.findById(2**31); } catch (e) { console.log(kind, 'find', e.constructor.name, e.code, String(e.message).slice(0,300)); }
  await p.close(); await db?.drop();
}
