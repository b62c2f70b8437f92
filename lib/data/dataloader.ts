// DataLoader: batches a dataset through a sampler and a collate function (torch.utils.data.DataLoader).
// numWorkers = 0 loads on the calling thread (sync `for...of` and `for await` both work);
// numWorkers > 0 loads in worker_threads with prefetch (`for await` only).
import { defaultCollate, defaultConvert } from './collate.ts';
import type { CollateFn } from './collate.ts';
import type { DatasetLike } from './dataset.ts';
import type { WorkerRecipe } from './recipe.ts';
import { IndexGenerator, drawDefaultSeed } from './rng.ts';
import { BatchSampler, RandomSampler, SequentialSampler } from './sampler.ts';
import type { Sampler } from './sampler.ts';
import { WorkerPool } from './worker-pool.ts';

export interface DataLoaderOptions<S = any, B = any> {
  /** Samples per batch (default 1). `null` turns automatic batching off: one converted sample per step. */
  batchSize?: number | null;
  /** Reshuffle every epoch (a RandomSampler over the dataset). */
  shuffle?: boolean;
  sampler?: Sampler<number>;
  batchSampler?: Sampler<number[]>;
  /** Drop the last incomplete batch. */
  dropLast?: boolean;
  collateFn?: CollateFn<S, B>;
  /** Worker threads; 0 loads on the main thread. */
  numWorkers?: number;
  /** Batches loaded in advance per worker (default 2). */
  prefetchFactor?: number;
  /** Keep the worker threads between epochs (call `close()` at the end). */
  persistentWorkers?: boolean;
  /** Milliseconds to wait for a batch from a worker (0 = no limit). */
  timeout?: number;
  /** Seed or generator for shuffling (and the base seed of workers). */
  generator?: IndexGenerator | number;
  /** How workers rebuild the dataset when it has no `workerRecipe()` (a module URL + exported factory). */
  workerDataset?: WorkerRecipe;
  /** A collate function workers can import; without it a custom collateFn runs on the main thread. */
  workerCollate?: WorkerRecipe;
  /** Called in each worker after the dataset is built: `fn(workerId, ...args)`. */
  workerInitFn?: WorkerRecipe;
  /** Accepted for PyTorch compatibility; CPU-only, so it has no effect. */
  pinMemory?: boolean;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`DataLoader: ${name} should be a positive integer value, but got ${name}=${v}`);
  return v;
}

export class DataLoader<S = any, B = any> implements AsyncIterable<B>, Iterable<B> {
  readonly dataset: DatasetLike<S>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: Sampler<number>;
  readonly batchSampler: Sampler<number[]> | null;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  readonly timeout: number;
  readonly collateFn: CollateFn<S, B>;
  private readonly customCollate: boolean;
  private readonly opts: DataLoaderOptions<S, B>;
  private readonly generator: IndexGenerator | null;
  private pool: WorkerPool | null = null;

  constructor(dataset: DatasetLike<S>, opts: DataLoaderOptions<S, B> = {}) {
    if (dataset === null || typeof dataset !== 'object' || typeof dataset.getItem !== 'function' || typeof dataset.length !== 'number') {
      throw new TypeError('DataLoader: dataset must have a numeric `length` and a `getItem(index)` method');
    }
    this.dataset = dataset;
    this.opts = opts;
    this.numWorkers = opts.numWorkers ?? 0;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) throw new RangeError(`DataLoader: numWorkers option should be a non-negative integer, but got numWorkers=${this.numWorkers}`);
    this.prefetchFactor = positiveInt('prefetchFactor', opts.prefetchFactor ?? 2);
    this.persistentWorkers = opts.persistentWorkers ?? false;
    if (this.persistentWorkers && this.numWorkers === 0) throw new RangeError('DataLoader: persistentWorkers option needs numWorkers > 0');
    this.timeout = opts.timeout ?? 0;
    if (!(this.timeout >= 0)) throw new RangeError(`DataLoader: timeout option should be non-negative, got ${this.timeout}`);
    const shuffle = opts.shuffle ?? false;
    let batchSize = opts.batchSize === undefined ? 1 : opts.batchSize;
    const dropLast = opts.dropLast ?? false;
    this.generator = opts.generator === undefined ? null : opts.generator instanceof IndexGenerator ? opts.generator : new IndexGenerator(opts.generator);

