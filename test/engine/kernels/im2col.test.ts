// im2col / col2im (1-, 2- and 3-D; stride, padding before/after, dilation; float32 and float64; one image or a whole
// batch side by side) against the definition, the adjoint identity, and a convolution computed as
// sgemm(W, im2col(x)) against a direct convolution loop.
import { describe, expect, it } from 'vitest';
import { col2im, convOutSize, im2col, type ConvGeom } from '../../../lib/engine/kernels/im2col.ts';
import { sgemm } from '../../../lib/engine/kernels/index.ts';

function rand(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = s / 2147483648 - 0.5;
  }
  return a;
}

type Spec = [C: number, spatial: number[], k: number[], s: number[], before: number[], after: number[], d: number[]];

/** Geometry for 1-3 spatial dims, leading dims of size 1 (as lib/nn builds it). */
function geom([C, spatial, k, s, before, after, d]: Spec): ConvGeom {
  const to3 = (v: number[], fill: number) => [...new Array<number>(3 - v.length).fill(fill), ...v] as [number, number, number];
  const out = spatial.map((n, i) => convOutSize(n, k[i]!, s[i]!, before[i]!, after[i]!, d[i]!));
  const [inD, inH, inW] = to3(spatial, 1),
    [kD, kH, kW] = to3(k, 1),
    [sD, sH, sW] = to3(s, 1);
  const [pD, pH, pW] = to3(before, 0),
    [dD, dH, dW] = to3(d, 1),
    [oD, oH, oW] = to3(out, 1);
  return { C, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW };
}

const rowsOf = (g: ConvGeom) => g.C * g.kD * g.kH * g.kW;
const lenOf = (g: ConvGeom) => g.oD * g.oH * g.oW;
const planeOf = (g: ConvGeom) => g.C * g.inD * g.inH * g.inW;

/** The definition, one element at a time: zero where the tap falls in the padding. */
function naiveIm2col(g: ConvGeom, x: ArrayLike<number>): Float64Array {
  const L = lenOf(g);
  const cols = new Float64Array(rowsOf(g) * L);
  for (let c = 0; c < g.C; c++)
    for (let a = 0; a < g.kD; a++)
      for (let b = 0; b < g.kH; b++)
        for (let e = 0; e < g.kW; e++) {
          const r = ((c * g.kD + a) * g.kH + b) * g.kW + e;
          for (let od = 0; od < g.oD; od++)
            for (let oh = 0; oh < g.oH; oh++)
              for (let ow = 0; ow < g.oW; ow++) {
                const id = od * g.sD - g.pD + a * g.dD,
                  ih = oh * g.sH - g.pH + b * g.dH,
                  iw = ow * g.sW - g.pW + e * g.dW;
                const inside = id >= 0 && id < g.inD && ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW;
                cols[r * L + (od * g.oH + oh) * g.oW + ow] = inside ? x[((c * g.inD + id) * g.inH + ih) * g.inW + iw]! : 0;
              }
        }
  return cols;
}

const SPECS: Spec[] = [
  // 2-D: plain, strided, padded, dilated, 1x1, 1x1 image, padding wider than the kernel reach
  [1, [5, 5], [3, 3], [1, 1], [0, 0], [0, 0], [1, 1]],
  [2, [7, 6], [3, 2], [2, 1], [1, 0], [1, 0], [1, 1]],
  [3, [8, 9], [3, 3], [2, 3], [2, 1], [2, 1], [2, 1]],
  [1, [4, 4], [1, 1], [1, 1], [0, 0], [0, 0], [1, 1]],
  [2, [5, 7], [5, 5], [1, 1], [2, 2], [2, 2], [1, 1]],
  [1, [6, 5], [2, 3], [3, 2], [0, 3], [0, 3], [2, 2]],
  [1, [1, 1], [1, 1], [1, 1], [0, 0], [0, 0], [1, 1]],
  [2, [3, 3], [3, 3], [1, 1], [3, 3], [3, 3], [1, 1]],
  // asymmetric ('same' with an even kernel: the extra pad goes after)
  [2, [6, 5], [4, 2], [1, 1], [1, 0], [2, 1], [1, 1]],
  // 1-D and 3-D
  [2, [11], [3], [2], [1], [1], [2]],
  [2, [4, 5, 6], [2, 3, 3], [1, 2, 1], [1, 1, 0], [1, 1, 2], [2, 1, 2]],
];

describe('im2col', () => {
  it('matches the definition in 1-, 2- and 3-D (at offsets, garbage overwritten), float32 and float64', () => {
    SPECS.forEach((spec, n) => {
      const g = geom(spec);
      const x32 = rand(planeOf(g) + 3, n + 1);
      const want = naiveIm2col(g, x32.subarray(3));
      for (const Arr of [Float32Array, Float64Array]) {
        const x = Arr.from(x32);
        const cols = new Arr(want.length + 5).fill(NaN);
        im2col(x, 3, g, cols, 5);
        expect(Array.from(cols.subarray(5))).toEqual(Array.from(want));
      }
    });
  });

  it('writes a batch side by side: sample n at colOff n*L with row stride N*L', () => {
    const g = geom([3, [6, 7], [3, 2], [1, 2], [1, 1], [1, 1], [1, 1]]);
    const N = 3,
      rows = rowsOf(g),
      L = lenOf(g),
      plane = planeOf(g);
    const x = rand(N * plane, 7);
    const cols = new Float32Array(rows * N * L).fill(NaN);
    for (let n = 0; n < N; n++) im2col(x, n * plane, g, cols, n * L, N * L);
    for (let n = 0; n < N; n++) {
      const want = naiveIm2col(g, x.subarray(n * plane, (n + 1) * plane));
      for (let r = 0; r < rows; r++) {
        expect(Array.from(cols.subarray(r * N * L + n * L, r * N * L + (n + 1) * L))).toEqual(
          Array.from(want.subarray(r * L, (r + 1) * L)),
        );
      }
    }
  });
});

