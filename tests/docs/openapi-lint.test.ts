/**
 * The generated OpenAPI document under Spectral with the repository's .spectral.yaml
 * (spectral:oas and the OWASP API Security ruleset), run through the Spectral CLI exactly as
 * `npm run lint:openapi` runs it. No errors; no OWASP finding left (each one is fixed in the
 * generator or the codecs, or switched off in .spectral.yaml with its reason); spectral:oas
 * warnings are listed.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runSpectral, writeOpenApiDocument } from '../support/openapi.js';

interface SpectralResult {
  readonly code: string;
  readonly message: string;
  readonly path: readonly (string | number)[];
  /** 0 error, 1 warning, 2 information, 3 hint. */
  readonly severity: number;
  readonly source?: string;
}

const SEVERITY = ['error', 'warning', 'info', 'hint'];

/** A document that must trip one rule of each ruleset, proving .spectral.yaml loads both. */
const CANARY = {
  openapi: '3.1.0',
  info: { title: 'Canary', version: '1' },
  paths: {
    '/things': {
      get: {
        operationId: 'listThings',
        responses: {
          '200': {
            description: 'A number',
            content: { 'application/json': { schema: { type: 'integer' } } },
          },
        },
      },
    },
  },
};

const show = (r: SpectralResult) =>
  `${SEVERITY[r.severity] ?? r.severity} ${r.code} at ${r.path.join('.')}: ${r.message}`;

describe('OpenAPI document: Spectral lint (.spectral.yaml)', function () {
  this.timeout(120_000);
  let document: SpectralResult[] = [];
  let canary: SpectralResult[] = [];

  before(async () => {
    const file = await writeOpenApiDocument();
    const dir = dirname(file);
    const canaryFile = join(dir, 'canary.json');
    const output = join(dir, 'results.json');
    await writeFile(canaryFile, JSON.stringify(CANARY));
    try {
      const run = await runSpectral([file, canaryFile], {
        args: ['--format', 'json', '--output', output, '--quiet'],
      });
      if (!existsSync(output))
        throw new Error(
          `spectral wrote no results (exit ${run.code}):\n${run.stderr}${run.stdout}`,
        );
      const results = JSON.parse(await readFile(output, 'utf8')) as SpectralResult[];
      document = results.filter((r) => r.source === file);
      canary = results.filter((r) => r.source === canaryFile);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds no error: the document is valid OpenAPI 3.1 and passes spectral:oas and OWASP', () => {
    const warnings = document.filter((r) => r.severity > 0);
    if (warnings.length > 0)
      console.log(
        `      spectral warnings (${warnings.length}):\n${warnings.map((r) => `        ${show(r)}`).join('\n')}`,
      );
    expect(document.filter((r) => r.severity === 0).map(show)).to.deep.equal([]);
  });

  it('leaves no OWASP finding: each is fixed, or switched off in .spectral.yaml with its reason', () => {
    expect(document.filter((r) => r.code.startsWith('owasp:')).map(show)).to.deep.equal([]);
  });

  it('applies both rulesets (a canary document trips spectral:oas and OWASP rules)', () => {
    const codes = new Set(canary.map((r) => r.code));
    expect([...codes]).to.include.members(['info-contact', 'owasp:api4:2023-integer-format']);
  });
});
