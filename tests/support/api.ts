/**
 * Starts the whole service in-process on a given store and offers the few steps every HTTP test
 * needs: sign in, create a user, make a token for someone.
 */
import 'reflect-metadata';
import supertest from 'supertest';
import type { Persistence } from '../../src/adapters/persistence/persistence.js';
import { buildApp } from '../../src/adapters/http/app.js';
import { FixedClock } from '../../src/adapters/clock/fixed-clock.js';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.js';
import { MemoryMailer } from '../../src/adapters/mail/memory-mailer.js';
import type { MailMessage } from '../../src/application/ports/mailer.js';
import { ensureConfiguredAdmin } from '../../src/composition-root/bootstrap.js';
import {
  buildService,
  type ContainerOverrides,
  type Service,
} from '../../src/composition-root/container.js';
import { testConfig, type AppConfig } from '../../src/config/config.js';

export const ADMIN = {
  email: 'root@example.com',
  username: 'root',
  password: 'RootPassw0rd',
} as const;
export const PASSWORD = 'Passw0rdOk';

export interface TestApi {
  readonly http: supertest.Agent;
  readonly service: Service;
  readonly logger: MemoryLogger;
  readonly clock: FixedClock;
  readonly config: AppConfig;
  /** Every mail the dispatcher handed over. */
  readonly mailer: MemoryMailer;
  /** Sends what the outbox holds now, then returns the mails sent so far to `to` (all of them without it). */
  mails(to?: string): Promise<MailMessage[]>;
  /** An access token for these credentials (fails the test when sign-in fails). */
  token(username: string, password?: string): Promise<string>;
  adminToken(): Promise<string>;
  /** Signs up a user (as an admin when `role` is given) and returns its id, body and a token. */
  createUser(fields?: {
    username?: string;
    email?: string;
    full_name?: string | null;
    role?: 'user' | 'moderator' | 'admin';
    password?: string;
  }): Promise<{ id: number; token: string; body: Record<string, unknown>; username: string }>;
  close(): Promise<void>;
}

export type ConfigOverrides = Parameters<typeof testConfig>[0];

let counter = 0;

export async function startApi(
  persistence: Persistence,
  overrides: ConfigOverrides = {},
  /** Wiring beyond the config (the key prefix in Redis, the audit log, a logger shared with the store, or the mail's shortcuts, say). */
  wiring: Pick<
    ContainerOverrides,
    'redisKeyPrefix' | 'auditLog' | 'resetRequestFloorMs' | 'mailer'
  > & { readonly logger?: MemoryLogger } = {},
): Promise<TestApi> {
  // Suites make hundreds of requests from one address: the rate limit is out of their way
  // unless they set one (the rate-limit suites do, with small numbers).
  const config = testConfig({
    ...overrides,
    rateLimit: { max: 1_000_000, ...(overrides?.rateLimit ?? {}) },
    admin: { ...ADMIN, ...(overrides?.admin ?? {}) },
  } as ConfigOverrides);
  const clock = new FixedClock(new Date());
  const logger = wiring.logger ?? new MemoryLogger('debug');
  const mailer = new MemoryMailer();
  // Suites ask for many resets: the floor that evens out their times is measured by a test of its own.
  const service = await buildService(config, {
    persistence,
    clock,
    mailer,
    resetRequestFloorMs: 0,
    ...wiring,
    logger,
  });
  await ensureConfiguredAdmin(service.container, config);
  const app = buildApp(service.container);
  const http = supertest.agent(app.callback());

  const token = async (username: string, password: string = PASSWORD) => {
    const res = await http.post('/api/v1/auth/token').send({ username, password });
    if (res.status !== 200)
      throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.access_token as string;
  };
  let admin: string | undefined;
  const adminToken = async () => (admin ??= await token(ADMIN.username, ADMIN.password));

  return {
    http,
    service,
    logger,
    clock,
    config,
    mailer,
    async mails(to?: string) {
      await service.dispatcher.drain();
      return to === undefined ? [...mailer.sent] : mailer.to(to);
    },
    token,
    adminToken,
    async createUser(fields = {}) {
      counter += 1;
      const username = fields.username ?? `user_${process.pid}_${counter}`;
      const body: Record<string, unknown> = {
        email: fields.email ?? `${username}@example.com`,
        username,
        password: fields.password ?? PASSWORD,
      };
      if (fields.full_name !== undefined) body['full_name'] = fields.full_name;
      const request = http
        .post('/api/v1/users')
        .send(fields.role === undefined ? body : { ...body, role: fields.role });
      if (fields.role !== undefined) request.set('Authorization', `Bearer ${await adminToken()}`);
      const res = await request;
      if (res.status !== 201)
        throw new Error(`sign-up of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      clock.advance(1000);
      return {
        id: res.body.id as number,
        body: res.body,
        username,
        token: await token(username, fields.password ?? PASSWORD),
      };
    },
    close: () => service.close(),
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
