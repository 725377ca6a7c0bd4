/**
 * The same-work ceiling of the benchmark: a minimal app on the service's own Koa, node-postgres and
 * ioredis that does exactly the work the service must do for two requests, and nothing else:
 *
 * - `GET /api/v1/users/{id}`: the bearer token looked up in an in-process map (the service keeps
 *   verified tokens in a cache too), one rate-limit count in Redis (the Lua script the service's
 *   limiter runs), the one prepared statement that reads the account, its session and the view,
 *   and the JSON;
 * - `GET /api/v1/users?page=1&page_size=50`: the same token and count, one prepared statement that
 *   checks the caller's account and session and reads the total and the page, and the JSON of the
 *   50 users.
 *
 * What the service costs beyond this (routing, validation, the buses, logging, metrics, headers)
 * shows as the distance to it, measured in the same run on the same database.
 *
 * Run as its own process: `node dist/bench/same-work.js <port> <database url> <redis url> <tokens file>`,
 * the tokens file a JSON array of access tokens (their claims are read, not verified).
 */
import Koa from 'koa';
import pg from 'pg';
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';

const [portArg, databaseUrl, redisUrl, tokensFile] = process.argv.slice(2);
const port = Number(portArg ?? '3101');

/** The claims the service reads from a token: the user and the session. */
const tokens = new Map<string, { userId: number; sessionId: string }>();
for (const token of JSON.parse(readFileSync(tokensFile!, 'utf8')) as string[]) {
  const body = Buffer.from(token.split('.')[2]!, 'base64url');
  // v4.public: the claims, then a 64-byte signature.
  const claims = JSON.parse(body.subarray(0, body.length - 64).toString('utf8')) as {
    sub: string;
    sid: string;
  };
  tokens.set(token, { userId: Number(claims.sub), sessionId: claims.sid });
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
const redis = new Redis(redisUrl!, { enableAutoPipelining: false });
// rate-limiter-flexible's script for RateLimiterRedis: set the key with its window if absent, add one.
redis.defineCommand('consumePoint', {
  numberOfKeys: 1,
  lua: `redis.call('set', KEYS[1], 0, 'EX', ARGV[2], 'NX')
        local consumed = redis.call('incrby', KEYS[1], ARGV[1])
        local ttl = redis.call('pttl', KEYS[1])
        return {consumed, ttl}`,
});
const consume = (key: string): Promise<[number, number]> =>
  (
    redis as unknown as {
      consumePoint(key: string, points: number, windowS: number): Promise<[number, number]>;
    }
  ).consumePoint(key, 1, 60);

const epoch = (column: string) => `round(extract(epoch from ${column}) * 1000)::float8`;
const VIEW = `u.id, u.email, u.username, u.full_name, u.role, u.is_active, ${epoch('u.created_at')} as created_at, ${epoch('u.updated_at')} as updated_at, u.version`;
const CALLER = `select u.role, u.is_active, u.password_changed_at, s.revoked_at, s.expires_at
  from users u join sessions s on s.id = $1::uuid and s.user_id = u.id where u.id = $2`;
const USER = {
  name: 'same_work_user',
  text: `select ${VIEW}, u.password_changed_at, s.id as session_id, s.revoked_at, s.expires_at
    from users u left join sessions s on s.id = $1::uuid and s.user_id = u.id where u.id = $2`,
};
const FIRST_PAGE = {
  name: 'same_work_first_page',
  text: `select c.role as caller_role, c.is_active as caller_active, c.revoked_at as caller_revoked, t.total, p.*
    from (${CALLER}) c cross join (select coalesce(sum(n), 0) as total from user_counts) t
    left join lateral (select ${VIEW} from users u order by u.created_at, u.id limit $3) p on true`,
};

interface ViewRow {
  id: number;
  email: string;
  username: string;
  full_name: string | null;
  role: string;
  is_active: boolean;
  created_at: number;
  updated_at: number;
  version: number;
}
const present = (row: ViewRow) => ({
  id: row.id,
  email: row.email,
  username: row.username,
  full_name: row.full_name,
  role: row.role,
  is_active: row.is_active,
  created_at: new Date(row.created_at).toISOString(),
  updated_at: new Date(row.updated_at).toISOString(),
});

const USER_PATH = /^\/api\/v1\/users\/([1-9][0-9]{0,9})$/;
const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path === '/ready') {
    ctx.status = 204;
    return;
  }
  const caller = tokens.get(ctx.get('authorization').slice('Bearer '.length));
  if (caller === undefined) {
    ctx.status = 401;
    return;
  }
  const [consumed] = await consume(`same-work:user:${caller.userId}`);
  if (consumed > 1_000_000) {
    ctx.status = 429;
    return;
  }
  const match = USER_PATH.exec(ctx.path);
  if (match !== null) {
    const { rows } = await pool.query<
      ViewRow & { session_id: string | null; revoked_at: Date | null }
    >({
      ...USER,
      values: [caller.sessionId, Number(match[1])],
    });
    const row = rows[0];
    if (row === undefined || row.session_id === null || row.revoked_at !== null || !row.is_active) {
      ctx.status = 401;
      return;
    }
    ctx.set('ETag', `"${row.version}"`);
    ctx.body = present(row);
    return;
  }
  if (ctx.path === '/api/v1/users') {
    const { rows } = await pool.query<
      ViewRow & {
        caller_role: string;
        caller_active: boolean;
        caller_revoked: Date | null;
        total: string;
      }
    >({
      ...FIRST_PAGE,
      values: [caller.sessionId, caller.userId, 50],
    });
    if (rows.length === 0 || rows[0]!.caller_revoked !== null || !rows[0]!.caller_active) {
      ctx.status = 401;
      return;
    }
    const total = Number(rows[0]!.total);
    ctx.body = {
      items: rows.filter((r) => r.id !== null).map(present),
      total,
      page: 1,
      page_size: 50,
      total_pages: Math.ceil(total / 50),
      total_exact: true,
    };
    return;
  }
  ctx.status = 404;
});

const server = app.listen(port, '127.0.0.1', () =>
  console.log(JSON.stringify({ event: 'started', port })),
);
const stop = () =>
  server.close(() => {
    redis.disconnect();
    void pool.end().finally(() => process.exit(0));
  });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
