// Pooling kernels over planes [NC, D, H, W] (2-D pooling uses D = 1, 1-D also H = 1), following PyTorch's CPU
// kernels: -inf padding and NaN-wins for max, first index on ties, window clipping rules for average pooling.
import { fusedKernels, type FloatArray } from '../../engine/kernels/index.ts';
import { uninitFloat32, uninitInt32, uninitLike } from '../../engine/kernels/alloc.ts';

export interface PoolGeom {
  NC: number;
  inD: number;
  inH: number;
  inW: number;
  kD: number;
  kH: number;
  kW: number;
  sD: number;
  sH: number;
  sW: number;
  pD: number;
  pH: number;
  pW: number;
  dD: number;
  dH: number;
  dW: number;
  oD: number;
  oH: number;
  oW: number;
}

/** PyTorch's pooling_output_shape: floor or ceil, dropping a last window that would start in the right padding. */
export function poolOutSize(inp: number, k: number, pad: number, stride: number, dil: number, ceil: boolean): number {
  const num = inp + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
  let out = Math.floor(num / stride) + 1;
  if (ceil && (out - 1) * stride >= inp + pad) out -= 1;
  return out;
}

function alloc(like: FloatArray, n: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** Max pooling; returns values and flat indices within each input plane (D·H·W; Int32 keeps the memory traffic low). */
export function maxPoolForward(x: FloatArray, g: PoolGeom): { y: FloatArray; idx: Int32Array } {
  const { NC, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW } = g;
  if (kD === 1 && inD === 1 && pH === 0 && pW === 0 && dH === 1 && dW === 1) return maxPool2dPlain(x, g);
  const plane = inD * inH * inW;
  const outPlane = oD * oH * oW;
  const y = alloc(x, NC * outPlane);
  const idx = new Int32Array(NC * outPlane);
  for (let c = 0; c < NC; c++) {
    const base = c * plane;
    let o = c * outPlane;
    for (let od = 0; od < oD; od++) {
      let d0 = od * sD - pD;
      const d1 = Math.min(d0 + (kD - 1) * dD + 1, inD);
      while (d0 < 0) d0 += dD;
      for (let oh = 0; oh < oH; oh++) {
        let h0 = oh * sH - pH;
        const h1 = Math.min(h0 + (kH - 1) * dH + 1, inH);
        while (h0 < 0) h0 += dH;
        for (let ow = 0; ow < oW; ow++, o++) {
          let w0 = ow * sW - pW;
          const w1 = Math.min(w0 + (kW - 1) * dW + 1, inW);
          while (w0 < 0) w0 += dW;
          let best = -Infinity;
          let bi = (d0 * inH + h0) * inW + w0;
          for (let d = d0; d < d1; d += dD) {
            for (let h = h0; h < h1; h += dH) {
              const row = (d * inH + h) * inW;
              for (let w = w0; w < w1; w += dW) {
                const v = x[base + row + w]!;
                if (v > best || v !== v) {
                  best = v;
                  bi = row + w;
                  if (v !== v) break;
                }
              }
            }
          }
          y[o] = best;
          idx[o] = bi;
        }
      }
    }
  }
  return { y, idx };
}

/** 2-D max pooling without padding or dilation (the common case): no window clipping, tight loops. */
function maxPool2dPlain(x: FloatArray, g: PoolGeom): { y: FloatArray; idx: Int32Array } {
  const { NC, inH, inW, kH, kW, sH, sW, oH, oW } = g;
  const plane = inH * inW;
  const outPlane = oH * oW;
  // Every window is written below: no need for zeroed memory (see engine/kernels/alloc.ts).
  const y = uninitLike(x, NC * outPlane);
  const idx = uninitInt32(NC * outPlane);
  const nat = fusedKernels();
  if (nat && x instanceof Float32Array) {
    nat.maxPool2d(x, y as Float32Array, idx, NC, inH, inW, kH, kW, sH, sW, oH, oW);
    return { y, idx };
  }
  let o = 0;
  for (let c = 0; c < NC; c++) {
    const base = c * plane;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = oh * sH;
      const h1 = Math.min(h0 + kH, inH);
      for (let ow = 0; ow < oW; ow++, o++) {
        const w0 = ow * sW;
        const w1 = Math.min(w0 + kW, inW);
        let best = -Infinity;
        let bi = h0 * inW + w0;
        for (let h = h0; h < h1; h++) {
          const row = h * inW;
          for (let w = w0; w < w1; w++) {
            const v = x[base + row + w]!;
            if (v > best || v !== v) {
              best = v;
              bi = row + w;
              if (v !== v) {
                h = h1;
                break;
              }
            }
          }
        }
        y[o] = best;
        idx[o] = bi;
      }
    }
  }
  return { y, idx };
}