    if (opts.sampler && shuffle) throw new RangeError('DataLoader: sampler option is mutually exclusive with shuffle');
    if (opts.batchSampler) {
      if (batchSize !== 1 || shuffle || opts.sampler || dropLast) {
        throw new RangeError('DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast');
      }
      batchSize = null;
    } else if (batchSize === null && dropLast) {
      throw new RangeError('DataLoader: batchSize=null option disables auto-batching and is mutually exclusive with dropLast');
    }
    this.sampler = opts.sampler ?? (shuffle ? new RandomSampler(dataset, { generator: this.generator ?? undefined }) : new SequentialSampler(dataset));
    if (opts.batchSampler) this.batchSampler = opts.batchSampler;
    else if (batchSize !== null) this.batchSampler = new BatchSampler(this.sampler, positiveInt('batchSize', batchSize), dropLast);
    else this.batchSampler = null;
    this.batchSize = opts.batchSampler ? null : batchSize;
    this.dropLast = dropLast;
    this.customCollate = opts.collateFn !== undefined;
    this.collateFn = opts.collateFn ?? ((this.batchSampler ? defaultCollate : (s: S[]) => defaultConvert(s[0])) as CollateFn<S, B>);
  }

  /** Number of batches per epoch (PyTorch's len(loader)). */
  get length(): number {
    return this.batchSampler ? this.batchSampler.length : this.sampler.length;
  }

  /** Index lists for one epoch: one list per step. */
  private *indexBatches(): Generator<number[]> {
    if (this.batchSampler) yield* this.batchSampler;
    else for (const i of this.sampler) yield [i];
  }

  [Symbol.iterator](): Iterator<B> {
    if (this.numWorkers > 0) {
      throw new TypeError(`DataLoader: with numWorkers=${this.numWorkers} batches arrive asynchronously; iterate with \`for await (const batch of loader)\``);
    }
    return this.syncBatches();
  }

  private *syncBatches(): Generator<B> {
    for (const indices of this.indexBatches()) {
      const samples = new Array<S>(indices.length);
      for (let i = 0; i < indices.length; i++) {
        const s = this.dataset.getItem(indices[i]);
        if (s instanceof Promise) {
          throw new TypeError('DataLoader: the dataset returned a Promise from getItem; iterate with `for await (const batch of loader)`');
        }
        samples[i] = s;
      }
      yield this.collateFn(samples);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<B> {
    return this.numWorkers > 0 ? this.workerBatches() : this.asyncBatches();
  }

  private async *asyncBatches(): AsyncGenerator<B> {
    for (const indices of this.indexBatches()) {
      const samples = new Array<S>(indices.length);
      for (let i = 0; i < indices.length; i++) samples[i] = await this.dataset.getItem(indices[i]);
      yield this.collateFn(samples);
    }
  }

  private workerRecipe(): WorkerRecipe {
    const recipe = this.opts.workerDataset ?? this.dataset.workerRecipe?.() ?? null;
    if (!recipe) {
      throw new TypeError(
        `DataLoader: numWorkers=${this.numWorkers} needs to rebuild the dataset in worker threads, but ${this.dataset.constructor?.name ?? 'the dataset'} ` +
          'has no workerRecipe(). Pass `workerDataset: { module: import.meta.url, export: "makeDataset", args: [...] }` ' +
          '(a module exporting a factory that returns the dataset), or use numWorkers: 0.',
      );
    }
    return recipe;
  }

  private async startPool(): Promise<WorkerPool> {
    if (this.pool) return this.pool;
    let collate: 'default' | 'none' | 'convert' | WorkerRecipe;
    if (this.opts.workerCollate) collate = this.opts.workerCollate;
    else if (this.customCollate) collate = 'none';
    else collate = this.batchSampler ? 'default' : 'convert';
    const baseSeed = this.generator ? this.generator.nextUint32() : drawDefaultSeed() % 2 ** 32;
    const pool = new WorkerPool({
      recipe: this.workerRecipe(),
      numWorkers: this.numWorkers,
      collate,
      baseSeed,
      workerInit: this.opts.workerInitFn ?? null,
      timeout: this.timeout,
    });
    try {
      await pool.waitReady();
    } catch (e) {
      await pool.close();
      throw e;
    }
    if (this.persistentWorkers) this.pool = pool;
    return pool;
  }

  private async *workerBatches(): AsyncGenerator<B> {
    const pool = await this.startPool();
    const collateHere = this.customCollate && !this.opts.workerCollate;
    const indexIter = this.indexBatches();
    const inFlight: Promise<unknown>[] = [];
    let sent = 0;
    const sendNext = (): boolean => {
      const r = indexIter.next();
      if (r.done) return false;
      const p = pool.submit(sent % pool.size, r.value);
      p.catch(() => undefined); // surfaced when awaited in order
      inFlight.push(p);
      sent++;
      return true;
    };
    try {
      for (let i = 0; i < this.prefetchFactor * this.numWorkers; i++) if (!sendNext()) break;
      while (inFlight.length > 0) {
        const result = await inFlight.shift()!;
        sendNext();
        yield (collateHere ? this.collateFn(result as S[]) : result) as B;
      }
    } finally {
      if (!this.persistentWorkers) await pool.close();
    }
  }

  /** Stops persistent workers. Safe to call at any time. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await pool.close();
  }
}
