// Samplers: which dataset indices an epoch visits, in which order (torch.utils.data.sampler).
import { IndexGenerator, drawDefaultSeed } from './rng.ts';

/** An epoch's worth of indices. Iterating again starts a new epoch (random samplers reshuffle). */
export interface Sampler<T = number> extends Iterable<T> {
  readonly length: number;
}

export class SequentialSampler implements Sampler<number> {
  constructor(private readonly source: { readonly length: number }) {}
  get length(): number {
    return this.source.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.source.length;
    for (let i = 0; i < n; i++) yield i;
  }
}

export interface RandomSamplerOptions {
  replacement?: boolean;
  numSamples?: number;
  /** A seed or generator. Without one, each epoch draws its seed from the global RNG (see rng.ts). */
  generator?: IndexGenerator | number;
}

function toGenerator(g: IndexGenerator | number | undefined): IndexGenerator | null {
  if (g === undefined) return null;
  return g instanceof IndexGenerator ? g : new IndexGenerator(g);
}

/** Random order; a new permutation every epoch (torch RandomSampler). */
export class RandomSampler implements Sampler<number> {
  readonly replacement: boolean;
  private readonly numSamplesOpt: number | undefined;
  readonly generator: IndexGenerator | null;

  constructor(private readonly source: { readonly length: number }, opts: RandomSamplerOptions = {}) {
    this.replacement = opts.replacement ?? false;
    this.numSamplesOpt = opts.numSamples;
    if (this.numSamplesOpt !== undefined && (!Number.isInteger(this.numSamplesOpt) || this.numSamplesOpt <= 0)) {
      throw new RangeError(`RandomSampler: numSamples should be a positive integer value, but got numSamples=${this.numSamplesOpt}`);
    }
    this.generator = toGenerator(opts.generator);
  }

  get length(): number {
    return this.numSamplesOpt ?? this.source.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.source.length;
    const gen = this.generator ?? new IndexGenerator(drawDefaultSeed());
    const total = this.length;
    if (this.replacement) {
      for (let i = 0; i < total; i++) yield gen.randint(n);
      return;
    }
    let remaining = total;
    while (remaining > 0) {
      const perm = gen.randperm(n);
      const take = Math.min(remaining, n);
      for (let i = 0; i < take; i++) yield perm[i];
      remaining -= take;
    }
  }
}

/** Random order over a fixed list of indices (torch SubsetRandomSampler). */
export class SubsetRandomSampler implements Sampler<number> {
  readonly indices: readonly number[];
  readonly generator: IndexGenerator | null;
  constructor(indices: ArrayLike<number>, generator?: IndexGenerator | number) {
    this.indices = Array.from(indices);
    this.generator = toGenerator(generator);
  }
  get length(): number {
    return this.indices.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    const gen = this.generator ?? new IndexGenerator(drawDefaultSeed());
    const perm = gen.randperm(this.indices.length);
    for (let i = 0; i < perm.length; i++) yield this.indices[perm[i]];
  }
}

/** Draws indices with probability proportional to `weights` (torch WeightedRandomSampler). */
export class WeightedRandomSampler implements Sampler<number> {
  private readonly cdf: Float64Array;
  readonly generator: IndexGenerator | null;
  constructor(weights: ArrayLike<number>, readonly numSamples: number, readonly replacement = true, generator?: IndexGenerator | number) {
    if (!Number.isInteger(numSamples) || numSamples <= 0) throw new RangeError(`WeightedRandomSampler: numSamples should be a positive integer value, but got numSamples=${numSamples}`);
    this.cdf = new Float64Array(weights.length);
    let acc = 0;
    for (let i = 0; i < weights.length; i++) {
      if (!(weights[i] >= 0)) throw new RangeError(`WeightedRandomSampler: weights must be non-negative, got ${weights[i]} at ${i}`);
      acc += weights[i];
      this.cdf[i] = acc;
    }
    if (!(acc > 0)) throw new RangeError('WeightedRandomSampler: the weights sum to zero');
    if (!replacement && numSamples > weights.length) throw new RangeError(`WeightedRandomSampler: cannot draw ${numSamples} samples without replacement from ${weights.length} weights`);
    this.generator = toGenerator(generator);
  }
  get length(): number {
    return this.numSamples;
  }
  *[Symbol.iterator](): Iterator<number> {
    const gen = this.generator ?? new IndexGenerator(drawDefaultSeed());
    const cdf = this.replacement ? this.cdf : this.cdf.slice();
    const taken = new Uint8Array(cdf.length);
    for (let s = 0; s < this.numSamples; s++) {
      let idx: number;
      do {
        const r = gen.random() * cdf[cdf.length - 1];
        let lo = 0;
        let hi = cdf.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid] > r) hi = mid;
          else lo = mid + 1;
        }
        idx = lo;
      } while (!this.replacement && taken[idx]);
      taken[idx] = 1;
      yield idx;
    }
  }
}

/** Groups another sampler's indices into batches (torch BatchSampler). */
export class BatchSampler implements Sampler<number[]> {
  constructor(readonly sampler: Sampler<number>, readonly batchSize: number, readonly dropLast: boolean) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`BatchSampler: batchSize should be a positive integer value, but got batchSize=${batchSize}`);
  }
  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const idx of this.sampler) {
      batch.push(idx);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
