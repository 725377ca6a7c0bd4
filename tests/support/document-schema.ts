/**
 * Checks answers against the OpenAPI document the service generates: whether it declares the
 * status for the operation, and whether the body satisfies the schema it declares (JSON Schema
 * 2020-12, through Ajv, resolving the document's own `$ref`s).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument } from '../../src/adapters/http/app.js';

// ajv-formats is CommonJS: its function is the default export's default under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv2020) => void;

type Json = Record<string, unknown>;

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly operation: Json;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const pointer = (...parts: string[]) =>
  `#/${parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

export class DocumentSchema {
  readonly document: Json;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: Json = openApiDocument()) {
    this.document = document;
    this.ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema(document, 'openapi');
  }

  operations(): Operation[] {
    const found: Operation[] = [];
    for (const [path, item] of Object.entries(this.document['paths'] as Record<string, Json>)) {
      for (const method of METHODS) {
        const operation = item[method] as Json | undefined;
        if (operation !== undefined) found.push({ method, path, operation });
      }
    }
    return found;
  }

  /** The response object the operation declares for a status, `$ref` resolved; undefined when undeclared. */
  response(op: Operation, status: number): { ref: string; value: Json } | undefined {
    const responses = op.operation['responses'] as Record<string, Json>;
    const declared = responses[String(status)];
    if (declared === undefined) return undefined;
    const ref = declared['$ref'];
    if (typeof ref === 'string') {
      const name = ref.split('/').pop()!;
      return {
        ref: pointer('components', 'responses', name),
        value: (this.document['components'] as Record<string, Record<string, Json>>)['responses']![
          name
        ]!,
      };
    }
    return {
      ref: pointer('paths', op.path, op.method, 'responses', String(status)),
      value: declared,
    };
  }

  /** Problems of a value against a schema under `components/schemas`. */
  component(name: string, value: unknown): string[] {
    return this.validate(`openapi${pointer('components', 'schemas', name)}`, value);
  }

  /**
   * Problems with an answer: an undeclared status, or a JSON body that its declared schema
   * refuses. Empty when the answer is one the document allows.
   */
  check(op: Operation, status: number, contentType: string | undefined, body: unknown): string[] {
    const declared = this.response(op, status);
    if (declared === undefined) return [`status ${status} is not declared`];
    const content = declared.value['content'] as Record<string, { schema?: unknown }> | undefined;
    const type = (contentType ?? '').split(';')[0]!.trim();
    if (content === undefined) return [];
    if (!type.endsWith('json'))
      return Object.keys(content).some((t) => t === type || t.startsWith('text/'))
        ? []
        : [`content type ${type || '(none)'} is not declared for ${status}`];
    if (content[type] === undefined) return [`content type ${type} is not declared for ${status}`];
    return this.validate(
      `openapi${declared.ref}/content/${type.replaceAll('~', '~0').replaceAll('/', '~1')}/schema`,
      body,
    );
  }

  private validate(ref: string, body: unknown): string[] {
    let validate = this.compiled.get(ref);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`,
    );
  }
}
