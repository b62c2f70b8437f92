import { randint } from '../engine/index.ts';

// Seeded index generator for samplers and randomSplit. The engine's Generator drives tensor RNG;
// index shuffling only needs a fast, reproducible stream of uint32s, so it has its own small
// xoshiro128** state (seeded through splitmix32), independent of tensor ops.

export class IndexGenerator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private initialSeed = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Reseeds the stream; the same seed always gives the same sequence (as torch.Generator.manual_seed). */
  manualSeed(seed: number): this {
    this.initialSeed = seed;
    let x = (Math.floor(seed) >>> 0) ^ (Math.floor(seed / 2 ** 32) >>> 0) * 0x9e3779b1;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    return this;
  }

  seed(): number {
    return this.initialSeed;
  }

  /** Next uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). */
  randint(n: number): number {
    if (!(n > 0)) throw new RangeError(`randint: upper bound must be positive, got ${n}`);
    if (n <= 2 ** 32) {
      const limit = 2 ** 32 - (2 ** 32 % n);
      for (;;) {
        const r = this.nextUint32();
        if (r < limit) return r % n;
      }
    }
    return Math.floor(this.random() * n);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates), as torch.randperm. */
  randperm(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.randint(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A fresh seed for a sampler that was given no generator. As PyTorch, it is drawn from the global
 * tensor RNG, so `manualSeed(n)` makes shuffling reproducible.
 */
export function drawDefaultSeed(): number {
  const [hi, lo] = randint(0, 2 ** 26, [2]).dataSync();
  return hi * 2 ** 26 + lo;
}
