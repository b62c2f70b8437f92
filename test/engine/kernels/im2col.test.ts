// im2col / col2im (1d and 2d, stride, padding, dilation) against direct loops, the adjoint identity, and a
// convolution computed as sgemm(W, im2col(x)) against a direct convolution loop.
import { describe, expect, it } from 'vitest';
import { col2im1d, col2im2d, convOutputSize, im2col1d, im2col2d, im2colShape, type Conv2dGeometry } from '../../../lib/engine/kernels/im2col.ts';
import { sgemm } from '../../../lib/engine/kernels/index.ts';

function rand(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; a[i] = s / 2147483648 - 0.5; }
  return a;
}

/** The definition: cols[(c*kH+i)*kW+j][oh*outW+ow] = x[c][oh*sH-pH+i*dH][ow*sW-pW+j*dW], zero outside. */
function naiveIm2col(g: Required<Conv2dGeometry>, x: Float32Array): Float32Array {
  const outH = Math.floor((g.height + 2 * g.padH - g.dilationH * (g.kernelH - 1) - 1) / g.strideH) + 1;
  const outW = Math.floor((g.width + 2 * g.padW - g.dilationW * (g.kernelW - 1) - 1) / g.strideW) + 1;
  const cols = new Float32Array(g.channels * g.kernelH * g.kernelW * outH * outW);
  for (let c = 0; c < g.channels; c++) for (let i = 0; i < g.kernelH; i++) for (let j = 0; j < g.kernelW; j++) {
    const r = (c * g.kernelH + i) * g.kernelW + j;
    for (let oh = 0; oh < outH; oh++) for (let ow = 0; ow < outW; ow++) {
      const h = oh * g.strideH - g.padH + i * g.dilationH, w = ow * g.strideW - g.padW + j * g.dilationW;
      cols[r * outH * outW + oh * outW + ow] = h >= 0 && h < g.height && w >= 0 && w < g.width ? x[(c * g.height + h) * g.width + w]! : 0;
    }
  }
  return cols;
}

const GEOMS: Array<Required<Conv2dGeometry>> = [];
for (const [C, H, W, kH, kW, sH, sW, pH, pW, dH, dW] of [
  [1, 5, 5, 3, 3, 1, 1, 0, 0, 1, 1], [2, 7, 6, 3, 2, 2, 1, 1, 0, 1, 1], [3, 8, 9, 3, 3, 2, 3, 2, 1, 2, 1],
  [1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1], [2, 5, 7, 5, 5, 1, 1, 2, 2, 1, 1], [1, 6, 5, 2, 3, 3, 2, 0, 3, 2, 2],
  [1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1], [2, 3, 3, 3, 3, 1, 1, 3, 3, 1, 1],
]) {
  GEOMS.push({ channels: C!, height: H!, width: W!, kernelH: kH!, kernelW: kW!, strideH: sH!, strideW: sW!, padH: pH!,
    padW: pW!, dilationH: dH!, dilationW: dW! });
}

