// Worker-thread side of the oracle sandbox: runs one case at a time with the normal runners and reports
// success or the error. The parent enforces the time and memory limits by terminating this worker.
import { parentPort, resourceLimits } from 'node:worker_threads';
import { DEFAULT_LIMITS } from './pyeval.ts';
import { runCase } from './runners.ts';
import type { OracleCase } from './compare.ts';

// The evaluator's own heap ceiling sits below the worker's, so a Python-level runaway fails with a readable
// error before V8 has to kill the thread.
if (resourceLimits.maxOldGenerationSizeMb) DEFAULT_LIMITS.heapMb = Math.floor(resourceLimits.maxOldGenerationSizeMb * 0.75);

// eslint-disable-next-line @typescript-eslint/no-misused-promises -- the handler catches every error itself and posts it back
parentPort!.on('message', async (msg: { id: number; c: OracleCase }) => {
  try {
    await runCase(msg.c);
    parentPort!.postMessage({ id: msg.id, ok: true });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    parentPort!.postMessage({ id: msg.id, ok: false, name: err.name, message: err.message, stack: err.stack });
  }
});

parentPort!.postMessage({ ready: true });
