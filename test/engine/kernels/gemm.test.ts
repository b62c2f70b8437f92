// sgemm / dgemm against a float64 naive reference: every backend x every transpose combination x awkward sizes x
// alpha/beta x offsets and row strides, plus the kernels' internal paths (edge panels, block boundaries, splitting).
import { afterAll, describe, expect, it } from 'vitest';
import { dgemm, gemmBackend, gemmInfo, setGemmBackend, sgemm, SMALL_FLOPS, type GemmBackend } from '../../../lib/engine/kernels/index.ts';
import { gemmBlocked, gemmSmall } from '../../../lib/engine/kernels/js-gemm.ts';
import { WasmSgemm, wasmRelaxedSimdSupported, wasmSimdSupported } from '../../../lib/engine/kernels/wasm-sgemm.ts';

type F = Float32Array | Float64Array;
type Gemm<T extends F> = (tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, A: T, aOff: number,
  lda: number, B: T, bOff: number, ldb: number, beta: number, C: T, cOff: number, ldc: number) => void;

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case { tA: boolean; tB: boolean; M: number; N: number; K: number; alpha: number; beta: number; pad: number }

/**
 * Runs one case: operands live inside larger buffers at an offset with row stride cols + pad; C starts as NaN
 * when beta == 0 (must be ignored). Checks every element against a float64 reference with a tolerance scaled by
 * sum |a||b| (float32 accumulation order differs from the naive loop), and that nothing outside C's view changed.
 */
function check<T extends F>(gemm: Gemm<T>, Arr: { new (n: number): T }, c: Case, seed: number, rel: number): void {
  const { tA, tB, M, N, K, alpha, beta, pad } = c;
  const rand = rng(seed);
  const aRows = tA ? K : M, aCols = tA ? M : K, bRows = tB ? N : K, bCols = tB ? K : N;
  const lda = aCols + pad, ldb = bCols + pad, ldc = N + pad;
  const aOff = 3 * pad + 1, bOff = 2 * pad + 5, cOff = pad + 2;
  const A = new Arr(aOff + aRows * lda + 7), B = new Arr(bOff + bRows * ldb + 7), C = new Arr(cOff + M * ldc + 7);
  for (let i = 0; i < A.length; i++) A[i] = rand() * 2 - 1;
  for (let i = 0; i < B.length; i++) B[i] = rand() * 2 - 1;
  for (let i = 0; i < C.length; i++) C[i] = rand() * 2 - 1;
  const inView = (idx: number) => {
    const r = Math.floor((idx - cOff) / ldc), col = idx - cOff - r * ldc;
    return idx >= cOff && r < M && col < N;
  };
  if (beta === 0) for (let i = 0; i < C.length; i++) if (inView(i)) C[i] = NaN;
  const C0 = C.slice() as T;
  const a = (i: number, k: number) => A[aOff + (tA ? k * lda + i : i * lda + k)]!;
  const b = (k: number, j: number) => B[bOff + (tB ? j * ldb + k : k * ldb + j)]!;

  gemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);

  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0, mag = 0;
      for (let k = 0; k < K; k++) { s += a(i, k) * b(k, j); mag += Math.abs(a(i, k) * b(k, j)); }
      const c0 = C0[cOff + i * ldc + j]!;
      const want = alpha * s + (beta === 0 ? 0 : beta * c0);
      const tol = rel * (Math.abs(alpha) * mag + Math.abs(beta === 0 ? 0 : beta * c0)) + 1e-30;
      const got = C[cOff + i * ldc + j]!;
      if (!(Math.abs(got - want) <= tol)) {
        throw new Error(`C[${i},${j}] = ${got}, want ${want} (tol ${tol}) for ${JSON.stringify(c)}`);
      }
    }
  }
  for (let i = 0; i < C.length; i++) {
    if (!inView(i) && !Object.is(C[i], C0[i])) throw new Error(`C[${i}] outside the view was modified for ${JSON.stringify(c)}`);
  }
}

const TRANS: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];
const SCALARS: Array<[number, number]> = [[1, 0], [0.5, 0], [1, 1], [-2, 0.25]];

