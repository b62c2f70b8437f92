// sgemm / dgemm against a float64 naive reference: every backend x every transpose combination x awkward sizes x
// alpha/beta x offsets and row strides, plus the kernels' internal paths (edge panels, block boundaries, splitting).
import { afterAll, describe, expect, it } from 'vitest';
import { check, SCALARS, SHAPES, TRANS, type Gemm } from './reference.ts';
import { dgemm, gemmBackend, gemmInfo, setGemmBackend, sgemm, SMALL_FLOPS, type GemmBackend } from '../../../lib/engine/kernels/index.ts';
import { gemmBlocked, gemmSmall } from '../../../lib/engine/kernels/js-gemm.ts';
import { WasmSgemm, wasmSimdSupported } from '../../../lib/engine/kernels/wasm-sgemm.ts';
import { nativeAddon } from '../../../lib/engine/kernels/native.ts';

const BACKENDS: GemmBackend[] = [
  ...(wasmSimdSupported() ? (['js', 'wasm-simd'] as const) : (['js'] as const)),
  ...(nativeAddon() ? (['native'] as const) : []),
];
const initial = gemmBackend();
afterAll(() => setGemmBackend(initial));

describe('sgemm (public entry, all paths)', () => {
  it('has WebAssembly SIMD on Node 20 and defaults to native where the addon is built, else to wasm-simd', () => {
    expect(wasmSimdSupported()).toBe(true);
    if (!process.env.BOARD_GEMM && !process.env.BOARD_BACKEND) expect(initial).toBe(nativeAddon() ? 'native' : 'wasm-simd');
    if (process.env.BOARD_BACKEND === 'native') expect(initial).toBe('native');
    if (process.env.BOARD_BACKEND === 'wasm') expect(initial).toBe('wasm-simd');
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
  // 1 page = 16k floats: larger problems cannot grow memory and must fall back to the JS kernel, correctly.
  const capped = new WasmSgemm({ maxMemoryPages: 1 });
  kernels.push(['wasm with capped memory (JS fallback)', (...a) => capped.gemm(...a)]);
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
      // Narrow slices of wide matrices (row stride >> row length): the wasm path copies them in row by row.
      for (const [tA, tB] of TRANS) check(sgemm, Float32Array, { tA, tB, M: 20, N: 24, K: 6, alpha: 1, beta: 0.5, pad: 60 }, 11, 2e-6);
      // Dense C whose width is a multiple of the wasm tile: single-memcpy copy-in (beta != 0) and copy-out.
      for (const [tA, tB] of TRANS) check(sgemm, Float32Array, { tA, tB, M: 12, N: 16, K: 40, alpha: 1.5, beta: 0.5, pad: 0 }, 10, 2e-6);
    }
  });
});

describe('zero row strides (broadcast views the engine may pass)', () => {
  for (const be of BACKENDS) {
    it(`${be}: lda = 0 repeats one row of A; ldb = 0 on B^T repeats one column`, () => {
      setGemmBackend(be);
      const M = 9,
        N = 13,
        K = 21;
      const row = Float32Array.from({ length: K }, (_, k) => Math.sin(k + 1));
      const B = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i));
      const C = new Float32Array(M * N);
      sgemm(false, false, M, N, K, 1, row, 0, 0, B, 0, N, 0, C, 0, N);
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += row[k]! * B[k * N + j]!;
          expect(C[i * N + j]).toBeCloseTo(s, 5);
        }
      const A = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i));
      sgemm(false, true, M, N, K, 1, A, 0, K, row, 0, 0, 0, C, 0, N);
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += A[i * K + k]! * row[k]!;
          expect(C[i * N + j]).toBeCloseTo(s, 5);
        }
    });
  }
});

describe('argument errors', () => {
  it('names the problem: too-small buffers, overlapping C rows, bad sizes, unknown backend', () => {
    const a = new Float32Array(6),
      b = new Float32Array(6),
      c = new Float32Array(4);
    expect(() => sgemm(false, false, 2, 2, 3, 1, new Float32Array(5), 0, 3, b, 0, 2, 0, c, 0, 2)).toThrow(
      /sgemm: A is too small: a 2x3 matrix at offset 0 with row stride 3 reads index 5, but A has length 5/,
    );
    expect(() => sgemm(false, true, 2, 2, 3, 1, a, 0, 3, b, 1, 3, 0, c, 0, 2)).toThrow(/B is too small/);
    expect(() => sgemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 1, 2)).toThrow(/C is too small/);
    expect(() => sgemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 1)).toThrow(/ldc \(1\) must be >= N \(2\)/);
    expect(() => sgemm(false, false, -1, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2)).toThrow(/M must be a non-negative integer/);
    expect(() =>
      dgemm(false, false, 2, 2, 2.5, 1, new Float64Array(6), 0, 3, new Float64Array(6), 0, 2, 0, new Float64Array(4), 0, 2),
    ).toThrow(/dgemm: K must be a non-negative integer, got 2.5/);
    expect(() => setGemmBackend('gpu' as GemmBackend)).toThrow(/unknown backend 'gpu'/);
  });
});
