// Seeded random numbers: a global default generator (manualSeed) and explicit Generators.
// Deterministic for a given seed; the stream is our own (xoshiro128**), not PyTorch's Mersenne Twister.
import { allocate, castScalar, type DType } from './dtype.ts';
import { numelOf, RowIter } from './layout.ts';
import { Tensor } from './tensor.ts';
import { shapeAndOpts, type CreationOptions } from './creation.ts';
import type { ShapeArg } from './tensor.ts';
import { checkDevice } from './device.ts';
import { broadcastShapes } from './layout.ts';

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A random number generator (torch.Generator). */
export class Generator {
  private s = new Uint32Array(4);
  private seedValue = 0;
  private spare: number | null = null;

  constructor(seed = 67280421310721) {
    this.manualSeed(seed);
  }

  /** Reset the stream; seeds may be any integer (bigints and numbers above 2^32 fold both halves). */
  manualSeed(seed: number | bigint): this {
    const big = BigInt.asUintN(64, BigInt(seed));
    this.seedValue = Number(big);
    const mix = splitmix32(Number(big & 0xffffffffn) ^ Math.imul(Number(big >> 32n), 0x27d4eb2d));
    for (let i = 0; i < 4; i++) this.s[i] = mix();
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
    this.spare = null;
    return this;
  }
  initialSeed(): number {
    return this.seedValue;
  }
  /** Snapshot / restore the state (for reproducible data pipelines). */
  getState(): Uint32Array {
    const st = new Uint32Array(5);
    st.set(this.s);
    st[4] = this.spare === null ? 0 : 1;
    return st;
  }
  setState(st: Uint32Array): this {
    this.s.set(st.subarray(0, 4));
    this.spare = null;
    return this;
  }

  /** Next 32 random bits (xoshiro128**). */
  nextUint32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }
  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5,
      lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }
  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The global generator (torch.default_generator). */
export const defaultGenerator = new Generator();

/** Seed the global generator (torch.manual_seed); returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
export function initialSeed(): number {
  return defaultGenerator.initialSeed();
}

export interface RandomOptions extends CreationOptions {
  generator?: Generator;
}

function fillWith(t: Tensor, draw: () => number): void {
  const it = new RowIter(t.shape, t.strides, t.offset);
  if (!it.any) return;
  const d = t.dtype;
  do {
    let p = it.p0;
    for (let i = 0; i < it.len; i++) {
      t.storage[p] = castScalar(draw(), d);
      p += it.s0;
    }
  } while (it.next());
}

export function uniformFill(t: Tensor, from: number, to: number, g = defaultGenerator): void {
  fillWith(t, () => from + (to - from) * g.random());
}
export function normalFill(t: Tensor, mean: number, std: number, g = defaultGenerator): void {
  fillWith(t, () => mean + std * g.normal());
}
export function bernoulliFill(t: Tensor, p: number, g = defaultGenerator): void {
  fillWith(t, () => (g.random() < p ? 1 : 0));
}

function make(
  args: readonly (ShapeArg | RandomOptions)[],
  fill: (t: Tensor, g: Generator) => void,
  defaultDtype: DType = 'float32',
): Tensor {
  const [shape, opts] = shapeAndOpts<RandomOptions>(args);
  const d = opts.dtype ?? defaultDtype;
  checkDevice(opts.device);
  const t = Tensor.fromTypedArray(allocate(d, numelOf(shape)), shape, d);
  fill(t, opts.generator ?? defaultGenerator);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Uniform [0, 1). */
