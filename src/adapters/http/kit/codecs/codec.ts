/**
 * The small set of io-ts combinators every request codec is built from. Each codec carries the
 * JSON Schema of what it accepts (`schema`), so the OpenAPI document is generated from the very
 * codecs that validate requests; each failure carries the message a caller sees.
 */
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { DomainError, FieldIssue } from '../../../../domain/shared/errors.js';

export type JsonSchema = { readonly [key: string]: unknown };

export interface Codec<A> extends t.Type<A, unknown, unknown> {
  readonly schema: JsonSchema;
}

function codec<A>(
  name: string,
  schema: JsonSchema,
  is: (u: unknown) => u is A,
  validate: (u: unknown, c: t.Context) => t.Validation<A>,
): Codec<A> {
  return Object.assign(new t.Type<A, unknown, unknown>(name, is, validate, t.identity), { schema });
}

/** C0 controls, DEL and lone surrogates: what no field or parameter of the API holds. */
const NOT_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's job
  /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const NOT_TEXT_MESSAGE = 'Must not contain control characters or lone surrogates';

/**
 * Text as it enters the service: refused when it holds a control character or a lone surrogate,
 * otherwise normalised to NFC, so that validation, comparison, hashing and storage all see one form.
 */
export function enteredText(raw: string): { value: string } | { error: string } {
  return NOT_TEXT.test(raw) ? { error: NOT_TEXT_MESSAGE } : { value: raw.normalize('NFC') };
}

/**
 * A string checked by `problem`, which returns the caller's message or null. `refuse`, for a
 * credential (a login, a token), is the error that text which is not text answers instead of a
 * 422 naming the field: the contract answers those with 401.
 */
export function text(
  name: string,
  schema: JsonSchema,
  problem: (value: string) => string | null = () => null,
  refuse?: () => DomainError,
): Codec<string> {
  return codec(
    name,
    { type: 'string', ...schema },
    (u): u is string =>
      typeof u === 'string' && !NOT_TEXT.test(u) && u === u.normalize('NFC') && problem(u) === null,
    (u, c) => {
      if (typeof u !== 'string') return t.failure(u, c, 'Must be a string');
      const entered = enteredText(u);
      if ('error' in entered) {
        if (refuse !== undefined) throw refuse();
        return t.failure(u, c, entered.error);
      }
      const message = problem(entered.value);
      return message === null ? t.success(entered.value) : t.failure(u, c, message);
    },
  );
}

export function oneOf<const V extends string>(
  name: string,
  values: readonly V[],
  message?: string,
): Codec<V> {
  const ok = (u: unknown): u is V =>
    typeof u === 'string' && (values as readonly string[]).includes(u);
  return codec(name, { type: 'string', enum: values }, ok, (u, c) =>
    ok(u) ? t.success(u) : t.failure(u, c, message ?? `Must be one of: ${values.join(', ')}`),
  );
}

export const boolean: Codec<boolean> = codec(
  'boolean',
  { type: 'boolean' },
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => (typeof u === 'boolean' ? t.success(u) : t.failure(u, c, 'Must be true or false')),
);

export function integer(
  name: string,
  min: number,
  max: number,
  schema: JsonSchema = {},
): Codec<number> {
  const ok = (u: unknown): u is number =>
    typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max;
  return codec(name, { type: 'integer', minimum: min, maximum: max, ...schema }, ok, (u, c) =>
    ok(u) ? t.success(u) : t.failure(u, c, `Must be an integer from ${min} to ${max}`),
  );
}

export function nullable<A>(inner: Codec<A>): Codec<A | null> {
  return codec(
    `${inner.name} | null`,
    { ...inner.schema, type: [inner.schema['type'], 'null'] },
    (u): u is A | null => u === null || inner.is(u),
    (u, c) => (u === null ? t.success(null) : inner.validate(u, c)),
  );
}

