import { parse, type PGlite, protocol, types } from '@electric-sql/pglite';

/** The names of the statements prepared on each PGlite instance (its one session). */
const preparedOn = new WeakMap<PGlite, Set<string>>();

/** A value as PostgreSQL's text format has it. */
const textValue = (value: unknown): string | null =>
  value === null || value === undefined
    ? null
    : typeof value === 'boolean'
      ? value
        ? 't'
        : 'f'
      : value instanceof Date
        ? value.toISOString()
        : String(value);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Runs a statement on PGlite as a named prepared statement, through the wire protocol: parsed and
 * planned once per instance, then bound and executed in one call into the WebAssembly module.
 * `PGlite.query` parses, describes and plans every time, in several calls. The caller holds the
 * connection (no transaction of another request is open) and PGlite's lock. `text` is written
 * with `$1, $2...`.
 */
export async function runPrepared<R>(
  pglite: PGlite,
  name: string,
  text: string,
  values: readonly unknown[],
  syncToFs: boolean,
): Promise<{ rows: R[]; rowCount: number }> {
  let prepared = preparedOn.get(pglite);
  if (prepared === undefined) {
    prepared = new Set();
    preparedOn.set(pglite, prepared);
  }
  const { serialize } = protocol;
  const parts = prepared.has(name) ? [] : [serialize.parse({ name, text, types: [] })];
  parts.push(
    serialize.bind({ statement: name, values: values.map(textValue) }),
    serialize.describe({ type: 'P' }),
    serialize.execute({}),
    serialize.sync(),
  );
  // Statements on the read connection change no file: nothing to sync to the file system.
  const { messages } = await pglite.execProtocol(concat(parts), {
    syncToFs,
    throwOnError: false,
  });
  if (messages.some((message) => message.name === 'parseComplete')) prepared.add(name);
  const error = messages.find((message) => message.name === 'error');
  if (error !== undefined) throw error;
  const result = parse.parseResults(messages, types.parsers)[0];
  return { rows: (result?.rows ?? []) as R[], rowCount: result?.affectedRows ?? 0 };
}