export function rand(...args: (ShapeArg | RandomOptions)[]): Tensor {
  return make(args, (t, g) => uniformFill(t, 0, 1, g));
}
/** Standard normal. */
export function randn(...args: (ShapeArg | RandomOptions)[]): Tensor {
  return make(args, (t, g) => normalFill(t, 0, 1, g));
}
/** Integers in [low, high) (int64 by default). `randint(high, shape)` or `randint(low, high, shape)`. */
export function randint(
  low: number,
  high: number | readonly number[],
  shape?: readonly number[] | RandomOptions,
  opts: RandomOptions = {},
): Tensor {
  let lo = low,
    hi: number,
    sh: readonly number[];
  if (Array.isArray(high)) {
    lo = 0;
    hi = low;
    sh = high;
    if (shape && !Array.isArray(shape)) opts = shape as RandomOptions;
  } else {
    hi = high as number;
    sh = (shape as readonly number[]) ?? [];
  }
  if (hi <= lo) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${lo} >= to=${hi}`);
  return make([[...sh], opts], (t, g) => fillWith(t, () => g.randint(lo, hi)), 'int64');
}
/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  checkDevice(opts.device);
  const g = opts.generator ?? defaultGenerator;
  const d = opts.dtype ?? 'int64';
  const arr = allocate(d, n);
  for (let i = 0; i < n; i++) arr[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.randint(0, i + 1);
    const tmp = arr[i]!;
    arr[i] = arr[j]!;
    arr[j] = tmp;
  }
  return Tensor.fromTypedArray(arr, [n], d);
}
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return rand(t.shape, { ...opts, dtype: opts.dtype ?? t.dtype });
}
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return randn(t.shape, { ...opts, dtype: opts.dtype ?? t.dtype });
}
export function randintLike(t: Tensor, low: number, high: number, opts: RandomOptions = {}): Tensor {
  return randint(low, high, t.shape, { ...opts, dtype: opts.dtype ?? t.dtype });
}

/** Bernoulli draws with per-element probabilities p (no gradient). */
export function bernoulli(p: Tensor, opts: { generator?: Generator } = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const src = p.contiguous().dataSync();
  const out = allocate(p.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = g.random() < src[i]! ? 1 : 0;
  return Tensor.fromTypedArray(out, p.shape, p.dtype);
}

/** Sample indices from rows of non-negative weights. */
export function multinomial(probs: Tensor, numSamples: number, replacement = false, opts: { generator?: Generator } = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const rows = probs.dim() === 1 ? 1 : probs.shape[0]!,
    n = probs.shape[probs.dim() - 1]!;
  if (!replacement && numSamples > n)
    throw new RangeError(`multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement (${numSamples} > ${n})`);
  const w = probs.contiguous().dataSync();
  const out = allocate('int64', rows * numSamples);
  const row = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) row[i] = w[r * n + i]!;
    for (let s = 0; s < numSamples; s++) {
      let total = 0;
      for (let i = 0; i < n; i++) total += row[i]!;
      let u = g.random() * total,
        k = 0;
      while (k < n - 1 && (u -= row[k]!) >= 0) k++;
      while (row[k] === 0 && k > 0) k--;
      out[r * numSamples + s] = k;
      if (!replacement) row[k] = 0;
    }
  }
  return Tensor.fromTypedArray(out, probs.dim() === 1 ? [numSamples] : [rows, numSamples], 'int64');
}

/**
 * torch.normal, all four overloads: (Tensor mean, Tensor std), (Tensor mean, number std = 1), (number mean, Tensor std)
 * and (number mean, number std, size). Tensor arguments broadcast; the result has their floating dtype (the
 * (number, number, size) form takes `dtype`, default float32). std must be >= 0, as PyTorch checks.
 */
export function normal(mean: Tensor, std?: Tensor | number, opts?: RandomOptions): Tensor;
export function normal(mean: number, std: Tensor, opts?: RandomOptions): Tensor;
export function normal(mean: number, std: number, size: readonly number[], opts?: RandomOptions): Tensor;
export function normal(
  mean: Tensor | number,
  std: Tensor | number = 1,
  sizeOrOpts?: readonly number[] | RandomOptions,
  maybeOpts: RandomOptions = {},
): Tensor {
  const size = Array.isArray(sizeOrOpts) ? (sizeOrOpts as readonly number[]) : null;
  const opts = (Array.isArray(sizeOrOpts) ? maybeOpts : (sizeOrOpts as RandomOptions | undefined)) ?? {};
  checkDevice(opts.device);
  const g = opts.generator ?? defaultGenerator;
  if (!(mean instanceof Tensor) && !(std instanceof Tensor)) {
    if (!size)
      throw new TypeError(
        'normal() received an invalid combination of arguments - got (number, number), but expected one of: (Tensor mean, Tensor std), (Tensor mean, float std), (float mean, Tensor std), (float mean, float std, tuple of ints size)',
      );
    if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
    return make([[...size], opts], (t) => normalFill(t, mean, std, g));
  }
  if (size) throw new TypeError('normal(): size is only taken with a number mean and a number std');
  const floatOf = (t: Tensor) => {
    if (t.dtype !== 'float32' && t.dtype !== 'float64')
      throw new TypeError(
        `"normal_kernel_cpu" not implemented for '${t.dtype === 'int64' ? 'Long' : t.dtype === 'int32' ? 'Int' : t.dtype === 'uint8' ? 'Byte' : 'Bool'}'`,
      );
    return t.dtype;
  };
  if (typeof std === 'number' && !(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
  const mT = mean instanceof Tensor ? mean : null,
    sT = std instanceof Tensor ? std : null;
  const d =
    opts.dtype ?? (mT && sT ? (floatOf(mT) === 'float64' || floatOf(sT) === 'float64' ? 'float64' : 'float32') : floatOf((mT ?? sT)!));
  if (sT) {
    const sd = sT.contiguous().dataSync();
    for (let i = 0; i < sd.length; i++) if (!(sd[i]! >= 0)) throw new RangeError('normal expects all elements of std >= 0.0');
  }
  const shape = broadcastShapes(mT ? mT.shape : [], sT ? sT.shape : [], 'normal');
  const out = Tensor.fromTypedArray(allocate(d, numelOf(shape)), shape, d);
  const at = (t: Tensor | null, scalar: number) => {
    if (!t) return () => scalar;
    const vals = t.detach().expand(shape).contiguous().dataSync();
    let k = 0;
    return () => Number(vals[k++]);
  };
  const nm = at(mT, Number(mean)),
    ns = at(sT, Number(std));
  const o = out.storage;
  for (let i = 0; i < o.length; i++) {
    const m = nm(),
      sdev = ns();
    o[i] = castScalar(m + sdev * g.normal(), d);
  }
  return out;
}
