// Main-thread side of the decode worker: starts it on first use (TypeScript sources load through
// tsx inside the worker, compiled builds load the .js), streams a batch of read jobs through it,
// and reports failure to start so the caller can decode in-process instead.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { DecodedSlice } from './slice.ts';
import type { FromWorker, ReadJob, ToWorker } from './decode-worker.ts';
import { siblingModule } from '../worker-threads.ts';

const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) { const { register } = await import(workerData.tsx); register(); }
  await import(workerData.url);
})().catch((err) => { setImmediate(() => { throw err; }); });
`;

/** URL of tsx's ESM register API (the worker registers it to load .ts sources). */
function resolveTsxEsmApi(): string {
  const meta = import.meta as ImportMeta & { resolve?: (s: string) => string };
  try {
    if (meta.resolve) return meta.resolve('tsx/esm/api');
  } catch {
    /* not resolvable this way (bundler) */
  }
  // require.resolve picks the CommonJS entry; its ESM sibling sits next to it.
  return pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
}

export class DecodePool {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 1;
  private handlers = new Map<number, (m: FromWorker) => void>();

  /** False once the worker could not start or died: callers decode in-process. */
  get available(): boolean {
    return !this.broken;
  }

  /** Start the worker now (it loads its modules while the caller prepares its jobs). */
  warm(): void {
    if (!this.broken) this.start();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const url = siblingModule('decode-worker', import.meta.url);
    let tsx: string | null = null;
    if (url.pathname.endsWith('.ts')) tsx = resolveTsxEsmApi();
    const w = new Worker(BOOT, { eval: true, workerData: { url: url.href, tsx } });
    w.unref();
    w.on('message', (m: FromWorker) => this.handlers.get(m.id)?.(m));
    w.on('error', (err) => this.fail(err));
    w.on('exit', (code) => {
      if (this.worker === w) this.fail(new Error(`decode worker exited with ${code}`));
    });
    this.worker = w;
    return w;
  }

  private fail(err: Error): void {
    this.broken = true;
    this.worker = null;
    for (const h of this.handlers.values()) h({ type: 'end', id: -1, error: err.message } as unknown as FromWorker);
    this.handlers.clear();
  }

  /**
   * Decode `jobs` in the worker. `onSlice` runs for each slice in order (it may be async: the
   * worker is acknowledged when it returns). Rejects if the worker fails; slices already handled
   * stay handled (the caller committed them), so the caller can continue in-process from there.
   */
  async run(
    jobs: ReadJob[],
    sliceBytes: number,
    seeds: Record<string, [string, string][]>,
    onSlice: (file: number, slice: DecodedSlice) => void | Promise<void>,
    onFileDone: (file: number, error?: string) => void | Promise<void>,
  ): Promise<void> {
    const w = this.start();
    const id = this.nextId++;
    const queue: FromWorker[] = [];
    let wake: (() => void) | null = null;
    this.handlers.set(id, (m) => {
      queue.push(m);
      wake?.();
      wake = null;
    });
    w.ref();
    try {
      w.postMessage({ type: 'read', id, jobs, sliceBytes, seeds } satisfies ToWorker);
      for (;;) {
        while (queue.length === 0)
          await new Promise<void>((res) => {
            wake = res;
          });
        const m = queue.shift()!;
        if (m.type === 'end') {
          const err = (m as { error?: string }).error;
          if (err) throw new Error(`decode worker: ${err}`);
          return;
        }
        for (const item of m.items) {
          if ('done' in item) {
            await onFileDone(item.file, item.error);
            continue;
          }
          try {
            await onSlice(item.file, item.slice);
          } catch (err) {
            w.postMessage({ type: 'cancel', id } satisfies ToWorker);
            throw err;
          }
        }
        w.postMessage({ type: 'ack', id } satisfies ToWorker);
      }
    } finally {
      this.handlers.delete(id);
      this.worker?.unref();
    }
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.broken = true;
    if (w) await w.terminate();
  }
}
