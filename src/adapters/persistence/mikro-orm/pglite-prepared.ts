import { type messages, parse, type PGlite, protocol, types } from '@electric-sql/pglite';

type BackendMessage = messages.BackendMessage;

/**
 * The statements prepared on each PGlite instance (its one session), by name, with the row
 * description of their results once a run has described them (null when they return no rows):
 * it is the same at each run, so it is asked for once.
 */
const preparedOn = new WeakMap<PGlite, Map<string, BackendMessage | null | 'undescribed'>>();

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
 * planned and described once per instance, then bound and executed in one call into the
 * WebAssembly module. `PGlite.query` parses, describes and plans every time, in several calls. The
 * caller runs nothing else meanwhile and no transaction is open in the session (the worker sees
 * to both). `text` is written with `$1, $2...`.
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
    prepared = new Map();
    preparedOn.set(pglite, prepared);
  }
  const { serialize } = protocol;
  const known = prepared.get(name);
  const described = known === undefined || known === 'undescribed' ? undefined : known;
  const parts = [
    ...(known === undefined ? [serialize.parse({ name, text, types: [] })] : []),
    serialize.bind({ statement: name, values: values.map(textValue) }),
    ...(described === undefined ? [serialize.describe({ type: 'P' })] : []),
    serialize.execute({}),
    serialize.sync(),
  ];
  // Statements on the read connection change no file: nothing to sync to the file system.
  const { messages } = await pglite.execProtocol(concat(parts), {
    syncToFs,
    throwOnError: false,
  });
  const error = messages.find((message) => message.name === 'error');
  if (known === undefined && messages.some((message) => message.name === 'parseComplete'))
    prepared.set(name, 'undescribed');
  if (error !== undefined) throw error;
  if (described === undefined)
    prepared.set(name, messages.find((message) => message.name === 'rowDescription') ?? null);
  const result = parse.parseResults(
    described === undefined || described === null ? messages : [described, ...messages],
    types.parsers,
  )[0];
  return { rows: (result?.rows ?? []) as R[], rowCount: result?.affectedRows ?? 0 };
}