export function array<A>(
  name: string,
  item: Codec<A>,
  bounds: { min: number; max: number; message: string },
): Codec<A[]> {
  return codec(
    name,
    { type: 'array', items: item.schema, minItems: bounds.min, maxItems: bounds.max },
    (u): u is A[] =>
      Array.isArray(u) && u.length >= bounds.min && u.length <= bounds.max && u.every(item.is),
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, 'Must be an array');
      if (u.length < bounds.min || u.length > bounds.max) return t.failure(u, c, bounds.message);
      const errors: t.Errors = [];
      const out: A[] = [];
      u.forEach((element, i) => {
        const result = item.validate(element, t.appendContext(c, String(i), item, element));
        if (isLeft(result)) errors.push(...result.left);
        else out.push(result.right);
      });
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
  );
}

// biome-ignore lint/suspicious/noExplicitAny: io-ts types are invariant
type Props = Record<string, Codec<any>>;
type Decoded<R extends Props, O extends Props> = { [K in keyof R]: t.TypeOf<R[K]> } & {
  [K in keyof O]?: t.TypeOf<O[K]>;
};

export interface ObjectCodec<A> extends Codec<A> {
  readonly required: Props;
  readonly optional: Props;
}

/**
 * A JSON object with exactly these fields: a missing required field, a bad value and a field the
 * schema does not name are each reported, all at once.
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` is the empty set of optional fields, which intersects away
export function object<R extends Props, O extends Props = {}>(
  name: string,
  required: R,
  optional: O = {} as O,
  description?: string,
): ObjectCodec<Decoded<R, O>> {
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  const properties: Record<string, JsonSchema> = {};
  for (const [key, value] of Object.entries({ ...required, ...optional }))
    properties[key] = value.schema;
  const schema: JsonSchema = {
    type: 'object',
    properties,
    required: Object.keys(required),
    additionalProperties: false,
    ...(description === undefined ? {} : { description }),
  };
  const validate = (u: unknown, c: t.Context): t.Validation<Decoded<R, O>> => {
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return t.failure(u, c, 'Must be a JSON object');
    const input = u as Record<string, unknown>;
    const errors: t.Errors = [];
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(input)) {
      if (!known.has(key))
        errors.push({
          value: input[key],
          context: t.appendContext(c, key, t.unknown, input[key]),
          message: 'Unknown field',
        });
    }
    for (const [key, field] of Object.entries(required)) {
      if (!(key in input) || input[key] === undefined) {
        errors.push({
          value: undefined,
          context: t.appendContext(c, key, field, undefined),
          message: 'Field required',
        });
        continue;
      }
      const result = field.validate(input[key], t.appendContext(c, key, field, input[key]));
      if (isLeft(result)) errors.push(...result.left);
      else out[key] = result.right;
    }
    for (const [key, field] of Object.entries(optional)) {
      if (!(key in input) || input[key] === undefined) continue;
      const result = field.validate(input[key], t.appendContext(c, key, field, input[key]));
      if (isLeft(result)) errors.push(...result.left);
      else out[key] = result.right;
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out as Decoded<R, O>);
  };
  const base = codec(name, schema, (u): u is Decoded<R, O> => !isLeft(validate(u, [])), validate);
  return Object.assign(base, { required, optional });
}

/** Turns io-ts errors into the contract's `{field, message}` list (`items.0.sku` style paths). */
export function issuesOf(errors: t.Errors): FieldIssue[] {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const error of errors) {
    const field = error.context
      .slice(1)
      .map((entry) => entry.key)
      .filter((key) => key !== '')
      .join('.');
    const message = error.message ?? 'Invalid value';
    const id = `${field}\u0000${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push({ field: field === '' ? 'body' : field, message });
  }
  return issues;
}

/** Decodes or returns the issues. */
export function decode<A>(
  c: t.Type<A, unknown, unknown>,
  value: unknown,
): { ok: true; value: A } | { ok: false; issues: FieldIssue[] } {
  const result = c.decode(value);
  return isLeft(result)
    ? { ok: false, issues: issuesOf(result.left) }
    : { ok: true, value: result.right };
}
