import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { TandemError } from '@tandem/protocol';

const require = createRequire(import.meta.url);
/** mediasoup's own choice, remembered before any node overrides it. */
let defaultBin: string | undefined;

/**
 * Points mediasoup at a worker binary. mediasoup reads MEDIASOUP_WORKER_BIN once, at
 * import; its Worker module reads the resolved path at every spawn, so setting that
 * export lets an explicit option (or an env var set later) take effect.
 * Returns the path that will be spawned; throws INTERNAL with a useful hint if it is
 * not an executable file, rather than a cryptic spawn failure later.
 */
export function useWorkerBin(explicit?: string): string {
  const workerModule = require(path.join(path.dirname(require.resolve('mediasoup')), 'Worker.js')) as {
    workerBin: string;
  };
  defaultBin ??= workerModule.workerBin;
  const bin = explicit ?? process.env['MEDIASOUP_WORKER_BIN'] ?? defaultBin;
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new TandemError(
      'INTERNAL',
      `mediasoup worker binary not executable at ${bin}; build it or set workerBin / MEDIASOUP_WORKER_BIN`,
    );
  }
  // Only a checked path is installed: the setting is process-wide (last node wins).
  workerModule.workerBin = bin;
  return bin;
}
