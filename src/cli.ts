/**
 * Operator commands, run with `npm run -s cli -- <command>` (`-s` keeps npm's banner out of the
 * output) or `node dist/src/cli.js <command>`. `--help` lists them.
 *
 * Exit codes: 0 done, 1 refused (conflict, weak password, bad config), 2 wrong usage.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DomainError } from './domain/shared/errors.js';
import { CommandBus } from './application/bus.js';
import { EnsureAdminCommand } from './application/commands/ensure-admin/ensure-admin.command.js';
import { EnsureAdminHandler } from './application/commands/ensure-admin/ensure-admin.handler.js';
import { generateTokenKeyPair } from './adapters/security/paserk-keys.js';
import { buildService } from './composition-root/container.js';
import { ConfigError, loadConfig } from './config/config.js';

const USAGE = `usage: cli <command> [arguments]

commands:
  generate-key [kid]               prints a new PASETO v4 key pair as lines of an .env file
  create-admin <email> <username>  creates an admin on the configured database; the password is
                                   read from standard input, never from the arguments

options:
  -h, --help     shows this help
  -v, --version  shows the version`;

function version(): string {
  // dist/src/cli.js and src/cli.ts both sit two folders below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const usageError = (message: string): number => {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  return 2;
};

async function readPassword(): Promise<string> {
  const input = process.stdin;
  if (input.isTTY) {
    const rl = createInterface({ input, output: process.stderr, terminal: true });
    const muted = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write('Password: ');
    muted._writeToOutput = () => undefined;
    const answer = await new Promise<string>((resolve) => rl.question('', resolve));
    rl.close();
    process.stderr.write('\n');
    return answer;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function generateKey(kid: string | undefined): Promise<number> {
  const pair = await generateTokenKeyPair();
  const id =
    kid ??
    `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
  process.stdout.write(
    [
      `TOKEN_KEY_ID=${id}`,
      `TOKEN_SIGNING_KEY=${pair.secret}`,
      `# When this key is retired, keep verifying its tokens until they expire with:`,
      `# TOKEN_VERIFY_KEYS=${id}=${pair.public}`,
      '',
    ].join('\n'),
  );
  return 0;
}

async function createAdmin(email: string, username: string): Promise<number> {
  const password = await readPassword();
  const config = loadConfig();
  const service = await buildService({ ...config, log: { ...config.log, level: 'warn' } });
  try {
    const result = await service.container
      .resolve(CommandBus)
      .execute(EnsureAdminHandler, new EnsureAdminCommand(email, username, password, false));
    if (!result.created) throw new Error('the admin was not created');
    process.stdout.write(`Admin ${username} created with id ${result.id}.\n`);
    return 0;
  } finally {
    await service.close();
  }
}

const parseCommandLine = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
  });

async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(args);
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.values.version === true) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const [command, ...rest] = parsed.positionals;
  if (command === 'generate-key' && rest.length <= 1) return generateKey(rest[0]);
  if (command === 'create-admin' && rest.length === 2) return createAdmin(rest[0]!, rest[1]!);
  if (command === undefined) return usageError('No command given.');
  if (command === 'generate-key' || command === 'create-admin')
    return usageError(`Wrong arguments for ${command}.`);
  return usageError(`Unknown command: ${command}`);
}

run(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof DomainError) {
      const details = error.details?.map((d) => `\n  ${d.field}: ${d.message}`).join('') ?? '';
      process.stderr.write(`Refused: ${error.message}${details}\n`);
    } else if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`Failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exit(1);
  });
