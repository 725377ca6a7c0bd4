/**
 * The ceiling of the benchmark: a bare Koa app, no middleware, no router, no database, that
 * answers `GET /api/v1/users/{id}` with the same JSON the service returns for a user. Whatever
 * the service adds to a request (security headers, logging, metrics, the rate limit, the token,
 * the database) shows as the distance to this figure, measured in the same run on the same machine.
 *
 * Run as its own process: `node dist/bench/ceiling.js <port>`.
 */
import Koa from 'koa';

const USER_PATH = /^\/api\/v1\/users\/([1-9][0-9]{0,9})$/;

const port = Number(process.argv[2] ?? '3100');
const app = new Koa();
app.use((ctx) => {
  const match = USER_PATH.exec(ctx.path);
  if (ctx.method !== 'GET' || match === null) {
    ctx.status = 404;
    return;
  }
  const id = Number(match[1]);
  ctx.set('ETag', '"1"');
  ctx.body = {
    id,
    email: `user${id}@bench.example`,
    username: `user${id}`,
    full_name: `Bench User ${id}`,
    role: 'user',
    is_active: true,
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:00.000Z',
  };
});
const server = app.listen(port, '127.0.0.1', () =>
  console.log(JSON.stringify({ event: 'started', port })),
);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
