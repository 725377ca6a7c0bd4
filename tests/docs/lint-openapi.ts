/**
 * `npm run lint:openapi`: writes the generated OpenAPI document to a temporary file and lints it
 * with the Spectral CLI and the repository's .spectral.yaml (spectral:oas and the OWASP API
 * ruleset). Exits with Spectral's status: 1 when there is an error.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runSpectral, writeOpenApiDocument } from '../support/openapi.js';

const file = await writeOpenApiDocument();
console.log(`Linting the generated OpenAPI document (${file})`);
const { code } = await runSpectral([file], { stdio: 'inherit' });
await rm(dirname(file), { recursive: true, force: true });
process.exit(code);
