/**
 * The service's entry point: reads the config, sets the V8 flags of its store, then loads and
 * runs the rest (`composition-root/serve.ts`): creates the first admin when asked to, serves HTTP,
 * and drains on SIGTERM or SIGINT. Containers and process managers should run
 * `node dist/src/main.js` directly: npm does not pass SIGTERM through its shell.
 *
 * The rest is imported only once the flags are set: loading it grows V8's young generation,
 * which the embedded store keeps small (`v8-flags.ts`).
 *
 * With WEB_CONCURRENCY > 1 this process becomes the primary of a node:cluster
 * (`composition-root/cluster.ts`): it migrates and creates the first admin once, then forks that
 * many workers, each of which serves as a single process does.
 */
import v8 from 'node:v8';
import { runtimeV8Flags } from './composition-root/v8-flags.js';
import { ConfigError, loadConfig } from './config/config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  for (const flag of runtimeV8Flags(config)) v8.setFlagsFromString(flag);
  const { run } = await import('./composition-root/serve.js');
  return run(config);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('The service could not start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
