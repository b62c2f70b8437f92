// Runs inside a DataLoader worker thread: rebuilds the dataset from its recipe, then answers
// tasks (lists of indices) with collated batches (or raw samples when the collate function lives
// on the main thread). Errors are reported per task with the worker's stack.
import { parentPort, workerData } from 'node:worker_threads';
import type { TransferListItem } from 'node:worker_threads';
import { manualSeed } from '../engine/index.ts';
import { buildFromRecipe } from './recipe.ts';
import type { WorkerRecipe } from './recipe.ts';
import { encodeValue } from './wire.ts';
import { setWorkerInfo } from './worker-info.ts';
import type { DatasetLike } from './dataset.ts';

interface Init {
  recipe: WorkerRecipe;
  collate: 'default' | 'none' | 'convert' | WorkerRecipe;
  workerId: number;
  numWorkers: number;
  seed: number;
  workerInit: WorkerRecipe | null;
}

type Task = { type: 'task'; id: number; indices: number[] } | { type: 'stop' };

async function main(): Promise<void> {
  const port = parentPort!;
  const init = workerData as Init;
  let dataset: DatasetLike;
  let collate: (samples: unknown[]) => unknown;
  try {
    // As PyTorch: each worker's tensor RNG is seeded with base_seed + worker_id, so random transforms
    // differ between workers and repeat for the same DataLoader seed.
    manualSeed(init.seed);
    dataset = (await buildFromRecipe(init.recipe)) as DatasetLike;
    if (typeof dataset?.getItem !== 'function') throw new TypeError(`worker recipe ${init.recipe.module}#${init.recipe.export} did not return a dataset (no getItem)`);
    setWorkerInfo({ id: init.workerId, numWorkers: init.numWorkers, seed: init.seed, dataset });
    if (init.collate === 'default') collate = (await import('./collate.ts')).defaultCollate;
    else if (init.collate === 'convert') {
      const { defaultConvert } = await import('./collate.ts');
      collate = (s) => defaultConvert(s[0]);
    } else if (init.collate === 'none') collate = (s) => s;
    else {
      const c = init.collate;
      const mod = (await import(c.module)) as Record<string, unknown>;
      if (typeof mod[c.export] !== 'function') throw new TypeError(`workerCollate: module ${c.module} has no exported function "${c.export}"`);
      collate = mod[c.export] as (s: unknown[]) => unknown;
    }
    if (init.workerInit) {
      const mod = (await import(init.workerInit.module)) as Record<string, unknown>;
      const fn = mod[init.workerInit.export];
      if (typeof fn !== 'function') throw new TypeError(`workerInitFn: module ${init.workerInit.module} has no exported function "${init.workerInit.export}"`);
      await (fn as (id: number, ...a: unknown[]) => unknown)(init.workerId, ...(init.workerInit.args ?? []));
    }
  } catch (e) {
    port.postMessage({ type: 'fatal', message: errorText(e) });
    return;
  }
  port.postMessage({ type: 'ready' });
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the listener catches every error of a task and posts it back
  port.on('message', async (msg: Task) => {
    if (msg.type === 'stop') {
      port.close();
      return;
    }
    try {
      const samples = new Array(msg.indices.length);
      for (let i = 0; i < msg.indices.length; i++) samples[i] = await dataset.getItem(msg.indices[i]);
      const batch = collate(samples);
      const transfer: TransferListItem[] = [];
      const encoded = encodeValue(batch, transfer);
      port.postMessage({ type: 'result', id: msg.id, batch: encoded }, transfer as never);
    } catch (e) {
      port.postMessage({ type: 'error', id: msg.id, message: errorText(e) });
    }
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
}

void main();
