// A pool of DataLoader worker threads. Each worker rebuilds the dataset from a recipe and answers
// index lists with batches. The pool keeps `prefetch` tasks in flight per worker, assigns them
// round-robin (as PyTorch) and hands results back in order, so loading overlaps the training step
// that runs on the main thread.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { WorkerRecipe } from './recipe.ts';
import { decodeValue } from './wire.ts';
import { inheritedExecArgv, siblingModule, workerBootstrap } from '../worker-threads.ts';

export interface PoolOptions {
  recipe: WorkerRecipe;
  numWorkers: number;
  collate: 'default' | 'none' | 'convert' | WorkerRecipe;
  baseSeed: number;
  workerInit: WorkerRecipe | null;
  /** Milliseconds to wait for one batch; 0 = forever. */
  timeout: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  worker: number;
}

const ENTRY = siblingModule('worker-entry', import.meta.url);

function bootstrapSource(): string {
  return workerBootstrap(ENTRY, `require('node:worker_threads').parentPort.postMessage({ type: 'fatal', message: String(e && e.stack || e) });`);
}

function workerExecArgv(): string[] {
  const out = inheritedExecArgv();
  // From TypeScript sources, `import ... from 'board'` in user recipe modules must find lib/ too.
  if (ENTRY.href.endsWith('.ts') && !out.some((a) => a.includes('board-source'))) out.push('--conditions=board-source');
  return out;
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  private fatal: Error | null = null;
  private readonly ready: Promise<void>;

  constructor(private readonly opts: PoolOptions) {
    const source = bootstrapSource();
    const readies: Promise<void>[] = [];
    for (let w = 0; w < opts.numWorkers; w++) {
      const worker = new Worker(source, {
        eval: true,
        execArgv: workerExecArgv(),
        workerData: {
          recipe: opts.recipe,
          collate: opts.collate,
          workerId: w,
          numWorkers: opts.numWorkers,
          seed: opts.baseSeed + w,
          workerInit: opts.workerInit,
        },
      });
      this.workers.push(worker);
      readies.push(
        new Promise<void>((resolve, reject) => {
          worker.on('message', (msg: { type: string; id?: number; batch?: unknown; message?: string }) => {
            if (msg.type === 'ready') resolve();
            else if (msg.type === 'fatal') {
              const err = new Error(`DataLoader worker ${w} failed to start:\n${msg.message}`);
              this.fail(err);
              reject(err);
            } else if (msg.type === 'result' || msg.type === 'error') {
              const p = this.pending.get(msg.id!);
              if (!p) return;
              this.pending.delete(msg.id!);
              this.updateRef();
              if (msg.type === 'result') p.resolve(decodeValue(msg.batch));
              else p.reject(new Error(`Caught an error in DataLoader worker ${w}:\n${msg.message}`));
            }
          });
          worker.on('error', (e) => {
            const err = new Error(`DataLoader worker ${w} crashed: ${e.stack ?? e.message}`);
            this.fail(err);
            reject(err);
          });
          worker.on('exit', (code) => {
            if (!this.closed) {
              const err = new Error(`DataLoader worker ${w} exited unexpectedly with code ${code}`);
              this.fail(err);
              reject(err);
            }
          });
        }),
      );
    }
    this.ready = Promise.all(readies).then(() => undefined);
    this.ready.catch(() => undefined);
  }

  get size(): number {
    return this.workers.length;
  }

  waitReady(): Promise<void> {
    return this.ready;
  }

  private fail(err: Error): void {
    if (this.fatal) return;
    this.fatal = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Workers keep the process alive only while they have work in flight. */
  private updateRef(): void {
    const busy = this.pending.size > 0;
    for (const w of this.workers) {
      if (busy) w.ref();
      else w.unref();
    }
  }

  /** Sends one task (indices of one batch) to worker `w`; resolves with the decoded batch. */
  submit(w: number, indices: number[]): Promise<unknown> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new Error('DataLoader worker pool is closed'));
    const id = this.nextId++;
    const promise = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject, worker: w }));
    this.updateRef();
    this.workers[w].postMessage({ type: 'task', id, indices });
    if (this.opts.timeout > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timed = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`DataLoader timed out after ${this.opts.timeout} ms waiting for a batch from worker ${w}`)), this.opts.timeout);
        timer.unref();
      });
      return Promise.race([promise, timed]).finally(() => clearTimeout(timer));
    }
    return promise;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('DataLoader worker pool closed'));
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export const workerEntryPath = (): string => fileURLToPath(ENTRY);