/** Scatters output gradients to the recorded argmax positions (also MaxUnpool's forward, and adaptive max). */
export function scatterByIndex(gy: FloatArray, idx: Int32Array | Float64Array, NC: number, outPlane: number, inPlane: number): FloatArray {
  const nat = fusedKernels();
  if (nat && gy instanceof Float32Array && idx instanceof Int32Array) {
    // The C kernel clears each plane just before scattering into it: uninitialised memory, no separate zeroing pass.
    const gx = uninitFloat32(NC * inPlane);
    nat.scatterByIndex(gy, idx, gx, NC, outPlane, inPlane, true);
    return gx;
  }
  const gx = alloc(gy, NC * inPlane);
  for (let c = 0; c < NC; c++) {
    const ob = c * outPlane;
    const ib = c * inPlane;
    for (let j = 0; j < outPlane; j++) gx[ib + idx[ob + j]!] += gy[ob + j]!;
  }
  return gx;
}

/** Gathers values at flat plane indices (MaxUnpool's backward). */
export function gatherByIndex(src: FloatArray, idx: Int32Array | Float64Array, NC: number, idxPlane: number, srcPlane: number): FloatArray {
  const out = alloc(src, NC * idxPlane);
  for (let c = 0; c < NC; c++) {
    for (let j = 0; j < idxPlane; j++) out[c * idxPlane + j] = src[c * srcPlane + idx[c * idxPlane + j]!]!;
  }
  return out;
}

export interface AvgOpts {
  countIncludePad: boolean;
  divisorOverride: number | null;
}

/** Average pooling forward (adjoint = false) or backward (adjoint = true: spreads gy over the windows). */
export function avgPool(src: FloatArray, g: PoolGeom, o: AvgOpts, adjoint: boolean): FloatArray {
  const { NC, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, oD, oH, oW } = g;
  const plane = inD * inH * inW;
  const outPlane = oD * oH * oW;
  const dst = alloc(src, NC * (adjoint ? plane : outPlane));
  for (let c = 0; c < NC; c++) {
    const base = c * plane;
    let oi = c * outPlane;
    for (let od = 0; od < oD; od++) {
      const d0 = od * sD - pD;
      const d1 = Math.min(d0 + kD, inD + pD);
      for (let oh = 0; oh < oH; oh++) {
        const h0 = oh * sH - pH;
        const h1 = Math.min(h0 + kH, inH + pH);
        for (let ow = 0; ow < oW; ow++, oi++) {
          const w0 = ow * sW - pW;
          const w1 = Math.min(w0 + kW, inW + pW);
          const poolSize = (d1 - d0) * (h1 - h0) * (w1 - w0);
          const a0 = Math.max(d0, 0),
            a1 = Math.min(d1, inD);
          const b0 = Math.max(h0, 0),
            b1 = Math.min(h1, inH);
          const e0 = Math.max(w0, 0),
            e1 = Math.min(w1, inW);
          if (a0 >= a1 || b0 >= b1 || e0 >= e1) {
            if (!adjoint) dst[oi] = 0;
            continue;
          }
          const div = o.divisorOverride ?? (o.countIncludePad ? poolSize : (a1 - a0) * (b1 - b0) * (e1 - e0));
          if (adjoint) {
            const gv = src[oi]! / div;
            for (let d = a0; d < a1; d++)
              for (let h = b0; h < b1; h++) {
                const row = base + (d * inH + h) * inW;
                for (let w = e0; w < e1; w++) dst[row + w] += gv;
              }
          } else {
            let s = 0;
            for (let d = a0; d < a1; d++)
              for (let h = b0; h < b1; h++) {
                const row = base + (d * inH + h) * inW;
                for (let w = e0; w < e1; w++) s += src[row + w]!;
              }
            dst[oi] = s / div;
          }
        }
      }
    }
  }
  return dst;
}

const startIdx = (i: number, out: number, inp: number) => Math.floor((i * inp) / out);
const endIdx = (i: number, out: number, inp: number) => Math.ceil(((i + 1) * inp) / out);

/** Adaptive average pooling over [NC, H, W] planes, forward or adjoint. */
export function adaptiveAvg(src: FloatArray, NC: number, inH: number, inW: number, oH: number, oW: number, adjoint: boolean): FloatArray {
  const plane = inH * inW,
    outPlane = oH * oW;
  const dst = alloc(src, NC * (adjoint ? plane : outPlane));
  for (let c = 0; c < NC; c++) {
    const base = c * plane;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = startIdx(oh, oH, inH),
        h1 = endIdx(oh, oH, inH);
      for (let ow = 0; ow < oW; ow++) {
        const w0 = startIdx(ow, oW, inW),
          w1 = endIdx(ow, oW, inW);
        const oi = c * outPlane + oh * oW + ow;
        const cnt = (h1 - h0) * (w1 - w0);
        if (adjoint) {
          const gv = src[oi]! / cnt;
          for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) dst[base + h * inW + w] += gv;
        } else {
          let s = 0;
          for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += src[base + h * inW + w]!;
          dst[oi] = s / cnt;
        }
      }
    }
  }
  return dst;
}

