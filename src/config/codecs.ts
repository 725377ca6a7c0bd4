import * as t from 'io-ts';
import type { VerifyKeySetting } from './app-config.js';
import { emailProblem, passwordProblem, usernameProblem } from '../domain/user/user-rules.js';
import {
  K4_PUBLIC_PATTERN,
  K4_SECRET_PATTERN,
  KEY_ID_PATTERN,
} from '../application/ports/tokens.js';

/**
 * Codecs for single settings. A value comes either from a JSON file in `config/` (numbers,
 * booleans, arrays) or from an environment variable (always a string), so each codec accepts both
 * forms and decodes them strictly: `"3000"` is a port, `"3000 "`, `"3e3"`, `"0x10"` and `"3.5"`
 * are not. Each failure carries the sentence that follows "expected" in the error a person reads.
 */

type Parse<A> = (value: unknown) => { ok: true; value: A } | { ok: false; expected: string };

const ok = <A>(value: A) => ({ ok: true as const, value });
const no = (expected: string) => ({ ok: false as const, expected });

function codec<A>(name: string, parse: Parse<A>): t.Type<A, unknown, unknown> {
  return new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => parse(u).ok,
    (u, c) => {
      const result = parse(u);
      return result.ok ? t.success(result.value) : t.failure(u, c, result.expected);
    },
    (a) => a,
  );
}

/** Unset: absent, null or the empty string (an empty environment variable means "not set"). */
export const isUnset = (value: unknown): value is undefined | null | '' =>
  value === undefined || value === null || value === '';

/** Null when unset, otherwise decoded by `inner`. */
export function nullable<A>(
  inner: t.Type<A, unknown, unknown>,
): t.Type<A | null, unknown, unknown> {
  return new t.Type<A | null, unknown, unknown>(
    `${inner.name} | null`,
    (u): u is A | null => u === null || inner.is(u),
    (u, c) => (isUnset(u) ? t.success(null) : inner.validate(u, c)),
    (a) => a,
  );
}

const CANONICAL_INTEGER = /^(0|[1-9][0-9]*)$/;

/** A whole number in [min, max], as a JSON number or a string of decimal digits without leading zeros. */
export function integer(min: number, max: number): t.Type<number, unknown, unknown> {
  const expected = `an integer from ${min} to ${max}`;
  return codec(`Integer[${min},${max}]`, (u) => {
    let n: number;
    if (typeof u === 'number') n = u;
    else if (typeof u === 'string' && CANONICAL_INTEGER.test(u)) n = Number(u);
    else return no(expected);
    return Number.isSafeInteger(n) && n >= min && n <= max ? ok(n) : no(expected);
  });
}

/** `true`/`false`, as JSON booleans or exactly the strings "true" and "false". */
export const boolean = codec<boolean>('Boolean', (u) => {
  if (u === true || u === 'true') return ok(true);
  if (u === false || u === 'false') return ok(false);
  return no('true or false');
});

export function oneOf<const L extends readonly string[]>(
  values: L,
): t.Type<L[number], unknown, unknown> {
  return codec(values.join(' | '), (u) =>
    typeof u === 'string' && values.includes(u)
      ? ok(u as L[number])
      : no(`one of ${values.join(', ')}`),
  );
}

/** A string with something other than white space in it. */
export const text = codec<string>('Text', (u) =>
  typeof u === 'string' && u.trim() !== '' ? ok(u) : no('a non-empty string'),
);

/** A URL whose scheme is one of `protocols` (given with their colon: `postgres:`) and that names a host. */
export function url(protocols: readonly string[]): t.Type<string, unknown, unknown> {
  const expected = `a ${protocols.map((p) => `${p}//`).join(' or ')} URL`;
  return codec(`Url(${protocols.join(',')})`, (u) => {
    if (typeof u !== 'string') return no(expected);
    try {
      const parsed = new URL(u);
      return protocols.includes(parsed.protocol) && parsed.hostname !== '' ? ok(u) : no(expected);
    } catch {
      return no(expected);
    }
  });
}