/** Shapes chosen to hit degenerate dims, primes, ragged micro-tiles and block boundaries of both kernels. */
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [1, 7, 13], [13, 1, 7], [7, 13, 1], [2, 3, 5], [17, 19, 23], [33, 65, 130],
  [5, 300, 7],   // N crosses the JS NC=256 block, ragged last panel
  [9, 11, 520],  // K crosses KC=256 twice: beta applied once, later slabs accumulate
  [200, 10, 10], // M crosses the wasm MC=192 block
];

const BACKENDS: GemmBackend[] = wasmSimdSupported() ? ['js', 'wasm-simd'] : ['js'];
const initial = gemmBackend();
afterAll(() => setGemmBackend(initial));

describe('sgemm (public entry, all paths)', () => {
  it('has WebAssembly SIMD on Node 20 and defaults to it', () => {
    expect(wasmSimdSupported()).toBe(true);
    if (!process.env.BOARD_GEMM) expect(initial).toBe('wasm-simd');
    expect(gemmInfo().simd).toBe(true);
  });
  for (const be of BACKENDS) {
    it(`${be}: every transpose combination x shape x alpha/beta, with offsets and strides`, () => {
      setGemmBackend(be);
      let seed = 1;
      for (const [tA, tB] of TRANS) {
        for (const [M, N, K] of SHAPES) {
          for (const [alpha, beta] of SCALARS) {
            check(sgemm, Float32Array, { tA, tB, M, N, K, alpha, beta, pad: seed % 3 === 0 ? 0 : 3 }, seed++, 2e-6);
          }
        }
      }
    });
  }
});

describe('kernels called directly (no small-size shortcut)', () => {
  const kernels: Array<[string, Gemm<Float32Array>]> = [
    ['js blocked', gemmBlocked as Gemm<Float32Array>],
    ['js small', gemmSmall as Gemm<Float32Array>],
    ['wasm 4x8', (...a) => new WasmSgemm().gemm(...a)],
  ];
  // Other generated tiles: the emitter must stay correct for every MR x NR the kernel can be built with.
  const w8x4 = new WasmSgemm({ mr: 8, nrv: 1 });
  const w4x12u2 = new WasmSgemm({ mr: 4, nrv: 3, unroll: 2, kc: 64, mc: 8, nc: 24 });
  kernels.push(['wasm 8x4', (...a) => w8x4.gemm(...a)], ['wasm 4x12 unroll 2, tiny blocks', (...a) => w4x12u2.gemm(...a)]);
  const tiny = new WasmSgemm({ workMaxFloats: 64 });
  kernels.push(['wasm split into sub-problems', (...a) => tiny.gemm(...a)]);
  if (wasmRelaxedSimdSupported()) {
    const fma = new WasmSgemm({ fma: true });
    kernels.push(['wasm relaxed-simd FMA', (...a) => fma.gemm(...a)]);
  }
  for (const [name, gemm] of kernels) {
    it(`${name}: tiny and ragged shapes, all transposes`, () => {
      let seed = 1000;
      for (const [tA, tB] of TRANS) {
        for (const [M, N, K] of [...SHAPES, [4, 8, 1], [3, 9, 300], [70, 30, 17]] as Array<[number, number, number]>) {
          const [alpha, beta] = SCALARS[seed % SCALARS.length]!;
          check(gemm, Float32Array, { tA, tB, M, N, K, alpha, beta, pad: seed % 2 ? 1 : 0 }, seed++, 2e-6);
        }
      }
    });
  }
  it('FMA variant is exercised where the runtime ships relaxed SIMD', () => {
    // Node 20 needs --experimental-wasm-relaxed-simd; say so instead of silently passing.
    if (!wasmRelaxedSimdSupported()) console.log('relaxed SIMD not available in this runtime: FMA kernel not tested');
    expect(typeof wasmRelaxedSimdSupported()).toBe('boolean');
  });
});

describe('accuracy against float64 for long dot products', () => {
  for (const be of BACKENDS) {
    it(`${be}: K = 1024 within 1e-5 of the float64 result (relative to sum |a||b|)`, () => {
      setGemmBackend(be);
      for (const [tA, tB] of TRANS) check(sgemm, Float32Array, { tA, tB, M: 9, N: 10, K: 1024, alpha: 1, beta: 0, pad: 1 }, 77, 1e-5);
    });
  }
});