/** Adaptive max pooling over [NC, H, W] planes: values and flat plane indices. */
export function adaptiveMax(
  x: FloatArray,
  NC: number,
  inH: number,
  inW: number,
  oH: number,
  oW: number,
): { y: FloatArray; idx: Int32Array } {
  const plane = inH * inW,
    outPlane = oH * oW;
  const y = alloc(x, NC * outPlane);
  const idx = new Int32Array(NC * outPlane);
  for (let c = 0; c < NC; c++) {
    const base = c * plane;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = startIdx(oh, oH, inH),
        h1 = endIdx(oh, oH, inH);
      for (let ow = 0; ow < oW; ow++) {
        const w0 = startIdx(ow, oW, inW),
          w1 = endIdx(ow, oW, inW);
        let best = -Infinity;
        let bi = h0 * inW + w0;
        for (let h = h0; h < h1; h++)
          for (let w = w0; w < w1; w++) {
            const v = x[base + h * inW + w]!;
            if (v > best || v !== v) {
              best = v;
              bi = h * inW + w;
            }
          }
        y[c * outPlane + oh * oW + ow] = best;
        idx[c * outPlane + oh * oW + ow] = bi;
      }
    }
  }
  return { y, idx };
}

/** Adaptive average pooling over [NC, D, H, W] volumes, forward or adjoint (PyTorch's start/end windows per axis). */
export function adaptiveAvg3d(
  src: FloatArray,
  NC: number,
  inD: number,
  inH: number,
  inW: number,
  oD: number,
  oH: number,
  oW: number,
  adjoint: boolean,
): FloatArray {
  const vol = inD * inH * inW,
    outVol = oD * oH * oW;
  const dst = alloc(src, NC * (adjoint ? vol : outVol));
  for (let c = 0; c < NC; c++) {
    const base = c * vol;
    for (let od = 0; od < oD; od++) {
      const d0 = startIdx(od, oD, inD),
        d1 = endIdx(od, oD, inD);
      for (let oh = 0; oh < oH; oh++) {
        const h0 = startIdx(oh, oH, inH),
          h1 = endIdx(oh, oH, inH);
        for (let ow = 0; ow < oW; ow++) {
          const w0 = startIdx(ow, oW, inW),
            w1 = endIdx(ow, oW, inW);
          const oi = c * outVol + (od * oH + oh) * oW + ow;
          const cnt = (d1 - d0) * (h1 - h0) * (w1 - w0);
          if (adjoint) {
            const gv = src[oi]! / cnt;
            for (let d = d0; d < d1; d++)
              for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) dst[base + (d * inH + h) * inW + w] += gv;
          } else {
            let sum = 0;
            for (let d = d0; d < d1; d++)
              for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) sum += src[base + (d * inH + h) * inW + w]!;
            dst[oi] = sum / cnt;
          }
        }
      }
    }
  }
  return dst;
}

/** Adaptive max pooling over [NC, D, H, W] volumes: values and flat volume indices (NaN counts as the maximum). */
export function adaptiveMax3d(
  x: FloatArray,
  NC: number,
  inD: number,
  inH: number,
  inW: number,
  oD: number,
  oH: number,
  oW: number,
): { y: FloatArray; idx: Int32Array } {
  const vol = inD * inH * inW,
    outVol = oD * oH * oW;
  const y = alloc(x, NC * outVol);
  const idx = new Int32Array(NC * outVol);
  for (let c = 0; c < NC; c++) {
    const base = c * vol;
    for (let od = 0; od < oD; od++) {
      const d0 = startIdx(od, oD, inD),
        d1 = endIdx(od, oD, inD);
      for (let oh = 0; oh < oH; oh++) {
        const h0 = startIdx(oh, oH, inH),
          h1 = endIdx(oh, oH, inH);
        for (let ow = 0; ow < oW; ow++) {
          const w0 = startIdx(ow, oW, inW),
            w1 = endIdx(ow, oW, inW);
          let best = -Infinity,
            bi = (d0 * inH + h0) * inW + w0;
          for (let d = d0; d < d1; d++)
            for (let h = h0; h < h1; h++)
              for (let w = w0; w < w1; w++) {
                const v = x[base + (d * inH + h) * inW + w]!;
                if (v > best || v !== v) {
                  best = v;
                  bi = (d * inH + h) * inW + w;
                }
              }
          const oi = c * outVol + (od * oH + oh) * oW + ow;
          y[oi] = best;
          idx[oi] = bi;
        }
      }
    }
  }
  return { y, idx };
}
