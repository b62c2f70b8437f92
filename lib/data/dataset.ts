// Map-style datasets, as torch.utils.data: a Dataset answers `length` and `getItem(i)`.
import { IndexGenerator, drawDefaultSeed } from './rng.ts';
import type { WorkerRecipe } from './recipe.ts';
import { siblingModule } from '../worker-threads.ts';

// recipe.ts from source (tsx), recipe.js from the compiled package: a worker imports it by URL.
const RECIPE_MODULE = siblingModule('recipe', import.meta.url).href;

/** Anything the DataLoader can read: PyTorch's map-style dataset protocol (`__len__` + `__getitem__`). */
export interface DatasetLike<T = unknown> {
  readonly length: number;
  getItem(index: number): T | Promise<T>;
  /** How a worker thread rebuilds this dataset (numWorkers > 0); see lib/data/recipe.ts. */
  workerRecipe?(): WorkerRecipe | null;
}

/** Base class for user datasets: implement `length` and `getItem` (PyTorch's `__len__`/`__getitem__`). */
export abstract class Dataset<T = unknown> implements DatasetLike<T> {
  abstract get length(): number;
  abstract getItem(index: number): T | Promise<T>;

  /** `ds.concat(other)` is PyTorch's `ds + other`. */
  concat(other: DatasetLike<T>): ConcatDataset<T> {
    return new ConcatDataset<T>([this, other]);
  }

  workerRecipe?(): WorkerRecipe | null;
}

/** Throws a RangeError naming the dataset when `index` is outside [-length, length). Returns the non-negative index. */
export function checkIndex(index: number, length: number, what: string): number {
  if (!Number.isInteger(index)) throw new TypeError(`${what}: index must be an integer, got ${index}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new RangeError(`${what}: index ${index} is out of range for a dataset of length ${length}`);
  return i;
}

/** A view on a dataset at the given indices (torch.utils.data.Subset). */
export class Subset<T = unknown> extends Dataset<T> {
  readonly dataset: DatasetLike<T>;
  readonly indices: readonly number[];

  constructor(dataset: DatasetLike<T>, indices: ArrayLike<number>) {
    super();
    this.dataset = dataset;
    this.indices = Array.from(indices);
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T | Promise<T> {
    return this.dataset.getItem(this.indices[checkIndex(index, this.indices.length, 'Subset')]);
  }

  override workerRecipe(): WorkerRecipe | null {
    const inner = this.dataset.workerRecipe?.() ?? null;
    if (!inner) return null;
    return { module: RECIPE_MODULE, export: 'subsetFromRecipe', args: [inner, this.indices] };
  }
}

/** Datasets one after another (torch.utils.data.ConcatDataset). */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  readonly datasets: DatasetLike<T>[];
  /** Running totals of the lengths, as PyTorch's `cumulative_sizes`. */
  readonly cumulativeSizes: number[];

  constructor(datasets: Iterable<DatasetLike<T>>) {
    super();
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new Error('ConcatDataset: datasets should not be an empty iterable');
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  getItem(index: number): T | Promise<T> {
    const i = checkIndex(index, this.length, 'ConcatDataset');
    // Binary search for the first dataset whose cumulative size exceeds i (bisect_right).
    let lo = 0;
    let hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid] > i) hi = mid;
      else lo = mid + 1;
    }
    const start = lo === 0 ? 0 : this.cumulativeSizes[lo - 1];
    return this.datasets[lo].getItem(i - start);
  }

  override workerRecipe(): WorkerRecipe | null {
    const inner = this.datasets.map((d) => d.workerRecipe?.() ?? null);
    if (inner.some((r) => r === null)) return null;
    return { module: RECIPE_MODULE, export: 'concatFromRecipes', args: [inner] };
  }
}

/**
 * Splits a dataset into non-overlapping random subsets (torch.utils.data.random_split). `lengths` are
 * counts summing to the dataset length, or fractions summing to 1 (remainders go round-robin to the
 * first subsets, as PyTorch). `generator` is a seed or an IndexGenerator.
 */
export function randomSplit<T>(dataset: DatasetLike<T>, lengths: number[], generator?: IndexGenerator | number): Subset<T>[] {
  const n = dataset.length;
  let counts = lengths.slice();
  const fractional = lengths.length > 0 && Math.abs(lengths.reduce((a, b) => a + b, 0) - 1) < 1e-9 && lengths.some((l) => !Number.isInteger(l) || l <= 1);
  if (fractional && lengths.reduce((a, b) => a + b, 0) !== n) {
    for (const f of lengths) if (f < 0 || f > 1) throw new RangeError(`randomSplit: fraction ${f} is not between 0 and 1`);
    counts = lengths.map((f) => Math.floor(n * f));
    let remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; remainder > 0; i = (i + 1) % counts.length, remainder--) counts[i] += 1;
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== n) throw new RangeError(`randomSplit: sum of input lengths (${total}) does not equal the length of the input dataset (${n})`);
  const gen = generator instanceof IndexGenerator ? generator : new IndexGenerator(generator ?? drawDefaultSeed());
  const perm = gen.randperm(n);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.subarray(offset, offset + c)));
    offset += c;
  }
  return out;
}