describe('dgemm', () => {
  it('matches the float64 reference to 1e-13 for every transpose combination and shape', () => {
    let seed = 500;
    for (const [tA, tB] of TRANS) {
      for (const [M, N, K] of SHAPES) {
        for (const [alpha, beta] of SCALARS) check(dgemm, Float64Array, { tA, tB, M, N, K, alpha, beta, pad: 2 }, seed++, 1e-13);
      }
    }
  });
});

describe('degenerate sizes and BLAS conventions', () => {
  for (const be of BACKENDS) {
    it(`${be}: M, N or K = 0; alpha = 0 ignores NaN in A and B`, () => {
      setGemmBackend(be);
      const C = new Float32Array([1, 2, 3, 4]);
      sgemm(false, false, 0, 2, 3, 1, new Float32Array(0), 0, 3, new Float32Array(6), 0, 2, 0, C, 0, 2);
      sgemm(false, false, 2, 0, 3, 1, new Float32Array(6), 0, 3, new Float32Array(0), 0, 0, 0, C, 0, 0);
      expect(Array.from(C)).toEqual([1, 2, 3, 4]);
      sgemm(false, false, 2, 2, 0, 1, new Float32Array(0), 0, 0, new Float32Array(0), 0, 2, 0.5, C, 0, 2);
      expect(Array.from(C)).toEqual([0.5, 1, 1.5, 2]);
      const nan = new Float32Array(4).fill(NaN);
      sgemm(false, false, 2, 2, 2, 0, nan, 0, 2, nan, 0, 2, 2, C, 0, 2);
      expect(Array.from(C)).toEqual([1, 2, 3, 4]);
      C.fill(NaN);
      sgemm(false, false, 2, 2, 0, 1, nan, 0, 0, nan, 0, 2, 0, C, 0, 2);
      expect(Array.from(C)).toEqual([0, 0, 0, 0]);
    });
  }
  it('a large product (above the small-size cutoff) runs the selected backend', () => {
    expect(64 * 64 * 64).toBeGreaterThan(SMALL_FLOPS);
    for (const be of BACKENDS) {
      setGemmBackend(be);
      check(sgemm, Float32Array, { tA: true, tB: false, M: 64, N: 64, K: 64, alpha: 1, beta: 0, pad: 0 }, 9, 2e-6);
      // Dense C whose width is a multiple of the wasm tile: single-memcpy copy-in (beta != 0) and copy-out.
      for (const [tA, tB] of TRANS) check(sgemm, Float32Array, { tA, tB, M: 12, N: 16, K: 40, alpha: 1.5, beta: 0.5, pad: 0 }, 10, 2e-6);
    }
  });
});

describe('argument errors', () => {
  it('names the problem: too-small buffers, overlapping C rows, bad sizes, unknown backend', () => {
    const a = new Float32Array(6), b = new Float32Array(6), c = new Float32Array(4);
    expect(() => sgemm(false, false, 2, 2, 3, 1, new Float32Array(5), 0, 3, b, 0, 2, 0, c, 0, 2))
      .toThrow(/sgemm: A is too small: a 2x3 matrix at offset 0 with row stride 3 reads index 5, but A has length 5/);
    expect(() => sgemm(false, true, 2, 2, 3, 1, a, 0, 3, b, 1, 3, 0, c, 0, 2)).toThrow(/B is too small/);
    expect(() => sgemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 1, 2)).toThrow(/C is too small/);
    expect(() => sgemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 1)).toThrow(/ldc \(1\) must be >= N \(2\)/);
    expect(() => sgemm(false, false, -1, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2)).toThrow(/M must be a non-negative integer/);
    expect(() => dgemm(false, false, 2, 2, 2.5, 1, new Float64Array(6), 0, 3, new Float64Array(6), 0, 2, 0, new Float64Array(4), 0, 2))
      .toThrow(/dgemm: K must be a non-negative integer, got 2.5/);
    expect(() => setGemmBackend('gpu' as GemmBackend)).toThrow(/unknown backend 'gpu'/);
  });
});
