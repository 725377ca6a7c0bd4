/**
 * `npm run client:generate`: writes the TypeScript types of the generated OpenAPI document
 * (openapi-typescript) to tests/client/schema.d.ts, for openapi-fetch's `createClient<paths>()`.
 * The file is committed; tests/client/schema.test.ts fails when it differs from a fresh one.
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { CLIENT_SCHEMA, ROOT, generateClientTypes } from '../support/openapi.js';

await writeFile(CLIENT_SCHEMA, await generateClientTypes());
console.log(`Wrote ${relative(ROOT, CLIENT_SCHEMA)}`);
