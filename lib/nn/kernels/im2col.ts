// im2col / col2im for 1-, 2- and 3-D convolutions, written once for three spatial dims (1-D and 2-D use size 1 for
// the missing leading dims). Padding may differ before and after (conv 'same' with an even kernel pads more after).
// Layout: input plane [C, D, H, W]; columns [C·kd·kh·kw, oD·oH·oW], row r = ((c·kd + a)·kh + b)·kw + e.
import { sgemm, dgemm } from '../../engine/kernels/index.ts';

export type FloatArray = Float32Array | Float64Array;

/** Geometry of one convolution over three spatial dims. */
export interface ConvGeom {
  C: number;
  inD: number; inH: number; inW: number;
  kD: number; kH: number; kW: number;
  sD: number; sH: number; sW: number;
  pD: number; pH: number; pW: number; // padding before; padding after only affects the output size
  dD: number; dH: number; dW: number;
  oD: number; oH: number; oW: number;
}

/** Output length of one dim: floor((in + padBefore + padAfter − dil·(k−1) − 1) / stride) + 1. */
export function convOutSize(inp: number, k: number, stride: number, padBefore: number, padAfter: number, dil: number): number {
  return Math.floor((inp + padBefore + padAfter - dil * (k - 1) - 1) / stride) + 1;
}

/** Writes the columns of one input plane (starting at x[xOff]) into col[0 .. C·K·L). */
export function im2col(x: FloatArray, xOff: number, g: ConvGeom, col: FloatArray): void {
  const { C, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW } = g;
  const L = oD * oH * oW;
  const planeIn = inD * inH * inW;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = xOff + c * planeIn;
    for (let a = 0; a < kD; a++) {
      for (let b = 0; b < kH; b++) {
        for (let e = 0; e < kW; e++, r++) {
          const row = r * L;
          let j = row;
          const wOff = e * dW - pW;
          for (let od = 0; od < oD; od++) {
            const id = od * sD - pD + a * dD;
            const dOk = id >= 0 && id < inD;
            for (let oh = 0; oh < oH; oh++) {
              const ih = oh * sH - pH + b * dH;
              if (!dOk || ih < 0 || ih >= inH) {
                col.fill(0, j, j + oW);
                j += oW;
                continue;
              }
              const base = xc + (id * inH + ih) * inW;
              if (sW === 1 && wOff >= 0 && wOff + oW <= inW) {
                // interior fast path: one contiguous copy
                col.set(x.subarray(base + wOff, base + wOff + oW), j);
                j += oW;
                continue;
              }
              for (let ow = 0; ow < oW; ow++, j++) {
                const iw = ow * sW + wOff;
                col[j] = iw >= 0 && iw < inW ? x[base + iw]! : 0;
              }
            }
          }
        }
      }
    }
  }
}

/** Adds the columns back into one input-shaped plane (dx[dxOff ..]): the adjoint of im2col. */
export function col2im(col: FloatArray, g: ConvGeom, dx: FloatArray, dxOff: number): void {
  const { C, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW } = g;
  const L = oD * oH * oW;
  const planeIn = inD * inH * inW;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = dxOff + c * planeIn;
    for (let a = 0; a < kD; a++) {
      for (let b = 0; b < kH; b++) {
        for (let e = 0; e < kW; e++, r++) {
          let j = r * L;
          const wOff = e * dW - pW;
          for (let od = 0; od < oD; od++) {
            const id = od * sD - pD + a * dD;
            const dOk = id >= 0 && id < inD;
            for (let oh = 0; oh < oH; oh++) {
              const ih = oh * sH - pH + b * dH;
              if (!dOk || ih < 0 || ih >= inH) {
                j += oW;
                continue;
              }
              const base = xc + (id * inH + ih) * inW;
              for (let ow = 0; ow < oW; ow++, j++) {
                const iw = ow * sW + wOff;
                if (iw >= 0 && iw < inW) dx[base + iw] += col[j]!;
              }
            }
          }
        }
      }
    }
  }
}

/** C = alpha·op(A)·op(B) + beta·C on float32 (sgemm) or float64 (dgemm) arrays. */
export function gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  A: FloatArray, aOff: number, lda: number, B: FloatArray, bOff: number, ldb: number,
  beta: number, C: FloatArray, cOff: number, ldc: number): void {
  if (C instanceof Float32Array) {
    sgemm(transA, transB, M, N, K, alpha, A as Float32Array, aOff, lda, B as Float32Array, bOff, ldb, beta, C, cOff, ldc);
  } else {
    dgemm(transA, transB, M, N, K, alpha, A as Float64Array, aOff, lda, B as Float64Array, bOff, ldb, beta, C, cOff, ldc);
  }
}