describe('im2col2d / col2im2d', () => {
  it('matches the definition for strides, paddings and dilations (at offsets, garbage overwritten)', () => {
    GEOMS.forEach((g, n) => {
      const x = rand(g.channels * g.height * g.width + 3, n + 1);
      const want = naiveIm2col(g, x.subarray(3));
      const cols = new Float32Array(want.length + 5).fill(NaN);
      im2col2d(g, x, 3, cols, 5);
      expect(Array.from(cols.subarray(5))).toEqual(Array.from(want));
      expect(im2colShape(g).rows * im2colShape(g).cols).toBe(want.length);
    });
  });

  it('col2im is the adjoint of im2col: <im2col(x), y> = <x, col2im(y)>, and accumulate adds', () => {
    GEOMS.forEach((g, n) => {
      const size = g.channels * g.height * g.width;
      const { rows, cols: L } = im2colShape(g);
      const x = rand(size, 10 + n), y = rand(rows * L, 20 + n);
      const cx = new Float32Array(rows * L);
      im2col2d(g, x, 0, cx, 0);
      const back = new Float32Array(size).fill(NaN);
      col2im2d(g, y, 0, back, 0);
      let lhs = 0, rhs = 0;
      for (let i = 0; i < cx.length; i++) lhs += cx[i]! * y[i]!;
      for (let i = 0; i < size; i++) rhs += x[i]! * back[i]!;
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-5 * (1 + Math.abs(lhs)));
      const twice = back.slice();
      col2im2d(g, y, 0, twice, 0, true);
      for (let i = 0; i < size; i++) expect(twice[i]).toBeCloseTo(2 * back[i]!, 5);
    });
  });

  it('a convolution as sgemm(weights, im2col(x)) equals the direct convolution loop', () => {
    const g: Required<Conv2dGeometry> = { channels: 3, height: 9, width: 8, kernelH: 3, kernelW: 3, strideH: 2, strideW: 1,
      padH: 1, padW: 1, dilationH: 1, dilationW: 2 };
    const Cout = 4, x = rand(3 * 9 * 8, 5), w = rand(Cout * 3 * 3 * 3, 6);
    const { rows, cols: L, outH, outW } = im2colShape(g);
    const cols = new Float32Array(rows * L), out = new Float32Array(Cout * L);
    im2col2d(g, x, 0, cols, 0);
    sgemm(false, false, Cout, L, rows, 1, w, 0, rows, cols, 0, L, 0, out, 0, L);
    for (let o = 0; o < Cout; o++) for (let oh = 0; oh < outH; oh++) for (let ow = 0; ow < outW; ow++) {
      let s = 0;
      for (let c = 0; c < 3; c++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
        const h = oh * 2 - 1 + i, ww = ow - 1 + 2 * j;
        if (h >= 0 && h < 9 && ww >= 0 && ww < 8) s += w[((o * 3 + c) * 3 + i) * 3 + j]! * x[(c * 9 + h) * 8 + ww]!;
      }
      expect(out[o * L + oh * outW + ow]).toBeCloseTo(s, 5);
    }
  });
});

describe('im2col1d / col2im1d', () => {
  it('match the 2d definition with height 1', () => {
    const g1 = { channels: 2, length: 11, kernel: 3, stride: 2, padding: 1, dilation: 2 };
    const x = rand(22, 3);
    const want = naiveIm2col({ channels: 2, height: 1, width: 11, kernelH: 1, kernelW: 3, strideH: 1, strideW: 2, padH: 0,
      padW: 1, dilationH: 1, dilationW: 2 }, x);
    const cols = new Float32Array(want.length);
    im2col1d(g1, x, 0, cols, 0);
    expect(Array.from(cols)).toEqual(Array.from(want));
    const back = new Float32Array(22);
    col2im1d(g1, cols, 0, back, 0);
    // Every input position is covered by a known number of taps: back = x * coverage.
    const cover = new Float32Array(22);
    col2im1d(g1, new Float32Array(want.length).fill(1), 0, cover, 0);
    for (let i = 0; i < 22; i++) expect(back[i]).toBeCloseTo(x[i]! * cover[i]!, 6);
  });
});

describe('errors', () => {
  it('names the sizes when the kernel does not fit and when buffers are short', () => {
    expect(convOutputSize(28, 5)).toBe(24);
    expect(convOutputSize(28, 3, 2, 1)).toBe(14);
    expect(() => convOutputSize(2, 5)).toThrow(/kernel 5 \(dilation 1\) does not fit input size 2 with padding 0/);
    expect(() => convOutputSize(5, 3, 0)).toThrow(/stride must be an integer >= 1, got 0/);
    const g = { channels: 1, height: 4, width: 4, kernelH: 3, kernelW: 3 };
    expect(() => im2col2d(g, new Float32Array(15), 0, new Float32Array(36), 0)).toThrow(/im2col2d: input needs 16 floats at offset 0, but has length 15/);
    expect(() => im2col2d(g, new Float32Array(16), 0, new Float32Array(35), 0)).toThrow(/cols needs 36 floats/);
  });
});
