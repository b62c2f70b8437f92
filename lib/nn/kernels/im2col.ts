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

/**
 * Writes the columns of one input plane (x[xOff ..], C channels) into col: row r, column j goes to col[colOff + r·ld + j]
 * (ld = L for a single plane; ld = N·L when the planes of a whole batch sit side by side, sample n at colOff = n·L).
 */
export function im2col(x: FloatArray, xOff: number, g: ConvGeom, col: FloatArray, colOff = 0, ld = g.oD * g.oH * g.oW): void {
  const { C, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW } = g;
  const planeIn = inD * inH * inW;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = xOff + c * planeIn;
    for (let a = 0; a < kD; a++) {
      for (let b = 0; b < kH; b++) {
        for (let e = 0; e < kW; e++, r++) {
          let j = colOff + r * ld;
          const wOff = e * dW - pW;
          // valid ow range for this kernel tap: 0 <= ow·sW + wOff < inW
          const ow0 = wOff >= 0 ? 0 : Math.min(oW, Math.ceil(-wOff / sW));
          const ow1 = Math.max(ow0, Math.min(oW, Math.ceil((inW - wOff) / sW)));
          for (let od = 0; od < oD; od++) {
            const id = od * sD - pD + a * dD;
            const dOk = id >= 0 && id < inD;
            for (let oh = 0; oh < oH; oh++) {
              const ih = oh * sH - pH + b * dH;
              if (!dOk || ih < 0 || ih >= inH) {
                for (let ow = 0; ow < oW; ow++) col[j + ow] = 0;
                j += oW;
                continue;
              }
              const base = xc + (id * inH + ih) * inW + wOff;
              for (let ow = 0; ow < ow0; ow++) col[j + ow] = 0;
              if (sW === 1) for (let ow = ow0; ow < ow1; ow++) col[j + ow] = x[base + ow]!;
              else for (let ow = ow0; ow < ow1; ow++) col[j + ow] = x[base + ow * sW]!;
              for (let ow = ow1; ow < oW; ow++) col[j + ow] = 0;
              j += oW;
            }
          }
        }
      }
    }
  }
}

/** Adds the columns back into one input-shaped plane (dx[dxOff ..]): the adjoint of im2col (same colOff/ld convention). */
export function col2im(col: FloatArray, g: ConvGeom, dx: FloatArray, dxOff: number, colOff = 0, ld = g.oD * g.oH * g.oW): void {
  const { C, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW } = g;
  const planeIn = inD * inH * inW;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = dxOff + c * planeIn;
    for (let a = 0; a < kD; a++) {
      for (let b = 0; b < kH; b++) {
        for (let e = 0; e < kW; e++, r++) {
          let j = colOff + r * ld;
          const wOff = e * dW - pW;
          const ow0 = wOff >= 0 ? 0 : Math.min(oW, Math.ceil(-wOff / sW));
          const ow1 = Math.max(ow0, Math.min(oW, Math.ceil((inW - wOff) / sW)));
          for (let od = 0; od < oD; od++) {
            const id = od * sD - pD + a * dD;
            const dOk = id >= 0 && id < inD;
            for (let oh = 0; oh < oH; oh++) {
              const ih = oh * sH - pH + b * dH;
              if (dOk && ih >= 0 && ih < inH) {
                const base = xc + (id * inH + ih) * inW + wOff;
                for (let ow = ow0; ow < ow1; ow++) dx[base + ow * sW] += col[j + ow]!;
              }
              j += oW;
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
