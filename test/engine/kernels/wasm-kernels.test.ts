// The WebAssembly backend's fused training kernels (lib/engine/kernels/wasm-kernels.ts) against scalar float32
// references written from the C kernels' formulas (one rounding per operation, Math.fround). Lengths straddle the
// staging chunk and the f32x4 width so the chunk loop and the vector tails are exercised.
import { describe, expect, it } from 'vitest';
import { CHUNK, WasmKernels, kernelModuleBytes } from '../../../lib/engine/kernels/wasm-kernels.ts';
import { col2im, convOutSize, im2col, type ConvGeom } from '../../../lib/engine/kernels/im2col.ts';

const r = Math.fround;
const LENGTHS = [1, 3, 4, 7, 33, CHUNK - 1, CHUNK, CHUNK + 5, 3 * CHUNK + 2];

function rand(n: number, seed: number, special = false): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 4 - 2;
  }
  if (special && n > 8) {
    a[1] = 0;
    a[2] = -0;
    a[3] = NaN;
    a[5] = Infinity;
    a[6] = -Infinity;
  }
  return a;
}

function expectSame(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i]) && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      expect({ i, got: got[i] }).toEqual({ i, got: want[i] });
    }
  }
}

const k = new WasmKernels();

describe('wasm fused kernels', () => {
  it('the module validates', () => {
    expect(WebAssembly.validate(kernelModuleBytes())).toBe(true);
  });

  it('ReLU forward and backward match the scalar loops (NaN -> 0, 0 at 0)', () => {
    for (const n of LENGTHS) {
      const x = rand(n, n, true),
        g = rand(n, n + 1);
      const y = new Float32Array(n).fill(7),
        dx = new Float32Array(n).fill(7);
      k.reluForward(x, y);
      expectSame(
        y,
        x.map((v) => (v > 0 ? v : 0)),
      );
      k.reluBackward(y, g, dx);
      expectSame(
        dx,
        g.map((gv, i) => (y[i]! > 0 ? gv : 0)),
      );
    }
    expect(() => k.reluForward(new Float32Array(3), new Float32Array(4))).toThrow(/lengths differ \(3 and 4\)/);
  });

  it('sumRows (a bias gradient) sums each column in row order, bit for bit, for beta 0 and 1', () => {
    // Shapes: one row, ragged widths, a whole row per copy, more rows than one staging block, and column strips.
    const shapes: [number, number][] = [
      [1, 1],
      [1, 7],
      [64, 10],
      [64, 512],
      [300, 33],
      [5, CHUNK],
      [3, CHUNK + 5],
      [2, 3 * CHUNK + 2],
      [0, 6],
    ];
    for (const [M, N] of shapes) {
      const g = rand(M * N, M * 31 + N, true);
      for (const beta of [0, 1]) {
        const start = rand(N, N + 5);
        const want = beta ? start.slice() : new Float32Array(N);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) want[j] = r(want[j]! + g[i * N + j]!);
        const out = beta ? start.slice() : new Float32Array(N).fill(NaN);
        k.sumRows(g, M, N, out, beta);
        expectSame(out, want);
      }
    }
    expect(() => k.sumRows(new Float32Array(5), 2, 3, new Float32Array(3), 0)).toThrow(
      /need 6 gradient and 3 output elements, got 5 and 3/,
    );
  });

  it('SGD: plain, weight decay, momentum (first and later steps), Nesterov, maximize', () => {
    const cases = [
      { mom: 0, damp: 0, wd: 0, nest: false, sign: 1 },
      { mom: 0, damp: 0, wd: 0.01, nest: false, sign: -1 },
      { mom: 0.9, damp: 0.1, wd: 0.001, nest: false, sign: 1 },
      { mom: 0.9, damp: 0, wd: 0, nest: true, sign: 1 },
    ];
    for (const n of LENGTHS) {
      for (const c of cases) {
        const lr = 0.05;
        const w = rand(n, n + 2),
          g = rand(n, n + 3),
          buf = c.mom ? new Float32Array(n) : null;
        const rw = w.slice(),
          rb = buf ? buf.slice() : null;
        for (let step = 0; step < 3; step++) {
          const first = step === 0;
          k.sgdUpdate(w, g, buf, lr, c.mom, c.damp, c.wd, c.nest, c.sign, first);
          const flr = r(lr),
            fm = r(c.mom),
            fd = r(1 - c.damp),
            fwd = r(c.wd),
            fs = r(c.sign);
          for (let i = 0; i < n; i++) {
            if (!rb) {
              rw[i] = c.wd === 0 ? r(rw[i]! - r(flr * r(fs * g[i]!))) : r(rw[i]! - r(flr * r(r(fs * g[i]!) + r(fwd * rw[i]!))));
              continue;
            }
            const d = r(r(fs * g[i]!) + r(fwd * rw[i]!));
            const b = first ? d : r(r(fm * rb[i]!) + r(fd * d));
            rb[i] = b;
            rw[i] = r(rw[i]! - r(flr * (c.nest ? r(d + r(fm * b)) : b)));
          }
        }
        expectSame(w, rw);
        if (buf) expectSame(buf, rb!);
      }
    }
  });

  it('Adam and AMSGrad match adam_f32 (board_native.c) bit for bit', () => {
    for (const n of LENGTHS) {
      for (const ams of [false, true]) {
        const w = rand(n, n + 4),
          m = new Float32Array(n),
          v = new Float32Array(n),
          vmax = ams ? new Float32Array(n) : null;
        const rw = w.slice(),
          rm = m.slice(),
          rv = v.slice(),
          rvm = vmax ? vmax.slice() : null;
        const [b1, b2, lr, eps, l2, sign] = [0.9, 0.999, 1e-3, 1e-8, 0.01, 1];
        for (let step = 1; step <= 3; step++) {
          const g = rand(n, n + 10 * step);
          const bc2Sqrt = Math.sqrt(1 - b2 ** step),
            stepSize = lr / (1 - b1 ** step);
          k.adamUpdate(w, g, m, v, vmax, sign, l2, b1, b2, stepSize, bc2Sqrt, eps);
          const [fs, fl2, fb1, fb2, c1, c2, fst, inv, fe] = [sign, l2, b1, b2, 1 - b1, 1 - b2, stepSize, 1 / bc2Sqrt, eps].map(r);
          for (let i = 0; i < n; i++) {
            const gi = r(r(fs! * g[i]!) + r(fl2! * rw[i]!));
            const mi = r(r(fb1! * rm[i]!) + r(c1! * gi));
            const vi = r(r(fb2! * rv[i]!) + r(r(c2! * gi) * gi));
            rm[i] = mi;
            rv[i] = vi;
            let vv = vi;
            if (rvm) vv = rvm[i] = vi > rvm[i]! ? vi : rvm[i]!;
            rw[i] = r(rw[i]! - r(r(fst! * mi) / r(r(r(Math.sqrt(vv)) * inv!) + fe!)));
          }
        }
        expectSame(w, rw);
        expectSame(m, rm);
        expectSame(v, rv);
        if (vmax) expectSame(vmax, rvm!);
      }
    }
  });

  it('max pooling (first index on ties, NaN wins) and its scatter backward', () => {
    const geoms = [
      [5, 24, 24, 2, 2, 2, 2],
      [3, 7, 9, 3, 2, 2, 3],
      [70, 8, 8, 2, 2, 2, 2],
      [3, 9, 17, 2, 2, 2, 2],
      [4, 24, 24, 2, 2, 2, 2],
      [2, 5, 5, 5, 5, 1, 1],
    ] as const;
    for (const [NC, inH, inW, kH, kW, sH, sW] of geoms) {
      const oH = Math.floor((inH - kH) / sH) + 1,
        oW = Math.floor((inW - kW) / sW) + 1;
      const x = rand(NC * inH * inW, NC + inH, true);
      x[10] = x[11] = 5; // a tie
      const y = new Float32Array(NC * oH * oW),
        idx = new Int32Array(NC * oH * oW);
      k.maxPool2d(x, y, idx, NC, inH, inW, kH, kW, sH, sW, oH, oW);
      const ry = new Float32Array(y.length),
        ri = new Int32Array(y.length);
      let o = 0;
      for (let c = 0; c < NC; c++) {
        for (let oh = 0; oh < oH; oh++) {
          for (let ow = 0; ow < oW; ow++, o++) {
            let best = -Infinity,
              bi = oh * sH * inW + ow * sW;
            search: for (let h = oh * sH; h < Math.min(oh * sH + kH, inH); h++) {
              for (let w = ow * sW; w < Math.min(ow * sW + kW, inW); w++) {
                const v = x[c * inH * inW + h * inW + w]!;
                if (v > best || v !== v) {
                  best = v;
                  bi = h * inW + w;
                  if (v !== v) break search;
                }
              }
            }
            ry[o] = best;
            ri[o] = bi;
          }
        }
      }
      expectSame(y, ry);
      expect(Array.from(idx)).toEqual(Array.from(ri));
      const gy = rand(y.length, 9);
      for (const zeroFirst of [true, false]) {
        const gx = zeroFirst ? new Float32Array(x.length).fill(NaN) : rand(x.length, 4);
        const want = zeroFirst ? new Float32Array(x.length) : gx.slice();
        for (let c = 0; c < NC; c++)
          for (let j = 0; j < oH * oW; j++)
            want[c * inH * inW + ri[c * oH * oW + j]!] = r(want[c * inH * inW + ri[c * oH * oW + j]!]! + gy[c * oH * oW + j]!);
        k.scatterByIndex(gy, idx, gx, NC, oH * oW, inH * inW, zeroFirst);
        expectSame(gx, want);
      }
    }
  });

  it('im2col / col2im (planar geometry, padding, stride, dilation, batched layout) match the TypeScript kernels', () => {
    const cases: Array<[number, number, number, number, number, number, number, number, number, number, number]> = [
      // C, inH, inW, kH, kW, sH, sW, pH, pW, dH, dW
      [1, 28, 28, 5, 5, 1, 1, 0, 0, 1, 1],
      [16, 12, 12, 5, 5, 1, 1, 0, 0, 1, 1],
      [3, 9, 11, 3, 2, 2, 3, 1, 2, 2, 1],
      [2, 1, 17, 1, 4, 1, 2, 0, 3, 1, 2],
      // no padding and unit column stride (the kernel's fast path for whole rows) with row stride != row dilation,
      // and rows of 7 (a vector and a scalar tail)
      [3, 11, 9, 3, 2, 2, 1, 0, 0, 1, 2],
      [2, 13, 10, 2, 3, 1, 1, 0, 0, 3, 1],
      // unit column stride and no column padding, but row padding: only the rows inside take the fast path's shape
      [2, 8, 9, 3, 3, 1, 1, 1, 0, 1, 1],
    ];
    for (const [C, inH, inW, kH, kW, sH, sW, pH, pW, dH, dW] of cases) {
      const oH = convOutSize(inH, kH, sH, pH, pH, dH),
        oW = convOutSize(inW, kW, sW, pW, pW, dW);
      const g: ConvGeom = { C, inD: 1, inH, inW, kD: 1, kH, kW, sD: 1, sH, sW, pD: 0, pH, pW, dD: 1, dH, dW, oD: 1, oH, oW };
      expect(WasmKernels.planar(g)).toBe(true);
      const N = 3,
        L = oH * oW,
        rows = C * kH * kW,
        plane = C * inH * inW;
      const x = rand(N * plane, C + inH);
      // one sample into a wider matrix (ld > L, offset), and all samples side by side
      const want1 = new Float32Array(rows * (L + 3) + 2).fill(9),
        got1 = want1.slice();
      im2col(x, plane, g, want1, 2, L + 3);
      k.im2col(x, plane, g, got1, 2, L + 3);
      expectSame(got1, want1);
      const wantN = new Float32Array(rows * N * L),
        gotN = new Float32Array(rows * N * L).fill(NaN);
      for (let n = 0; n < N; n++) im2col(x, n * plane, g, wantN, n * L, N * L);
      k.im2col(x, 0, g, gotN, 0, N * L, N);
      expectSame(gotN, wantN);
      const cols = rand(rows * N * L, 5);
      const dxWant = rand(N * plane, 6),
        dxGot = dxWant.slice();
      for (let n = 0; n < N; n++) col2im(cols, g, dxWant, n * plane, n * L, N * L);
      k.col2im(cols, g, dxGot, 0, 0, N * L, N);
      expectSame(dxGot, dxWant);
      const dx1Want = rand(plane, 7),
        dx1Got = dx1Want.slice();
      col2im(want1, g, dx1Want, 0, 2, L + 3);
      k.col2im(want1, g, dx1Got, 0, 2, L + 3);
      expectSame(dx1Got, dx1Want);
    }
  });
});
