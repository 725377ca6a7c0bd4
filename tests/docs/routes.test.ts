/**
 * The OpenAPI document and the routers agree: every route the app serves is documented (the
 * unprefixed, header-versioned paths through their versioned twins and the document's note on
 * them), every documented operation is routed (and answers something other than the router's own
 * 404 or 405), operationIds are unique, every $ref resolves, and each error response's example is
 * that error.
 */
import type Router from '@koa/router';
import { expect } from 'chai';
import type Koa from 'koa';
import { apiRoutes, buildApp, openApiDocument } from '../../src/adapters/http/app.js';
import { ERROR_TABLE } from '../../src/adapters/http/kit/errors.js';
import { createInMemoryPersistence } from '../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import { startApi, type TestApi } from '../support/api.js';

/** Files of the documentation pages (scripts, styles, icons): served, but not operations. */
const ASSETS = new Set([
  'GET /docs/init.js',
  'GET /docs/{file}',
  'GET /redoc/redoc.standalone.js',
  'GET /pages/account.js',
]);

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Document = {
  info: { description: string };
  components: {
    responses: Record<string, { content: Record<string, { example?: Record<string, unknown> }> }>;
  };
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        parameters?: {
          name: string;
          in: string;
          schema?: { enum?: unknown[]; examples?: unknown[] };
        }[];
      }
    >
  >;
};

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** The unprefixed, header-versioned twin of an operation, which the document does not list. */
const HEADER_VERSIONED = new Set(
  apiRoutes.map((spec) => `${spec.method} ${toOpenApiPath(spec.path)}`),
);

/** `METHOD /path` of every route of every router mounted on the app (HEAD comes with GET). */
function routedOperations(app: Koa): Set<string> {
  const routed = new Set<string>();
  for (const middleware of app.middleware) {
    const router = (middleware as { router?: Router }).router;
    if (router === undefined) continue;
    for (const layer of router.stack) {
      for (const method of layer.methods)
        if (method !== 'HEAD') routed.add(`${method} ${toOpenApiPath(String(layer.path))}`);
    }
  }
  return routed;
}

function documentedOperations(document: Document): Set<string> {
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS)
      if (item[method] !== undefined) documented.add(`${method.toUpperCase()} ${path}`);
  }
  return documented;
}

/** Every `$ref` in the document, with where it was found. */
function refsOf(
  node: unknown,
  at = '#',
  found: { ref: string; at: string }[] = [],
): { ref: string; at: string }[] {
  if (Array.isArray(node)) {
    for (const [i, value] of node.entries()) refsOf(value, `${at}/${i}`, found);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push({ ref: value, at });
      else refsOf(value, `${at}/${key}`, found);
    }
  }
  return found;
}

function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

describe('OpenAPI document: routes, operationIds and $refs', function () {
  this.timeout(60_000);
  const document = openApiDocument() as unknown as Document;
  let api: TestApi;
  let routed: Set<string>;

  before(async () => {
    api = await startApi(createInMemoryPersistence());
    routed = routedOperations(buildApp(api.service.container));
  });
  after(async () => api?.close());

  it('documents every route the routers serve', () => {
    expect(routed.size).to.be.greaterThan(10);
    const documented = documentedOperations(document);
    const covered = (op: string) =>
      documented.has(op) ||
      (HEADER_VERSIONED.has(op) &&
        documented.has(op.replace(' /', ' /api/v1/')) &&
        documented.has(op.replace(' /', ' /api/v2/')));
    const missing = [...routed].filter((op) => !ASSETS.has(op) && !covered(op));
    expect(missing, 'routed but not in the document').to.deep.equal([]);
  });

  it('lists each operation once per version and describes the unprefixed paths once', () => {
    const documented = [...documentedOperations(document)];
    for (const op of HEADER_VERSIONED) {
      expect(documented, op).not.to.include(op);
      expect(
        documented.filter(
          (d) => d === op.replace(' /', ' /api/v1/') || d === op.replace(' /', ' /api/v2/'),
        ),
        op,
      ).to.have.length(2);
    }
    expect(document.info.description)
      .to.include('X-API-Version')
      .and.include('not listed a second time');
  });

  it("shows each error response's own error in its example", () => {
    const byStatus = new Map(Object.values(ERROR_TABLE).map((entry) => [entry.status, entry]));
    const checked: string[] = [];
    for (const [name, response] of Object.entries(document.components.responses)) {
      for (const [type, media] of Object.entries(response.content)) {
        const example = media.example;
        expect(example, `${name} ${type}`).to.be.an('object');
        if (type === 'application/json') {
          const entry = [...byStatus.values()].find((e) => e.name === example!['error']);
          expect(entry, `${name}: ${String(example!['error'])}`).not.to.equal(undefined);
          expect(
            name.startsWith(entry!.name.replace(/Error$/, '')),
            `${name} shows ${entry!.name}`,
          ).to.equal(true);
        } else {
          const entry = byStatus.get(example!['status'] as number);
          expect(entry, `${name}: status ${String(example!['status'])}`).not.to.equal(undefined);
          expect(
            name.startsWith(entry!.name.replace(/Error$/, '')),
            `${name} shows ${entry!.title}`,
          ).to.equal(true);
          expect(example!['title']).to.equal(entry!.title);
        }
        checked.push(name);
      }
    }
    // 401, 409 and 422 at least, in both versions.
    for (const name of [
      'UnauthorizedV1',
      'UnauthorizedV2',
      'ConflictV1',
      'ConflictV2',
      'ValidationV1',
      'ValidationV2',
    ])
      expect(checked).to.include(name);
  });

  it('routes every documented operation', () => {
    const unrouted = [...documentedOperations(document)].filter((op) => !routed.has(op));
    expect(unrouted, 'in the document but not routed').to.deep.equal([]);
  });

  it("answers every documented operation with something other than the router's 404 or 405", async () => {
    const misses: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (operation === undefined) continue;
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => {
          const schema = operation.parameters?.find(
            (p) => p.in === 'path' && p.name === name,
          )?.schema;
          return encodeURIComponent(String(schema?.enum?.[0] ?? schema?.examples?.[0] ?? 1));
        });
        const res = await api.http[method as 'get'](url);
        const message = String(res.body?.message ?? res.body?.detail ?? '');
        if (res.status === 405 || (res.status === 404 && /^Route .* not found$/.test(message))) {
          misses.push(`${method.toUpperCase()} ${url}: ${res.status} ${message}`);
        }
      }
    }
    expect(misses).to.deep.equal([]);
  });

  it('gives every operation a unique operationId', () => {
    const seen = new Map<string, string[]>();
    for (const op of documentedOperations(document)) {
      const [method, path] = op.split(' ') as [string, string];
      const id = document.paths[path]?.[method.toLowerCase()]?.operationId ?? '(none)';
      seen.set(id, [...(seen.get(id) ?? []), op]);
    }
    const clashes = [...seen].filter(([id, ops]) => id === '(none)' || ops.length > 1);
    expect(clashes).to.deep.equal([]);
  });

  it('resolves every $ref', () => {
    const refs = refsOf(document);
    expect(refs.length).to.be.greaterThan(0);
    const broken = refs
      .filter(({ ref }) => resolvePointer(document, ref) === undefined)
      .map(({ ref, at }) => `${ref} (at ${at})`);
    expect(broken).to.deep.equal([]);
  });
});
