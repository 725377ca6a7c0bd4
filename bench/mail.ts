/**
 * The mail part of the benchmark, in this process on a PostgreSQL database:
 *
 * - What the outbox costs a sign-up: sign-ups through the command bus (argon2id and all, twice as
 *   many at once as the machine has cores) with the verification token and the outbox row written
 *   in the sign-up's transaction, against the same transaction with both writes replaced by
 *   no-ops (the user and its audit event only), in pairs of rounds in ABBA order so that a
 *   machine that gets busier slows both alike; each pair's ratio shows the noise.
 * - The dispatcher's mails per second: a backlog in the outbox, sent by one dispatcher through
 *   nodemailer's pool to an SMTP server in this process that accepts everything.
 *
 * `npm run bench` runs it (scenario `mail`) on its own database; `node dist/bench/mail.js` runs it
 * alone on a database it creates and drops.
 */
import 'reflect-metadata';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { RegisterUserCommand } from '../src/application/commands/register-user/register-user.command.js';
import { RegisterUserHandler } from '../src/application/commands/register-user/register-user.handler.js';
import { CommandBus } from '../src/application/bus.js';
import {
  EMAIL_TOKEN_REPOSITORY,
  type EmailTokenRepository,
} from '../src/application/ports/email-tokens.js';
import { OUTBOX, type Outbox } from '../src/application/ports/outbox.js';
import { LOGGER } from '../src/application/ports/logger.js';
import { UNIT_OF_WORK } from '../src/application/ports/unit-of-work.js';
import type { DependencyContainer } from 'tsyringe';
import { MemoryLogger } from '../src/adapters/logging/memory-logger.js';
import { SmtpMailer } from '../src/adapters/mail/smtp-mailer.js';
import { generateTokenKeyPair } from '../src/adapters/security/paserk-keys.js';
import { buildService } from '../src/composition-root/container.js';
import { testConfig } from '../src/config/config.js';
import { createBenchDatabase, migrate, SEED_PASSWORD, withClient } from './database.js';
import { cpuSeconds, pidsMatching } from './processes.js';

export interface MailBenchFigures {
  readonly signUp: {
    readonly concurrency: number;
    readonly roundS: number;
    /** Sign-ups per second in each round, in the order run. */
    readonly withOutbox: number[];
    readonly withoutOutbox: number[];
    /** CPU ms per sign-up, the rounds' mean: this process and PostgreSQL's backends. */
    readonly cpuMs: {
      readonly with: { readonly service: number; readonly database: number };
      readonly without: { readonly service: number; readonly database: number };
    };
    /** Mean with / mean without. */
    readonly ratio: number;
    /** Each pair's with / without, lowest first: the spread of the machine's noise. */
    readonly pairRatios: number[];
  };
  readonly dispatcher: {
    readonly mails: number;
    readonly batchSize: number;
    readonly smtpConnections: number;
    readonly seconds: number;
    readonly mailsPerS: number;
  };
}

const NO_OUTBOX: Outbox = { enqueue: async () => undefined, pendingOf: async () => [] };
const NO_TOKENS: EmailTokenRepository = {
  issue: async () => undefined,
  find: async () => null,
  spend: async () => false,
  liveOf: async () => [],
};

interface Round {
  readonly perS: number;
  /** CPU per sign-up, in ms: this process (argon2 threads included) and the database's backends. */
  readonly serviceCpuMs: number;
  readonly databaseCpuMs: number;
  /** Of the service's, its main thread's (argon2 runs on the thread pool). */
  readonly mainThreadCpuMs: number;
}

