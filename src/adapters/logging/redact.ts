import type { LogFields } from '../../application/ports/logger.js';

export const REDACTED = '[REDACTED]';

/**
 * Key names whose values are never logged, compared after lower-casing and dropping everything
 * but letters and digits: `Authorization`, `access_token`, `refresh_token`, `current_password`,
 * `new_password`, `X-Api-Key`, `Set-Cookie`, `clientSecret` ... all match.
 */
const SECRET_KEY_PARTS = [
  'password',
  'passwd',
  'token',
  'authorization',
  'secret',
  'cookie',
  'apikey',
];

const secretKeyVerdicts = new Map<string, boolean>();
const VERDICTS_KEPT = 1_000;

export function isSecretKey(key: string): boolean {
  // Log lines reuse a few dozen field names: each is judged once (a bounded memo, so that
  // arbitrary keys of logged objects cannot grow it without end).
  const known = secretKeyVerdicts.get(key);
  if (known !== undefined) return known;
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  const secret = SECRET_KEY_PARTS.some((part) => normalized.includes(part));
  if (secretKeyVerdicts.size < VERDICTS_KEPT) secretKeyVerdicts.set(key, secret);
  return secret;
}

/**
 * Secrets that turn up inside ordinary strings (a URL with `?access_token=`, an error message that
 * quotes a header): PASETO tokens, PASERK secret keys, bearer credentials, the password of a
 * connection URL and argon2 password hashes.
 */
const SECRET_IN_TEXT: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bv[1-4]\.(?:public|local)\.[A-Za-z0-9_-]{16,}(?:\.[A-Za-z0-9_-]+)?/g, REDACTED],
  [/\bk[1-4]\.(?:secret|local)(?:-[a-z]+)*(?:\.[a-z]+)?\.[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{16,}/gi, `$1 ${REDACTED}`],
  [/\b((?:access|refresh)_token=)[^&\s"']+/gi, `$1${REDACTED}`],
  [/(\/\/[^/:@\s]*:)[^@/\s]+@/g, `$1${REDACTED}@`],
  [/\$argon2(?:id|i|d)\$[^\s'",)]+/g, REDACTED],
];

/**
 * Text that none of the patterns above can match lacks all of these; most log text (paths, ids,
 * routes) is let through after this one test instead of five replacements.
 */
const MAY_HOLD_SECRET = /v[1-4]\.|k[1-4]\.|bearer|basic|_token=|@|\$argon2/i;

export function redactText(text: string): string {
  if (text.length < 16 || !MAY_HOLD_SECRET.test(text)) return text;
  let result = text;
  for (const [pattern, replacement] of SECRET_IN_TEXT)
    result = result.replace(pattern, replacement);
  return result;
}

const MAX_DEPTH = 8;

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
    if (value instanceof Error) return redactError(value, depth, seen);
    if (value instanceof Map) return redactObject(Object.fromEntries(value), depth, seen);
    if (value instanceof Set) return [...value].map((item) => redactValue(item, depth + 1, seen));
    return redactObject(value as Record<string, unknown>, depth, seen);
  } finally {
    seen.delete(value);
  }
}

function redactObject(
  value: Record<string, unknown>,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = isSecretKey(key) ? REDACTED : redactValue(item, depth + 1, seen);
  }
  return result;
}

/** Errors keep what an operator needs (name, message, stack, code, cause) and lose the rest. */
function redactError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const result: Record<string, unknown> = { name: error.name, message: redactText(error.message) };
  if (error.stack !== undefined) result['stack'] = redactText(error.stack);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') result['code'] = code;
  if (error.cause !== undefined) result['cause'] = redactValue(error.cause, depth + 1, seen);
  return result;
}

/**
 * A copy of `fields` safe to write to a log: the values of secret-looking keys, at any depth and
 * inside arrays, become "[REDACTED]"; tokens and keys inside strings are masked; errors, dates,
 * maps and sets become plain JSON; cycles and very deep nesting are cut. The input is not changed.
 */
export function redact(fields: LogFields | undefined): Record<string, unknown> {
  if (fields === undefined || fields === null) return {};
  return redactObject(fields as Record<string, unknown>, 0, new WeakSet());
}
