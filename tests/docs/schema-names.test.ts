/**
 * A schema name in the OpenAPI document belongs to one schema: two codecs of one name must stop
 * the document's build instead of one silently overwriting the other.
 */
import { expect } from 'chai';
import {
  boolean,
  object,
  text,
  type ObjectCodec,
} from '../../src/adapters/http/kit/codecs/codec.js';
import { buildOpenApi } from '../../src/adapters/http/kit/openapi/document.js';
import { defineRoute } from '../../src/adapters/http/kit/route.js';

const INFO = { title: 't', version: '1', description: 'd' };

// biome-ignore lint/suspicious/noExplicitAny: codecs of any shape
const routeWith = (path: string, body: ObjectCodec<any>) =>
  defineRoute({
    method: 'POST',
    path,
    tag: 'T',
    summary: 's',
    auth: 'public',
    body,
    success: { status: 204, description: 'done' },
    handle: async () => ({ status: 204 }),
  });

describe('OpenAPI document: schema names', () => {
  it('fails to build when two different codecs share a name', () => {
    const first = object('Same', { name: text('Name', { maxLength: 10 }) });
    const second = object('Same', { flag: boolean });
    expect(() =>
      buildOpenApi(INFO, [routeWith('/a', first), routeWith('/b', second)], []),
    ).to.throw(/Two different schemas are named Same/);
  });

  it('builds when one codec is used by several routes', () => {
    const shared = object('Shared', { name: text('Name', { maxLength: 10 }) });
    const document = buildOpenApi(INFO, [routeWith('/a', shared), routeWith('/b', shared)], []) as {
      components: { schemas: Record<string, unknown> };
    };
    expect(document.components.schemas).to.have.property('Shared');
  });
});
