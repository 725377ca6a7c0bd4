/**
 * The dependency rule of the hexagon, checked in CI (`npm run lint:deps`):
 * domain <- application <- adapters, and only the composition root (and main.ts, cli.ts beside
 * it) knows which adapter serves which port.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'src/domain imports nothing outside itself: no framework, no library, no outer layer.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'domain-no-node-io',
      comment: 'The domain does no I/O.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'application-knows-no-adapter',
      comment:
        'src/application imports the domain, its own ports and small libraries, never an adapter or the composition root.',
      severity: 'error',
      from: { path: '^src/application/' },
      to: { path: '^src/(adapters|composition-root|config)/|^src/(main|cli)\\.ts$' },
    },
    {
      name: 'application-no-adapter-libraries',
      comment: 'Technologies belong to adapters.',
      severity: 'error',
      from: { path: '^src/application/' },
      to: {
        path: 'node_modules/(koa|@koa|@mikro-orm|mikro-orm-pglite|@electric-sql|ioredis|winston|paseto|rate-limiter-flexible|@node-rs|pg|config|io-ts|fp-ts)/',
      },
    },
    {
      name: 'adapters-do-not-know-each-other-wiring',
      comment: 'Only the composition root chooses adapters: adapters never import it.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(composition-root/|main\\.ts$|cli\\.ts$)' },
    },
    {
      name: 'only-the-root-wires-adapters',
      comment:
        'Nothing outside the composition root (and main.ts, cli.ts) imports adapters, except adapters themselves.',
      severity: 'error',
      from: { pathNot: '^src/(adapters/|composition-root/|main\\.ts$|cli\\.ts$)' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'config-is-not-core',
      comment: 'Config is read at the edge and handed in; the core never imports it.',
      severity: 'error',
      from: { path: '^src/(domain|application)/' },
      to: { path: '^src/config/' },
    },
    {
      name: 'http-kit-knows-no-route',
      comment:
        "The HTTP adapter's kit (route declaration, pipeline, codecs, OpenAPI builder) serves any route table: it never imports the API's own routes, codecs or middleware.",
      severity: 'error',
      from: { path: '^src/adapters/http/kit/' },
      to: { path: '^src/adapters/http/', pathNot: '^src/adapters/http/kit/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
