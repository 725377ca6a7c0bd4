/**
 * Path and query parameters arrive as strings; a bad one is 400 (not 422), with a message naming
 * it. Unknown query parameters are ignored, as caches and proxies add their own.
 */
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { MAX_ID } from '../../../../domain/shared/ids.js';
import { enteredText, type Codec, type JsonSchema } from './codec.js';

export { MAX_ID };

export interface ParamCodec<A> extends Codec<A> {
  /** Where the parameter lives, for the OpenAPI document. */
  readonly parameters: Record<
    string,
    { schema: JsonSchema; required: boolean; description?: string }
  >;
}

export interface ParamSpec<A> {
  readonly schema: JsonSchema;
  readonly description?: string;
  /** Returns the value, or a message naming the problem. */
  parse(raw: string): { value: A } | { error: string };
}

// biome-ignore lint/suspicious/noExplicitAny: parse results vary per key
type Specs = Record<string, ParamSpec<any>>;
type Parsed<S extends Specs, D extends Partial<Record<keyof S, unknown>>, R extends keyof S> = {
  [K in keyof S]: S[K] extends ParamSpec<infer A>
    ? K extends keyof D | R
      ? A
      : A | undefined
    : never;
};

/** Decodes a record of string parameters; `defaults` fills in absent ones. */
export function params<
  S extends Specs,
  // biome-ignore lint/complexity/noBannedTypes: `{}` means no defaults, which intersects away
  D extends Partial<{ [K in keyof S]: S[K] extends ParamSpec<infer A> ? A : never }> = {},
  R extends keyof S = never,
>(
  name: string,
  specs: S,
  defaults: D = {} as D,
  required: readonly R[] = [],
): ParamCodec<Parsed<S, D, R>> {
  const validate = (u: unknown, c: t.Context): t.Validation<Parsed<S, D, R>> => {
    const input = (typeof u === 'object' && u !== null ? u : {}) as Record<string, unknown>;
    const errors: t.Errors = [];
    const out: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(specs)) {
      const raw = input[key];
      const context = t.appendContext(c, key, t.unknown, raw);
      if (raw === undefined || raw === '') {
        if (key in defaults) out[key] = (defaults as Record<string, unknown>)[key];
        else if ((required as readonly string[]).includes(key))
          errors.push({ value: raw, context, message: `${key} is required` });
        continue;
      }
      if (typeof raw !== 'string') {
        errors.push({ value: raw, context, message: `Query parameter ${key} must be given once` });
        continue;
      }
      const entered = enteredText(raw);
      if ('error' in entered) {
        errors.push({ value: raw, context, message: `${key}: ${entered.error.toLowerCase()}` });
        continue;
      }
      const parsed = spec.parse(entered.value);
      if ('error' in parsed) errors.push({ value: raw, context, message: parsed.error });
      else out[key] = parsed.value;
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out as Parsed<S, D, R>);
  };
  const parameters: ParamCodec<unknown>['parameters'] = {};
  for (const [key, spec] of Object.entries(specs)) {
    const def = (defaults as Record<string, unknown>)[key];
    parameters[key] = {
      schema: def === undefined ? spec.schema : { ...spec.schema, default: def },
      required: (required as readonly string[]).includes(key),
      ...(spec.description === undefined ? {} : { description: spec.description }),
    };
  }
  const schema: JsonSchema = { type: 'object' };
  const base = new t.Type<Parsed<S, D, R>, unknown, unknown>(
    name,
    (u): u is Parsed<S, D, R> => !isLeft(validate(u, [])),
    validate,
    t.identity,
  );
  return Object.assign(base, { schema, parameters });
}

export function intParam(
  min: number,
  max: number,
  message: (raw: string) => string,
  description?: string,
): ParamSpec<number> {
  return {
    schema: { type: 'integer', minimum: min, maximum: max },
    ...(description === undefined ? {} : { description }),
    parse(raw) {
      if (!/^-?\d{1,16}$/.test(raw)) return { error: message(raw) };
      const value = Number(raw);
      return value >= min && value <= max ? { value } : { error: message(raw) };
    },
  };
}

export function enumParam<const V extends string>(
  name: string,
  values: readonly V[],
  description?: string,
): ParamSpec<V> {
  return {
    schema: { type: 'string', enum: values },
    ...(description === undefined ? {} : { description }),
    parse: (raw) =>
      (values as readonly string[]).includes(raw)
        ? { value: raw as V }
        : { error: `Invalid ${name}: ${raw}. Expected one of: ${values.join(', ')}` },
  };
}

export function boolParam(name: string, description?: string): ParamSpec<boolean> {
  return {
    schema: { type: 'boolean' },
    ...(description === undefined ? {} : { description }),
    parse: (raw) =>
      raw === 'true'
        ? { value: true }
        : raw === 'false'
          ? { value: false }
          : { error: `Invalid ${name}: ${raw}. Expected true or false` },
  };
}

export function textParam(
  name: string,
  maxLength: number,
  description?: string,
): ParamSpec<string> {
  return {
    schema: { type: 'string', maxLength },
    ...(description === undefined ? {} : { description }),
    parse: (raw) =>
      raw.length <= maxLength
        ? { value: raw }
        : { error: `${name} must be at most ${maxLength} characters` },
  };
}

/** A resource id in a path: a positive integer. */
export const idParam = (label: string): ParamSpec<number> =>
  intParam(
    1,
    MAX_ID,
    (raw) => `Invalid ${label}: ${raw.slice(0, 40)}. Expected a positive integer`,
    `The ${label}`,
  );

export const PAGE_SPECS = {
  page: intParam(1, Number.MAX_SAFE_INTEGER, () => 'Page must be >= 1', 'Page number, from 1'),
  page_size: intParam(
    1,
    100,
    () => 'Page size must be between 1 and 100',
    'Items per page, 1 to 100',
  ),
};
export const PAGE_DEFAULTS = { page: 1, page_size: 50 };

export const SLICE_SPECS = {
  limit: intParam(1, 100, () => 'Limit must be between 1 and 100', 'Items per page, 1 to 100'),
  cursor: textParam('cursor', 4096, 'The next_cursor of the previous page'),
};
export const SLICE_DEFAULTS = { limit: 50 };