async function signUpsPerSecond(
  bus: CommandBus,
  tag: string,
  concurrency: number,
  seconds: number,
  database: string,
): Promise<Round> {
  const backends = () => pidsMatching(new RegExp(`^postgres: .* ${database} `));
  const dbCpu = () => [...cpuSeconds(backends()).values()].reduce((a, b) => a + b, 0);
  const cpu0 = process.cpuUsage();
  const mainCpu = () =>
    cpuSeconds([process.pid], `/proc/${process.pid}/task`).get(process.pid) ?? 0;
  const main0 = mainCpu();
  const db0 = dbCpu();
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let n = 0;
  const loop = async () => {
    while (performance.now() < until) {
      const i = n++;
      await bus.execute(
        RegisterUserHandler,
        new RegisterUserCommand(
          {
            email: `${tag}-${i}@bench.example`,
            username: `${tag}_${i}`,
            password: SEED_PASSWORD,
            fullName: null,
          },
          null,
        ),
      );
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const perS = Math.round((done / ((performance.now() - started) / 1000)) * 10) / 10;
  const cpu = process.cpuUsage(cpu0);
  const round2 = (ms: number) => Math.round(ms * 100) / 100;
  return {
    perS,
    serviceCpuMs: round2((cpu.user + cpu.system) / 1000 / done),
    mainThreadCpuMs: round2(((mainCpu() - main0) * 1000) / done),
    databaseCpuMs: round2(((dbCpu() - db0) * 1000) / done),
  };
}

/** An SMTP server that takes every mail and throws it away. */
async function sink(): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    disabledCommands: ['AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => received,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export async function runMailBench(options: {
  readonly databaseUrl: string;
  readonly log: (message: string) => void;
  readonly roundS?: number;
  readonly mails?: number;
}): Promise<MailBenchFigures> {
  const { databaseUrl, log } = options;
  const roundS = options.roundS ?? 10;
  const mails = options.mails ?? 2000;
  const concurrency = Number(process.env.BENCH_MAIL_CONCURRENCY ?? availableParallelism() * 2);
  const smtp = await sink();
  const key = await generateTokenKeyPair();
  const config = testConfig({
    env: 'production',
    tokens: { signingKey: key.secret, keyId: 'bench-mail' },
    database: { url: databaseUrl },
    mail: { smtpUrl: smtp.url, from: 'bench@bench.example' },
    log: { level: 'warn' },
  });
  const service = await buildService(config, {
    logger: new MemoryLogger('warn'),
    mailer: new SmtpMailer({ url: smtp.url, from: 'bench@bench.example' }),
  });
  try {
    // The same service, once with the mail writes and once with no-ops in their place.
    const without = service.container.createChildContainer();
    without.register(OUTBOX, { useValue: NO_OUTBOX });
    without.register(EMAIL_TOKEN_REPOSITORY, { useValue: NO_TOKENS });
    const bus = (container: DependencyContainer) =>
      new CommandBus(
        { resolve: (type) => container.resolve(type) },
        container.resolve(UNIT_OF_WORK),
        container.resolve(LOGGER),
      );
    const [withBus, withoutBus] = [bus(service.container), bus(without)];
    const run = `m${Date.now().toString(36)}`;
    const dbName = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
    await signUpsPerSecond(withBus, `${run}w`, concurrency, 2, dbName);
    await signUpsPerSecond(withoutBus, `${run}v`, concurrency, 2, dbName);
    // Statistics for the tables the warm-up filled, as autovacuum would take them (a server may
    // run without it, as CI's does): plans made while they were nearly empty, the foreign keys'
    // checks among them, would otherwise scan them whole for the rest of the run.
    await withClient(databaseUrl, (client) => client.query('analyze'));
    const rounds: { with: Round[]; without: Round[] } = { with: [], without: [] };
    // Pairs in ABBA order (with, without, without, with, ...): a drift in the machine or the
    // tables weighs on both sides alike. BENCH_MAIL_PAIRS sets how many (4).
    const pairs = Number(process.env.BENCH_MAIL_PAIRS ?? 4);
    for (let pair = 0; pair < pairs; pair += 1) {
      for (const side of pair % 2 === 0
        ? (['with', 'without'] as const)
        : (['without', 'with'] as const)) {
        rounds[side].push(
          await signUpsPerSecond(
            side === 'with' ? withBus : withoutBus,
            `${run}${side === 'with' ? 'a' : 'b'}${pair}`,
            concurrency,
            roundS,
            dbName,
          ),
        );
      }
      const [w, wo] = [rounds.with.at(-1)!, rounds.without.at(-1)!];
      log(
        `mail: sign-ups/s with the outbox ${w.perS} (CPU ms ${w.serviceCpuMs}, main thread ${w.mainThreadCpuMs}, database ${w.databaseCpuMs}), ` +
          `without ${wo.perS} (${wo.serviceCpuMs}, ${wo.mainThreadCpuMs}, ${wo.databaseCpuMs})`,
      );
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const withOutbox = rounds.with.map((r) => r.perS);
    const withoutOutbox = rounds.without.map((r) => r.perS);
    const ratio = Math.round((mean(withOutbox) / mean(withoutOutbox)) * 1000) / 1000;
    const pairRatios = withOutbox
      .map((w, i) => Math.round((w / withoutOutbox[i]!) * 1000) / 1000)
      .sort((a, b) => a - b);
    log(`mail: with / without ${ratio} (pairs from ${pairRatios[0]} to ${pairRatios.at(-1)})`);
    const cpuOf = (side: Round[]) => ({
      service: Math.round(mean(side.map((r) => r.serviceCpuMs)) * 100) / 100,
      database: Math.round(mean(side.map((r) => r.databaseCpuMs)) * 100) / 100,
    });
    const cpuMs = { with: cpuOf(rounds.with), without: cpuOf(rounds.without) };

    // Whatever the sign-ups queued goes first, unmeasured; then a backlog of its own.
    await service.dispatcher.drain();
    const before = smtp.received();
    const now = new Date();
    for (let i = 0; i < mails; i += 1) {
      await service.persistence.outbox.enqueue(
        {
          kind: 'password_reset',
          to: `r${i % 500}@bench.example`,
          userId: null,
          data: { username: `r${i}`, token: `t${i}` },
        },
        now,
      );
    }
    const started = performance.now();
    await service.dispatcher.drain();
    const seconds = (performance.now() - started) / 1000;
    if (smtp.received() - before !== mails)
      throw new Error(`the sink received ${smtp.received() - before} of ${mails} mails`);
    const mailsPerS = Math.round(mails / seconds);
    log(`mail: the dispatcher sent ${mails} mails in ${seconds.toFixed(2)} s: ${mailsPerS}/s`);
    return {
      signUp: { concurrency, roundS, withOutbox, withoutOutbox, ratio, pairRatios, cpuMs },
      dispatcher: {
        mails,
        batchSize: 10,
        smtpConnections: 5,
        seconds: Math.round(seconds * 100) / 100,
        mailsPerS,
      },
    };
  } finally {
    await service.close();
    await smtp.close();
  }
}

// Run alone: `node dist/bench/mail.js` on a database of its own.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server =
    process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = await createBenchDatabase(server);
  try {
    await migrate(database.url);
    const figures = await runMailBench({
      databaseUrl: database.url,
      log: (m) => console.log(`[bench] ${m}`),
    });
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    await database.drop();
  }
}
