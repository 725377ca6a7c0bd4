/**
 * Every link in the repository's Markdown files points at a file of the repository (and at a
 * heading of it when it names one); none leaves the repository except localhost examples.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { anchorsOf, linksOf, markdownFiles, problemOf } from '../support/markdown-links.js';
import { ROOT } from '../support/openapi.js';

function problems(root: string): string[] {
  return markdownFiles(root).flatMap((file) =>
    linksOf(file, readFileSync(file, 'utf8')).flatMap((link) => {
      const problem = problemOf(root, link);
      return problem === undefined
        ? []
        : [`${relative(root, file)}:${link.line}: ${link.target} ${problem}`];
    }),
  );
}

describe('Markdown links', () => {
  it('finds the documentation of the repository', () => {
    const files = markdownFiles(ROOT).map((file) => relative(ROOT, file));
    for (const expected of [
      'README.md',
      'ARCHITECTURE.md',
      'BENCHMARKS.md',
      join('docs', 'api.md'),
      join('docs', 'operations.md'),
    ]) {
      expect(files).to.include(expected);
    }
    expect(
      files.filter((file) => file.startsWith(join('docs', 'decisions'))).length,
    ).to.be.greaterThan(5);
  });

  it('points every link at a file and heading of the repository, and none outside it', () => {
    const links = markdownFiles(ROOT).flatMap((file) => linksOf(file, readFileSync(file, 'utf8')));
    expect(links.length).to.be.greaterThan(20);
    expect(problems(ROOT)).to.deep.equal([]);
  });

  describe('the checker', () => {
    let root: string;
    before(() => {
      root = mkdtempSync(join(tmpdir(), 'md-links-'));
      mkdirSync(join(root, 'docs'));
      writeFileSync(
        join(root, 'docs', 'guide.md'),
        '# A guide\n\n## Errors (v1 and `v2`)\n\n## Errors (v1 and `v2`)\n',
      );
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it('finds broken files and anchors, outside links, and ignores code', () => {
      writeFileSync(
        join(root, 'README.md'),
        [
          '# Readme',
          '[ok](docs/guide.md#errors-v1-and-v2) [ok too](docs/guide.md#errors-v1-and-v2-1) [self](#readme)',
          '[missing](docs/none.md) [bad anchor](docs/guide.md#nowhere) [up](../outside.md)',
          '[web](https://example.com/x) and a bare https://example.org/y, but <http://localhost:3000/docs> is fine',
          '[ref]: docs/gone.md',
          '`[not a link](nowhere.md)`',
          '```',
          '[not a link either](nowhere.md) https://example.net',
          '```',
        ].join('\n'),
      );
      const found = problems(root).map((p) => p.replace(/^README\.md:/, ''));
      expect(found).to.deep.equal([
        '3: docs/none.md points at no file',
        '3: docs/guide.md#nowhere points at no heading #nowhere',
        '3: ../outside.md leaves the repository',
        '4: https://example.com/x leaves the repository',
        '5: docs/gone.md points at no file',
        '4: https://example.org/y leaves the repository',
      ]);
    });

    it('makes GitHub anchors of headings, numbering repeats', () => {
      expect([...anchorsOf(readFileSync(join(root, 'docs', 'guide.md'), 'utf8'))]).to.deep.equal([
        'a-guide',
        'errors-v1-and-v2',
        'errors-v1-and-v2-1',
      ]);
    });
  });
});
