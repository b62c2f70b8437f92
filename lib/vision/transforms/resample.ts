// Resampling kernels on planar float data (one H x W plane at a time) and on PIL-style 8-bit
// interleaved images. Three behaviours are reproduced:
// - torch.nn.functional.interpolate bilinear / nearest with align_corners=False (torchvision 0.14
//   tensor Resize, antialias off);
// - the antialiased bilinear of PyTorch's _upsample_bilinear2d_aa (antialias=True on tensors);
// - Pillow's ImagingResample for 8-bit images (PIL Resize): the same triangle filter with support
//   scaled by the reduction factor, then coefficients in 22-bit fixed point, horizontal pass first,
//   each pass rounded back to uint8.

/** Per-output-pixel source windows and normalised triangle-filter weights (PIL / PyTorch aa). */
export interface AAWeights {
  ksize: number;
  /** xmin per output pixel */
  start: Int32Array;
  /** number of taps per output pixel */
  count: Int32Array;
  /** ksize weights per output pixel */
  weights: Float64Array;
}

const bilinearFilter = (x: number): number => {
  if (x < 0) x = -x;
  return x < 1 ? 1 - x : 0;
};

/** Weights for resampling `inSize` to `outSize` over the source window [in0, in1). */
export function antialiasWeights(inSize: number, outSize: number, in0 = 0, in1 = inSize): AAWeights {
  const scale = (in1 - in0) / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 1 * filterscale; // bilinear support is 1
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bilinearFilter((x + xmin - center + 0.5) * ss);
      weights[xx * ksize + x] = w;
      ww += w;
    }
    if (ww !== 0) for (let x = 0; x < xmax; x++) weights[xx * ksize + x] /= ww;
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, start, count, weights };
}

