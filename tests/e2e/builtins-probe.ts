/**
 * Loaded with `--import` into a service under test: when its process exits, it writes to stderr
 * the Node modules its main thread loaded (`process.moduleLoadList`), as one JSON line.
 */
import { isMainThread } from 'node:worker_threads';

if (isMainThread)
  process.on('exit', () => {
    const loaded = (process as unknown as { moduleLoadList: readonly string[] }).moduleLoadList;
    process.stderr.write(`${JSON.stringify({ builtinsLoaded: loaded })}\n`);
  });
