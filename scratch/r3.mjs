import 'reflect-metadata';
import { openMikroOrmPersistence } from '/work/wt/edges-input/dist/src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';
const p = await openMikroOrmPersistence({kind:'pglite', dataDir:null});
for (const f of [() => p.users.findById(2**31), () => p.users.findByLogin('nul\u0000x')]) {
try { console.log(await f()); } catch (e) { console.log(e.constructor.name, e.kind, e.message, e.code); }
}
const now = new Date();
try { await p.users.add({ email: 'a\u0000@example.com', username: 'abc', fullName: 'X', passwordHash: 'h', role: 'user', isActive: true, createdAt: now, updatedAt: now, version: 1, passwordChangedAt: null }); } catch (e) { console.log(e.constructor.name, e.kind, e.message, e.cause?.message); }
await p.close();
