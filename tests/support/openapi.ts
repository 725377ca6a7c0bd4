/**
 * The generated OpenAPI document as a file, and the two tools that read it: the Spectral CLI
 * (with the repository's .spectral.yaml) and openapi-typescript. The npm scripts
 * (`lint:openapi`, `client:generate`) and the tests call these same functions, so what CI
 * checks is what a developer runs.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPI3 } from 'openapi-typescript';
import { openApiDocument } from '../../src/adapters/http/app.js';

const require = createRequire(import.meta.url);

/** The repository root (this file runs as dist/tests/support/openapi.js). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const SPECTRAL_RULESET = join(ROOT, '.spectral.yaml');

/** Where `npm run client:generate` writes the client's types (committed). */
export const CLIENT_SCHEMA = join(ROOT, 'tests/client/schema.d.ts');

/** Writes the document to `openapi.json` in a new temporary directory and returns its path. */
export async function writeOpenApiDocument(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'openapi-'));
  const file = join(dir, 'openapi.json');
  await writeFile(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  return file;
}

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `spectral lint` with the repository's ruleset on the given files. `stdio: 'inherit'`
 * shows the report on the terminal; otherwise it is returned.
 */
export function runSpectral(
  files: readonly string[],
  options: { args?: readonly string[]; stdio?: 'inherit' | 'pipe' } = {},
): Promise<ProcessResult> {
  const cli = join(
    dirname(require.resolve('@stoplight/spectral-cli/package.json')),
    'dist/index.js',
  );
  const args = [cli, 'lint', ...files, '--ruleset', SPECTRAL_RULESET, ...(options.args ?? [])];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: options.stdio === 'inherit' ? 'inherit' : 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

/** The TypeScript types of the document, exactly as the openapi-typescript CLI prints them. */
export async function generateClientTypes(): Promise<string> {
  const { default: openapiTS, astToString, COMMENT_HEADER } = await import('openapi-typescript');
  const ast = await openapiTS(openApiDocument() as unknown as OpenAPI3);
  return `${COMMENT_HEADER}${astToString(ast)}`;
}
