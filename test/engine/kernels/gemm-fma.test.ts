// The relaxed-SIMD (FMA) variant of the wasm kernel. Node 20 ships relaxed SIMD behind a V8 flag, so this file (its
// own worker process) turns the flag on first, as index.ts does for the default kernel; from Node 22 it is on already.
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { check, SCALARS, SHAPES, TRANS } from './reference.ts';
import { WasmSgemm, wasmRelaxedSimdSupported } from '../../../lib/engine/kernels/wasm-sgemm.ts';

setFlagsFromString('--experimental-wasm-relaxed-simd');

describe('wasm sgemm with f32x4.relaxed_madd', () => {
  it('validates once relaxed SIMD is on', () => {
    expect(wasmRelaxedSimdSupported()).toBe(true);
  });
  for (const [name, opts] of [
    ['4x8', {}],
    ['4x12 tiny blocks', { nrv: 3, kc: 64, mc: 8, nc: 24 }],
  ] as const) {
    it(`${name}: every transpose combination x shape x alpha/beta, and K = 1024 accuracy`, () => {
      const w = new WasmSgemm({ ...opts, fma: true });
      expect(w.fma).toBe(true);
      const gemm = w.gemm.bind(w);
      let seed = 3000;
      for (const [tA, tB] of TRANS) {
        for (const [M, N, K] of SHAPES) {
          const [alpha, beta] = SCALARS[seed % SCALARS.length]!;
          check(gemm, Float32Array, { tA, tB, M, N, K, alpha, beta, pad: seed % 2 }, seed++, 2e-6);
        }
        check(gemm, Float32Array, { tA, tB, M: 9, N: 10, K: 1024, alpha: 1, beta: 0, pad: 1 }, 77, 1e-5);
      }
    });
  }
});
