/**
 * tests/client/schema.d.ts (committed; the types openapi-fetch's client is checked against)
 * is exactly what `npm run client:generate` writes from the current document, so it cannot go
 * stale.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { CLIENT_SCHEMA, generateClientTypes } from '../support/openapi.js';

/** The first line where two texts differ, shown side by side. */
function firstDifference(committed: string, fresh: string): string {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const at = a.findIndex((line, i) => line !== b[i]);
  const line = at === -1 ? a.length : at;
  return `line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  generated: ${b[line] ?? '(end of file)'}`;
}

describe('Generated client types (tests/client/schema.d.ts)', function () {
  this.timeout(60_000);

  it('equal a fresh generation from the OpenAPI document', async () => {
    const committed = await readFile(CLIENT_SCHEMA, 'utf8');
    const fresh = await generateClientTypes();
    if (committed !== fresh) {
      expect.fail(
        `tests/client/schema.d.ts is stale: run \`npm run client:generate\` and commit the result. First difference at ${firstDifference(committed, fresh)}`,
      );
    }
  });
});