/** A list given as a JSON array of strings or as one string of comma-separated items. */
function items(u: unknown): string[] | null {
  if (typeof u === 'string')
    return u
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (Array.isArray(u) && u.every((s) => typeof s === 'string'))
    return u.map((s: string) => s.trim());
  return null;
}

/** Browser origins (`https://app.example.com`, `http://localhost:5173`) or the single entry `*`. */
export const origins = codec<readonly string[]>('Origins', (u) => {
  const expected = 'origins such as https://app.example.com separated by commas, or *';
  const list = items(u);
  if (list === null) return no(expected);
  if (list.includes('*')) return list.length === 1 ? ok(['*']) : no(`${expected} (* stands alone)`);
  for (const entry of list) {
    let origin: string | null = null;
    try {
      const parsed = new URL(entry);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') origin = parsed.origin;
    } catch {
      // not a URL
    }
    if (origin !== entry)
      return no(`${expected} ("${entry}" is not an origin: scheme://host[:port] without a path)`);
  }
  return ok([...new Set(list)]);
});

/**
 * Verification keys of retired signing keys: `kid=k4.public...` pairs separated by commas, or in a
 * JSON file an array of `{"kid": ..., "public": ...}`. Key ids are unique.
 */
export const verifyKeys = codec<readonly VerifyKeySetting[]>('VerifyKeys', (u) => {
  const expected = 'kid=k4.public... pairs separated by commas';
  let pairs: Array<{ kid: unknown; public: unknown }>;
  if (typeof u === 'string') {
    const list = items(u) ?? [];
    pairs = [];
    for (const [index, entry] of list.entries()) {
      const at = entry.indexOf('=');
      if (at <= 0) return no(`${expected} (entry ${index + 1} has no "kid=")`);
      pairs.push({ kid: entry.slice(0, at).trim(), public: entry.slice(at + 1).trim() });
    }
  } else if (Array.isArray(u) && u.every((e) => typeof e === 'object' && e !== null)) {
    pairs = u as Array<{ kid: unknown; public: unknown }>;
  } else {
    return no(expected);
  }
  const seen = new Set<string>();
  const result: VerifyKeySetting[] = [];
  for (const [index, pair] of pairs.entries()) {
    if (typeof pair.kid !== 'string' || !KEY_ID_PATTERN.test(pair.kid)) {
      return no(
        `${expected} (the key id of entry ${index + 1} is not 1 to 64 of A-Z a-z 0-9 . _ : -)`,
      );
    }
    if (typeof pair.public !== 'string' || !K4_PUBLIC_PATTERN.test(pair.public)) {
      return no(`${expected} (the key of "${pair.kid}" is not a PASERK k4.public key)`);
    }
    if (seen.has(pair.kid)) return no(`${expected} (key id "${pair.kid}" appears twice)`);
    seen.add(pair.kid);
    result.push({ kid: pair.kid, public: pair.public });
  }
  return ok(result);
});

export const keyId = codec<string>('KeyId', (u) =>
  typeof u === 'string' && KEY_ID_PATTERN.test(u)
    ? ok(u)
    : no('1 to 64 of the characters A-Z a-z 0-9 . _ : -'),
);

export const secretKey = codec<string>('K4Secret', (u) =>
  typeof u === 'string' && K4_SECRET_PATTERN.test(u) ? ok(u) : no('a PASERK k4.secret key'),
);

/** Wraps one of the domain's field rules, so a bad admin account stops the start, not the first sign-in. */
function rule(
  name: string,
  problem: (value: string) => string | null,
): t.Type<string, unknown, unknown> {
  return codec(name, (u) => {
    if (typeof u !== 'string') return no('a string');
    const found = problem(u);
    return found === null ? ok(u) : no(`a valid ${name.toLowerCase()} (${found})`);
  });
}

export const email = rule('Email', emailProblem);
export const username = rule('Username', usernameProblem);
export const password = rule('Password', passwordProblem);
