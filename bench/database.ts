/**
 * The benchmark's own PostgreSQL database: created empty on the server, migrated by the service's
 * own migrations, filled with users in bulk (one `INSERT ... SELECT` over `generate_series` per
 * chunk, all rows sharing one precomputed argon2id hash: hashing a million passwords would take
 * hours and measure nothing), and dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openMikroOrmPersistence } from '../src/adapters/persistence/mikro-orm/mikro-orm-persistence.js';

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function withClient<T>(
  url: string,
  use: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `um_bench_${randomBytes(5).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropping: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    drop() {
      dropping ??= withClient(serverUrl, async (client) => {
        await client.query(`drop database if exists "${name}" with (force)`);
      });
      return dropping;
    },
  };
}

/** Applies the service's migrations, as a start would. */
export async function migrate(url: string): Promise<void> {
  const store = await openMikroOrmPersistence({ kind: 'postgresql', url });
  await store.close();
}

export const SEED_PASSWORD = 'Bench-passw0rd';

/** The seeded user number `n` (1-based): its username, email and role. */
export const seededUser = (n: number) => ({
  username: `user${n}`,
  email: `user${n}@bench.example`,
  role: n % 100 === 0 ? 'moderator' : 'user',
});

/**
 * Inserts `count` users, `user1` ... `userN`, in chunks, with `created_at` one second apart (so
 * the default sort has a real order) and every 50th user inactive. Returns the seconds it took.
 */
export async function seedUsers(
  url: string,
  count: number,
  passwordHash: string,
  progress: (done: number) => void = () => undefined,
): Promise<number> {
  const started = Date.now();
  const chunk = 100_000;
  await withClient(url, async (client) => {
    for (let from = 1; from <= count; from += chunk) {
      const to = Math.min(count, from + chunk - 1);
      await client.query(
        `insert into users (email, username, full_name, password_hash, role, is_active, created_at, updated_at, version)
         select 'user' || g || '@bench.example', 'user' || g, 'Bench User ' || g, $1,
                case when g % 100 = 0 then 'moderator' else 'user' end, g % 50 <> 0,
                timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second',
                timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second', 1
           from generate_series($2::int, $3::int) as g`,
        [passwordHash, from, to],
      );
      progress(to);
    }
    // As autovacuum would on a live database: statistics, and the visibility map that lets a deep
    // page count the rows it skips from the index alone.
    await client.query('vacuum analyze users');
  });
  return (Date.now() - started) / 1000;
}

/** Ids of seeded users by username. */
export async function userIds(
  url: string,
  usernames: readonly string[],
): Promise<Map<string, number>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ id: number; username: string }>(
      'select id, username from users where username = any($1)',
      [usernames],
    );
    return new Map(rows.map((r) => [r.username, r.id]));
  });
}

/** The position (created_at, id) of the user at `offset` in the default order, for a deep cursor. */
export async function positionAt(
  url: string,
  offset: number,
): Promise<{ createdAt: Date; id: number }> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ created_at: Date; id: number }>(
      'select created_at, id from users order by created_at, id offset $1 limit 1',
      [offset],
    );
    if (rows[0] === undefined) throw new Error(`no user at offset ${offset}`);
    return { createdAt: rows[0].created_at, id: rows[0].id };
  });
}

export async function serverVersion(url: string): Promise<string> {
  return withClient(
    url,
    async (client) =>
      (await client.query<{ server_version: string }>('show server_version')).rows[0]!
        .server_version,
  );
}
