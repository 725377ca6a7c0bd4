import { expect } from 'chai';
import type { IdempotencyStore } from '../../../../src/application/ports/idempotency-store.js';
import { MemoryLogger } from '../../../../src/adapters/logging/memory-logger.js';
import {
  IdempotentRequests,
  canonicalJson,
  resolvedPath,
} from '../../../../src/adapters/http/kit/idempotency.js';

const unusedStore = {} as IdempotencyStore;
const requests = (secret = 'one secret') =>
  new IdempotentRequests(unusedStore, new MemoryLogger('debug'), Buffer.from(secret));

describe('Idempotency-Key: canonical bodies and fingerprints', () => {
  it('canonical JSON sorts the keys of every object, keeps arrays in order and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null }, e: undefined })).to.equal(
      '{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}',
    );
    expect(canonicalJson([undefined, 'é', 1.5])).to.equal('[null,"é",1.5]');
    expect(canonicalJson('"')).to.equal('"\\""');
  });

  it('resolves the path from the route template and the decoded parameters', () => {
    expect(resolvedPath('/api/v1', '/users/:id/orders', { id: 7 })).to.equal(
      '/api/v1/users/7/orders',
    );
    expect(resolvedPath('/api/v2', '/users', undefined)).to.equal('/api/v2/users');
  });

  it('one fingerprint for one request however its body is spelled; another for any other method, path or body', () => {
    const r = requests();
    const base = {
      method: 'POST',
      path: '/api/v1/users',
      body: { email: 'a@example.com', username: 'ada' },
    };
    const print = r.fingerprint(base);
    expect(print).to.match(/^[0-9a-f]{64}$/);
    expect(r.fingerprint({ ...base, body: { username: 'ada', email: 'a@example.com' } })).to.equal(
      print,
    );
    expect(r.fingerprint({ ...base, method: 'PUT' })).to.not.equal(print);
    expect(r.fingerprint({ ...base, path: '/api/v2/users' })).to.not.equal(print);
    expect(r.fingerprint({ ...base, body: { ...base.body, full_name: null } })).to.not.equal(print);
    // Keyed: without the service's secret the fingerprint cannot be recomputed from a guess.
    expect(requests('another secret').fingerprint(base)).to.not.equal(print);
  });
});