describe('col2im', () => {
  it('is the adjoint of im2col, <im2col(x), y> = <x, col2im(y)>, and accumulates into its output', () => {
    SPECS.forEach((spec, n) => {
      const g = geom(spec);
      const size = planeOf(g),
        rows = rowsOf(g),
        L = lenOf(g);
      const x = rand(size, 10 + n),
        y = rand(rows * L, 20 + n);
      const cx = new Float32Array(rows * L);
      im2col(x, 0, g, cx);
      const back = new Float32Array(size);
      col2im(y, g, back, 0);
      let lhs = 0,
        rhs = 0;
      for (let i = 0; i < cx.length; i++) lhs += cx[i]! * y[i]!;
      for (let i = 0; i < size; i++) rhs += x[i]! * back[i]!;
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-5 * (1 + Math.abs(lhs)));
      const twice = back.slice();
      col2im(y, g, twice, 0);
      for (let i = 0; i < size; i++) expect(twice[i]).toBeCloseTo(2 * back[i]!, 5);
    });
  });

  it('reads a batch laid side by side with the same colOff/ld convention as im2col', () => {
    const g = geom([2, [5, 4], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]]);
    const N = 2,
      rows = rowsOf(g),
      L = lenOf(g),
      plane = planeOf(g);
    const y = rand(rows * N * L, 3);
    const batched = new Float32Array(N * plane);
    for (let n = 0; n < N; n++) col2im(y, g, batched, n * plane, n * L, N * L);
    for (let n = 0; n < N; n++) {
      const block = new Float32Array(rows * L);
      for (let r = 0; r < rows; r++) block.set(y.subarray(r * N * L + n * L, r * N * L + (n + 1) * L), r * L);
      const one = new Float32Array(plane);
      col2im(block, g, one, 0);
      expect(Array.from(batched.subarray(n * plane, (n + 1) * plane))).toEqual(Array.from(one));
    }
  });
});

it('a convolution as sgemm(weights, im2col(x)) equals the direct convolution loop', () => {
  const g = geom([3, [9, 8], [3, 3], [2, 1], [1, 1], [1, 1], [1, 2]]);
  const Cout = 4,
    x = rand(3 * 9 * 8, 5),
    w = rand(Cout * 3 * 3 * 3, 6);
  const rows = rowsOf(g),
    L = lenOf(g);
  const cols = new Float32Array(rows * L),
    out = new Float32Array(Cout * L);
  im2col(x, 0, g, cols);
  sgemm(false, false, Cout, L, rows, 1, w, 0, rows, cols, 0, L, 0, out, 0, L);
  for (let o = 0; o < Cout; o++)
    for (let oh = 0; oh < g.oH; oh++)
      for (let ow = 0; ow < g.oW; ow++) {
        let s = 0;
        for (let c = 0; c < 3; c++)
          for (let i = 0; i < 3; i++)
            for (let j = 0; j < 3; j++) {
              const h = oh * 2 - 1 + i,
                ww = ow - 1 + 2 * j;
              if (h >= 0 && h < 9 && ww >= 0 && ww < 8) s += w[((o * 3 + c) * 3 + i) * 3 + j]! * x[(c * 9 + h) * 8 + ww]!;
            }
        expect(out[o * L + oh * g.oW + ow]).toBeCloseTo(s, 5);
      }
});

describe('sizes and errors', () => {
  it('convOutSize follows PyTorch, with separate padding before and after, and is <= 0 when the kernel does not fit', () => {
    expect(convOutSize(28, 5, 1, 0, 0, 1)).toBe(24);
    expect(convOutSize(28, 3, 2, 1, 1, 1)).toBe(14);
    expect(convOutSize(6, 4, 1, 1, 2, 1)).toBe(6); // 'same' with an even kernel
    expect(convOutSize(2, 5, 1, 0, 0, 1)).toBeLessThanOrEqual(0);
  });

  it('names the sizes when a buffer is too short', () => {
    const g = geom([1, [4, 4], [3, 3], [1, 1], [0, 0], [0, 0], [1, 1]]);
    expect(() => im2col(new Float32Array(15), 0, g, new Float32Array(36))).toThrow(
      /im2col: input needs 16 values at offset 0, but has length 15/,
    );
    expect(() => im2col(new Float32Array(16), 0, g, new Float32Array(35))).toThrow(
      /im2col: columns need 9x4 values at offset 0 with row stride 4 \(up to index 35\), but have length 35/,
    );
    expect(() => im2col(new Float32Array(16), 0, g, new Float32Array(72), 4, 8)).not.toThrow();
    expect(() => im2col(new Float32Array(16), 0, g, new Float32Array(72), 5, 8)).toThrow(/offset 5 with row stride 8/);
    expect(() => im2col(new Float32Array(16), 0, g, new Float32Array(72), 0, 3)).toThrow(/ld \(3\) must be >= the 4 output positions/);
    expect(() => col2im(new Float32Array(36), g, new Float32Array(16), 1)).toThrow(
      /col2im: output needs 16 values at offset 1, but has length 16/,
    );
  });
});
