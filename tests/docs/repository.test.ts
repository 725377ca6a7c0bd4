/**
 * The files around the code agree with it: the Node versions of .nvmrc, the image, `engines` and
 * CI; `.env.example` and the settings; the production install and what the service imports.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { ENV_VARS } from '../../src/config/config.js';
import { ROOT } from '../e2e/process.js';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
};

describe('the repository', () => {
  it('runs one Node version in development, CI and the image, and CI also tests the oldest line engines admits', () => {
    const nvmrc = read('.nvmrc').trim();
    expect(nvmrc).to.match(/^\d+\.\d+\.\d+$/);
    expect(read('Dockerfile')).to.match(
      new RegExp(`^ARG NODE_IMAGE=node:${nvmrc.replaceAll('.', '\\.')}-slim$`, 'm'),
    );
    const oldest = /^OLDEST_NODE=(\d+)\.\d+\.\d+$/m.exec(read('.ci/run'))?.[1];
    expect(pkg.engines.node).to.equal(`>=${oldest}`);
    expect(Number(nvmrc.split('.')[0])).to.be.greaterThan(Number(oldest));
  });

  it('starts the service with the same node options in npm start and in the image', () => {
    const npmStart = /exec node((?: --\S+)*) dist\/src\/main\.js$/.exec(
      pkg.scripts.start ?? '',
    )?.[1];
    const cmd = /^CMD \[(.*)\]$/m.exec(read('Dockerfile'))?.[1];
    expect(npmStart).to.be.a('string').and.not.equal('');
    expect(cmd).to.equal(
      ['node', ...npmStart!.trim().split(' '), 'dist/src/main.js'].map((a) => `"${a}"`).join(', '),
    );
  });

  it('lists every setting in .env.example, commented, with its default', () => {
    const defaults = JSON.parse(read('config/default.json')) as Record<string, unknown>;
    const lines = read('.env.example').split('\n');
    for (const { path, env } of ENV_VARS) {
      const value = path
        .split('.')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], defaults);
      const shown = value === null ? '' : Array.isArray(value) ? value.join(',') : String(value);
      expect(
        lines.filter((line) => line.startsWith(`# ${env}=`)),
        env,
      ).to.deep.equal([`# ${env}=${shown}`]);
    }
  });

  it('installs for production every package the built service imports', () => {
    const builtins = new Set(builtinModules);
    const imported = new Set<string>();
    const specifier = /(?:from\s+|import\(\s*|require(?:\.resolve)?\(\s*)'([^'./][^']*)'/g;
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        // assets/ holds files served as they are (ReDoc's bundle), not modules of the service.
        if (entry.isDirectory() && entry.name !== 'assets') walk(path);
        else if (entry.isFile() && entry.name.endsWith('.js')) {
          for (const [, name] of readFileSync(path, 'utf8').matchAll(specifier)) {
            const parts = name!.split('/');
            imported.add(name!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
          }
        }
      }
    };
    walk(join(ROOT, 'dist', 'src'));
    expect(imported.size, 'the scan finds imports').to.be.greaterThan(10);
    const missing = [...imported].filter(
      (name) =>
        !name.startsWith('node:') && !builtins.has(name) && pkg.dependencies[name] === undefined,
    );
    expect(missing).to.deep.equal([]);
  });
});