/** Linear (align_corners=False) source index and weight tables, as ATen's upsample_bilinear2d. */
function linearTable(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; l1: Float64Array } {
  const scale = Math.fround(inSize / outSize);
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l1 = new Float64Array(outSize);
  for (let d = 0; d < outSize; d++) {
    let src = Math.fround(Math.fround(scale * (d + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const lo = Math.trunc(src);
    i0[d] = lo;
    i1[d] = lo < inSize - 1 ? lo + 1 : lo;
    l1[d] = Math.fround(src - lo);
  }
  return { i0, i1, l1 };
}

/** ATen 'nearest' (not nearest-exact): floor(dst * scale). */
function nearestTable(inSize: number, outSize: number): Int32Array {
  const scale = Math.fround(inSize / outSize);
  const t = new Int32Array(outSize);
  for (let d = 0; d < outSize; d++) t[d] = Math.min(Math.floor(Math.fround(d * scale)), inSize - 1);
  return t;
}

export type Interpolation = 'nearest' | 'bilinear';

/**
 * Resizes `planes` planes of inH x inW (planar, contiguous) to outH x outW. Values are computed in
 * float64 and stored into `out` (a float32 array rounds on store, as float math would).
 */
export function resizePlanes(
  src: ArrayLike<number>,
  planes: number,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
  mode: Interpolation,
  antialias: boolean,
  out: Float32Array | Float64Array,
): void {
  const inPlane = inH * inW;
  const outPlane = outH * outW;
  if (mode === 'nearest') {
    const ty = nearestTable(inH, outH);
    const tx = nearestTable(inW, outW);
    for (let p = 0; p < planes; p++) {
      for (let y = 0; y < outH; y++) {
        const rowIn = p * inPlane + ty[y] * inW;
        const rowOut = p * outPlane + y * outW;
        for (let x = 0; x < outW; x++) out[rowOut + x] = src[rowIn + tx[x]];
      }
    }
    return;
  }
  if (antialias && (inH > outH || inW > outW)) {
    const wx = antialiasWeights(inW, outW);
    const wy = antialiasWeights(inH, outH);
    const tmp = new Float64Array(inH * outW);
    for (let p = 0; p < planes; p++) {
      const base = p * inPlane;
      for (let y = 0; y < inH; y++) {
        for (let x = 0; x < outW; x++) {
          let acc = 0;
          const s = wx.start[x];
          const k = x * wx.ksize;
          for (let j = 0; j < wx.count[x]; j++) acc += src[base + y * inW + s + j] * wx.weights[k + j];
          tmp[y * outW + x] = acc;
        }
      }
      for (let y = 0; y < outH; y++) {
        const s = wy.start[y];
        const k = y * wy.ksize;
        for (let x = 0; x < outW; x++) {
          let acc = 0;
          for (let j = 0; j < wy.count[y]; j++) acc += tmp[(s + j) * outW + x] * wy.weights[k + j];
          out[p * outPlane + y * outW + x] = acc;
        }
      }
    }
    return;
  }
  const ty = linearTable(inH, outH);
  const tx = linearTable(inW, outW);
  for (let p = 0; p < planes; p++) {
    const base = p * inPlane;
    for (let y = 0; y < outH; y++) {
      const r0 = base + ty.i0[y] * inW;
      const r1 = base + ty.i1[y] * inW;
      const h1 = ty.l1[y];
      const h0 = 1 - h1;
      for (let x = 0; x < outW; x++) {
        const c0 = tx.i0[x];
        const c1 = tx.i1[x];
        const w1 = tx.l1[x];
        const w0 = 1 - w1;
        out[p * outPlane + y * outW + x] = h0 * (w0 * src[r0 + c0] + w1 * src[r0 + c1]) + h1 * (w0 * src[r1 + c0] + w1 * src[r1 + c1]);
      }
    }
  }
}

const PRECISION_BITS = 32 - 8 - 2;

function fixedWeights(w: AAWeights): Int32Array {
  const out = new Int32Array(w.weights.length);
  for (let i = 0; i < w.weights.length; i++) {
    const v = w.weights[i] * (1 << PRECISION_BITS);
    out[i] = v < 0 ? Math.trunc(-0.5 + v) : Math.trunc(0.5 + v);
  }
  return out;
}

function clip8(v: number): number {
  if (v <= 0) return 0;
  const shifted = Math.floor(v / (1 << PRECISION_BITS));
  return shifted > 255 ? 255 : shifted;
}

/**
 * Pillow's bilinear resize of an 8-bit interleaved image (PIL `img.resize((w, h), BILINEAR)`,
 * reducing_gap=None): horizontal pass then vertical pass, fixed-point weights, uint8 in between.
 */
export function pilResizeBilinear(src: Uint8Array, inW: number, inH: number, channels: number, outW: number, outH: number): Uint8Array {
  const needH = outW !== inW;
  const needV = outH !== inH;
  let cur = src;
  let curH = inH;
  const wv = antialiasWeights(inH, outH);
  let vStart = wv.start;
  if (needH) {
    const wh = antialiasWeights(inW, outW);
    const kk = fixedWeights(wh);
    // Only the source rows the vertical pass will read are resampled horizontally.
    const first = needV ? wv.start[0] : 0;
    const last = needV ? wv.start[outH - 1] + wv.count[outH - 1] : inH;
    const rows = last - first;
    const tmp = new Uint8Array(rows * outW * channels);
    for (let y = 0; y < rows; y++) {
      const rowIn = (y + first) * inW * channels;
      for (let x = 0; x < outW; x++) {
        const s = wh.start[x];
        const k = x * wh.ksize;
        for (let c = 0; c < channels; c++) {
          let ss = 1 << (PRECISION_BITS - 1);
          for (let j = 0; j < wh.count[x]; j++) ss += src[rowIn + (s + j) * channels + c] * kk[k + j];
          tmp[(y * outW + x) * channels + c] = clip8(ss);
        }
      }
    }
    cur = tmp;
    curH = rows;
    if (needV) vStart = wv.start.map((v) => v - first);
  }
  if (!needV) return needH ? cur : src.slice();
  const kk = fixedWeights(wv);
  const out = new Uint8Array(outH * outW * channels);
  void curH;
  for (let y = 0; y < outH; y++) {
    const s = vStart[y];
    const k = y * wv.ksize;
    for (let x = 0; x < outW; x++) {
      for (let c = 0; c < channels; c++) {
        let ss = 1 << (PRECISION_BITS - 1);
        for (let j = 0; j < wv.count[y]; j++) ss += cur[((s + j) * outW + x) * channels + c] * kk[k + j];
        out[(y * outW + x) * channels + c] = clip8(ss);
      }
    }
  }
  return out;
}

/** Pillow's NEAREST resize: the source pixel under each output pixel's centre. */
export function pilResizeNearest(src: Uint8Array, inW: number, inH: number, channels: number, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH * channels);
  const sx = inW / outW;
  const sy = inH / outH;
  for (let y = 0; y < outH; y++) {
    const yy = Math.min(Math.floor((y + 0.5) * sy), inH - 1);
    for (let x = 0; x < outW; x++) {
      const xx = Math.min(Math.floor((x + 0.5) * sx), inW - 1);
      for (let c = 0; c < channels; c++) out[(y * outW + x) * channels + c] = src[(yy * inW + xx) * channels + c];
    }
  }
  return out;
}
