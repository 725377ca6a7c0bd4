/**
 * Throwaway PostgreSQL databases for tests, on the server named by TEST_DATABASE_URL (by default
 * the local one, user postgres).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const testServerUrl = (): string =>
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL without its password, fit for a message. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

let availability: Promise<boolean> | undefined;

/** Whether the test server answers; asked once per process. */
export function postgresAvailable(): Promise<boolean> {
  availability ??= withClient(testServerUrl(), (client) => client.query('select 1')).then(
    () => true,
    () => false,
  );
  return availability;
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops the database, closing whatever connections are left (idempotent). */
  drop(): Promise<void>;
}

/** Creates an empty database with a unique name (`um_test_...`) on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = testServerUrl();
  const name = `um_test_${randomBytes(6).toString('hex')}`;
  await withClient(server, (client) => client.query(`create database "${name}"`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  let dropping: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    drop() {
      dropping ??= withClient(server, async (client) => {
        await client.query(`drop database if exists "${name}" with (force)`);
      });
      return dropping;
    },
  };
}
