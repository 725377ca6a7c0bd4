/**
 * Loaded with `--import` into a service under test. On its main thread it writes to stderr, as
 * JSON lines:
 * - when the process first sets a V8 flag, the flag and the packages already loaded from
 *   node_modules (`flagsSetAfter`);
 * - when the process exits, the Node modules it loaded (`builtinsLoaded`, `process.moduleLoadList`).
 */
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const require = createRequire(import.meta.url);
  const setFlags = v8.setFlagsFromString.bind(v8);
  let reported = false;
  v8.setFlagsFromString = (flag: string) => {
    if (!reported) {
      reported = true;
      const packages = new Set(
        Object.keys(require.cache).flatMap(
          (file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? [],
        ),
      );
      process.stderr.write(
        `${JSON.stringify({ flagsSetAfter: { flag, packages: [...packages] } })}\n`,
      );
    }
    setFlags(flag);
  };
  process.on('exit', () => {
    const loaded = (process as unknown as { moduleLoadList: readonly string[] }).moduleLoadList;
    process.stderr.write(`${JSON.stringify({ builtinsLoaded: loaded })}\n`);
  });
}
