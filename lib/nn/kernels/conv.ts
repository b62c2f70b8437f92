// Convolution and transposed convolution on raw arrays: im2col + GEMM (one GEMM per group over the whole batch for
// conv, per sample for transposed conv), with matching backward passes. Shapes use three spatial dims (1-D/2-D: leading 1s).
import {
  im2col,
  im2colBatch,
  col2im,
  col2imBatch,
  gemm,
  geomArray,
  nativeKernels,
  residentScratch,
  wasmSampleSplitter,
  type ConvGeom,
  type FloatArray,
} from '../../engine/kernels/index.ts';
import { uninitFloat32, uninitLike } from '../../engine/kernels/alloc.ts';
import { SAMPLE_GROUP } from '../../engine/kernels/wasm-conv-samples.ts';

function alloc(like: FloatArray, n: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

// One scratch buffer per dtype, grown on demand: a training step would otherwise allocate a column buffer per call.
const scratch = { f32: new Float32Array(0), f64: new Float64Array(0) };
function scratchFor(like: FloatArray, n: number): FloatArray {
  return grow(scratch, like, n);
}
const scratch2 = { f32: new Float32Array(0), f64: new Float64Array(0) };
function scratch2For(like: FloatArray, n: number): FloatArray {
  return grow(scratch2, like, n);
}
function grow(scratch: { f32: Float32Array; f64: Float64Array }, like: FloatArray, n: number): FloatArray {
  if (like instanceof Float32Array) {
    if (scratch.f32.length < n) scratch.f32 = new Float32Array(n);
    return scratch.f32;
  }
  if (scratch.f64.length < n) scratch.f64 = new Float64Array(n);
  return scratch.f64;
}

/**
 * The native backend's whole-convolution kernels (board_native.c convForward/convBackward: per sample, columns in the
 * layout that suits the shape, GEMMs through OpenBLAS, bias fused), for float32. Null when the native backend is not
 * selected or the arrays are not float32: callers then use convForward/convBackward below.
 */
export function nativeConv(c: ConvCall, ...arrays: (FloatArray | null)[]): NativeConv | null {
  const nat = nativeKernels();
  if (!nat || !arrays.every((a) => a === null || a instanceof Float32Array)) return null;
  const geom = geomArray(c.geom);
  const shape = Int32Array.of(c.N, c.Cout, c.groups);
  const L = lenOf(c.geom);
  return {
    forward(x, w, b) {
      const y = uninitFloat32(c.N * c.Cout * L); // written in full by the kernel
      nat.convForward(x, w, b, y, geom, shape);
      return y;
    },
    backward(gy, x, w, dx, dw, dwBeta, db, dbBeta) {
      nat.convBackward(gy, x, w, dx, dw, dwBeta, db, dbBeta, geom, shape);
    },
  };
}

export interface NativeConv {
  forward(x: Float32Array, w: Float32Array, b: Float32Array | null): Float32Array;
  /** dx is written in full; dw and db get beta·old + gradient (beta 0 or 1). */
  backward(
    gy: Float32Array,
    x: Float32Array,
    w: Float32Array,
    dx: Float32Array | null,
    dw: Float32Array | null,
    dwBeta: number,
    db: Float32Array | null,
    dbBeta: number,
  ): void;
}

/** Reductions (Cin/groups · kernel volume) shorter than this run one GEMM per sample; longer ones one per group. */
const PER_SAMPLE_ROWS = 128;

/** Shared description of a (transposed) convolution call. `geom` is the im2col geometry over the *input* side. */
export interface ConvCall {
  N: number;
  groups: number;
  geom: ConvGeom; // for conv: C = Cin/groups over the input; for transposed: over the output, C = Cout/groups
  Cin: number;
  Cout: number;
}

/**
 * out[r] = s_r (or out[r] += s_r when `add`) for the R rows of L values at src[off + r·L ...], where each s_r is summed
 * in j order in a double, as a one-row-at-a-time loop sums it (so the bits are the same). Rows go four at a time:
 * one row's chain of dependent additions is bound by the add latency, and four chains overlap (bias gradients of the
 * benchmark CNN's conv1, 590k values: 0.57-0.68 -> 0.42-0.45 ms).
 */
function rowSums(src: FloatArray, off: number, L: number, R: number, out: FloatArray, add: boolean): void {
  let r = 0;
  for (; r + 4 <= R; r += 4) {
    const o0 = off + r * L,
      o1 = o0 + L,
      o2 = o1 + L,
      o3 = o2 + L;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let j = 0; j < L; j++) {
      s0 += src[o0 + j]!;
      s1 += src[o1 + j]!;
      s2 += src[o2 + j]!;
      s3 += src[o3 + j]!;
    }
    if (add) {
      out[r] += s0;
      out[r + 1] += s1;
      out[r + 2] += s2;
      out[r + 3] += s3;
    } else {
      out[r] = s0;
      out[r + 1] = s1;
      out[r + 2] = s2;
      out[r + 3] = s3;
    }
  }
  for (; r < R; r++) {
    let s = 0;
    const o = off + r * L;
    for (let j = 0; j < L; j++) s += src[o + j]!;
    if (add) out[r] += s;
    else out[r] = s;
  }
}

const planeOf = (g: ConvGeom) => g.inD * g.inH * g.inW;
const lenOf = (g: ConvGeom) => g.oD * g.oH * g.oW;
const kOf = (g: ConvGeom) => g.kD * g.kH * g.kW;

/**
 * y[N, Cout, L] = conv(x[N, Cin, plane], w[Cout, Cin/g, K]) + b. The columns of the whole batch sit side by side
 * ([Cin·K, N·L]) so each group is ONE large GEMM instead of N small ones. Returns the output and, when `keepCols`,
 * the column matrix for the weight gradient.
 */
export function convForward(
  c: ConvCall,
  x: FloatArray,
  w: FloatArray,
  b: FloatArray | null,
  keepCols: boolean,
): { y: FloatArray; cols: FloatArray | null } {
  const { N, groups, geom, Cin, Cout } = c;
  const L = lenOf(geom),
    plane = planeOf(geom),
    K = kOf(geom);
  const Cg = Cin / groups,
    Cog = Cout / groups,
    rows = Cg * K;
  const NL = N * L;
  const full = { ...geom, C: Cin };
  const y = uninitLike(x, N * Cout * L); // every element is written below (bias fill + GEMM, or GEMM + reorder)
  if (rows < PER_SAMPLE_ROWS) {
    // Short reduction (e.g. a first layer, Cin·k·k = 25): per sample, columns into a small cache-resident scratch and
    // one GEMM straight into y (bias pre-filled); the weight gradient recomputes the columns the same way, so nothing
    // batch-sized is kept. Measured 2.0 vs 9.3 ms for the benchmark CNN's conv1 against one batched GEMM + reorder.
    // With wasm threads the samples are split over the threads (wasm-conv-samples.ts), computing the same bits.
    const split = wasmSampleSplitter(x, N, geom, Cog);
    if (split && split.forwardFits(geom, Cout, groups)) {
      split.forward(x as Float32Array, N, geom, groups, Cout, w as Float32Array, b as Float32Array | null, y as Float32Array);
      return { y, cols: null };
    }
    if (b) for (let n = 0; n < N; n++) for (let o = 0; o < Cout; o++) y.fill(b[o]!, (n * Cout + o) * L, (n * Cout + o + 1) * L);
    const col = scratchFor(x, Cin * K * L);
    for (let n = 0; n < N; n++) {
      im2col(x, n * Cin * plane, full, col, 0, L);
      for (let g = 0; g < groups; g++) {
        gemm(false, false, Cog, L, rows, 1, w, g * Cog * rows, rows, col, g * rows * L, L, b ? 1 : 0, y, (n * Cout + g * Cog) * L, L);
      }
    }
    return { y, cols: null };
  }
  // On the wasm backend the columns stay in the pool's shared memory from im2col to the GEMM (residentScratch).
  const cols = keepCols ? uninitLike(x, Cin * K * NL) : (residentScratch(x, Cin * K * NL) ?? scratchFor(x, Cin * K * NL));
  im2colBatch(x, N, full, cols);
  const tmp = scratch2For(x, Cout * NL);
  if (Cog <= 64) {
    // Few output channels, long reduction: the SIMD kernel runs about twice as fast on the transposed product
    // outᵀ[N·L, Cout] = colsᵀ · Wᵀ (measured on conv2 of the benchmark CNN), then reorder with the bias.
    for (let g = 0; g < groups; g++) {
      gemm(true, true, NL, Cog, rows, 1, cols, g * rows * NL, NL, w, g * Cog * rows, rows, 0, tmp, g * Cog, Cout);
    }
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < Cout; o++) {
        const bo = b ? b[o]! : 0;
        const dst = (n * Cout + o) * L;
        let src = n * L * Cout + o;
        for (let j = 0; j < L; j++, src += Cout) y[dst + j] = tmp[src]! + bo;
      }
    }
    return { y, cols: keepCols ? cols : null };
  }
  // out[Cout, N·L] then reorder to [N, Cout, L] adding the bias
  for (let g = 0; g < groups; g++) {
    gemm(false, false, Cog, NL, rows, 1, w, g * Cog * rows, rows, cols, g * rows * NL, NL, 0, tmp, g * Cog * NL, NL);
  }
  for (let o = 0; o < Cout; o++) {
    const bo = b ? b[o]! : 0;
    for (let n = 0; n < N; n++) {
      const src = o * NL + n * L,
        dst = (n * Cout + o) * L;
      for (let j = 0; j < L; j++) y[dst + j] = tmp[src + j]! + bo;
    }
  }
  return { y, cols: keepCols ? cols : null };
}

/** Gradients of convForward. `cols` (from forward) is required for dw; it is recomputed when missing. */
export function convBackward(
  c: ConvCall,
  gy: FloatArray,
  x: FloatArray,
  w: FloatArray,
  cols: FloatArray | null,
  need: { x: boolean; w: boolean; b: boolean },
): { dx: FloatArray | null; dw: FloatArray | null; db: FloatArray | null } {
  const { N, groups, geom, Cin, Cout } = c;
  const L = lenOf(geom),
    plane = planeOf(geom),
    K = kOf(geom);
  const Cg = Cin / groups,
    Cog = Cout / groups,
    rows = Cg * K;
  const NL = N * L;
  const full = { ...geom, C: Cin };
  if (rows < PER_SAMPLE_ROWS) return convBackwardPerSample(c, gy, x, w, need);
  // gy as [Cout, N·L], matching the column layout
  const gyT = scratch2For(gy, Cout * NL);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < Cout; o++) {
      const src = (n * Cout + o) * L,
        dst = o * NL + n * L;
      for (let j = 0; j < L; j++) gyT[dst + j] = gy[src + j]!;
    }
  }
  const dx = need.x ? alloc(x, N * Cin * plane) : null;
  const dw = need.w ? uninitLike(x, Cout * rows) : null; // GEMM with beta = 0 writes all of it
  const db = need.b ? alloc(x, Cout) : null;
  if (dw) {
    let colsW = cols;
    if (!colsW) {
      colsW = residentScratch(x, Cin * K * NL) ?? scratchFor(x, Cin * K * NL);
      im2colBatch(x, N, full, colsW);
    }
    for (let g = 0; g < groups; g++) {
      gemm(false, true, Cog, rows, NL, 1, gyT, g * Cog * NL, NL, colsW, g * rows * NL, NL, 0, dw, g * Cog * rows, rows);
    }
  }
  if (dx) {
    // Resident (wasm backend): the column gradient goes from the GEMM to col2im without leaving shared memory.
    const dcols = residentScratch(x, Cin * K * NL) ?? scratchFor(x, Cin * K * NL);
    for (let g = 0; g < groups; g++) {
      gemm(true, false, rows, NL, Cog, 1, w, g * Cog * rows, rows, gyT, g * Cog * NL, NL, 0, dcols, g * rows * NL, NL);
    }
    col2imBatch(dcols, N, full, dx);
  }
  if (db) rowSums(gyT, 0, NL, Cout, db, false);
  return { dx, dw, db };
}

/** Per-group weight-gradient sums of convBackwardPerSample, kept between calls (one per dtype). */
const groupSums = { f32: new Float32Array(0), f64: new Float64Array(0) };

/**
 * convBackward for short reductions: per sample, recomputed columns and GEMMs reading gy in place (no reorder).
 * The weight gradient sums the per-sample products in fixed groups of SAMPLE_GROUP samples (each group accumulated in
 * sample order by the GEMM, beta 0 then 1), then adds the group sums in group order. The order depends only on N, so
 * the wasm backend's split of the groups over threads (wasm-conv-samples.ts) gives the same bits as this loop.
 */
function convBackwardPerSample(
  c: ConvCall,
  gy: FloatArray,
  x: FloatArray,
  w: FloatArray,
  need: { x: boolean; w: boolean; b: boolean },
): { dx: FloatArray | null; dw: FloatArray | null; db: FloatArray | null } {
  const { N, groups, geom, Cin, Cout } = c;
  const L = lenOf(geom),
    plane = planeOf(geom),
    K = kOf(geom);
  const Cg = Cin / groups,
    Cog = Cout / groups,
    rows = Cg * K;
  const full = { ...geom, C: Cin };
  const dx = need.x ? alloc(x, N * Cin * plane) : null;
  const dw = need.w ? alloc(x, Cout * rows) : null;
  const db = need.b ? alloc(x, Cout) : null;
  const col = scratchFor(x, Cin * K * L);
  if (dw && N > 0) {
    const nGroups = Math.ceil(N / SAMPLE_GROUP),
      size = Cout * rows;
    const all = grow(groupSums, x, nGroups * size);
    const sums = Array.from({ length: nGroups }, (_, i) => all.subarray(i * size, (i + 1) * size));
    const split = wasmSampleSplitter(x, N, geom, Cog);
    if (split) split.weightGroupSums(x as Float32Array, N, geom, groups, Cout, gy as Float32Array, sums as Float32Array[]);
    else {
      for (let s = 0; s < nGroups; s++) {
        const n0 = s * SAMPLE_GROUP,
          n1 = Math.min(N, n0 + SAMPLE_GROUP);
        for (let n = n0; n < n1; n++) {
          im2col(x, n * Cin * plane, full, col, 0, L);
          for (let g = 0; g < groups; g++) {
            gemm(
              false,
              true,
              Cog,
              rows,
              L,
              1,
              gy,
              (n * Cout + g * Cog) * L,
              L,
              col,
              g * rows * L,
              L,
              n === n0 ? 0 : 1,
              sums[s]!,
              g * Cog * rows,
              rows,
            );
          }
        }
      }
    }
    dw.set(sums[0]!);
    for (let s = 1; s < nGroups; s++) {
      const sum = sums[s]!;
      for (let i = 0; i < size; i++) dw[i] += sum[i]!;
    }
  }
  if (dx) {
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < groups; g++) {
        gemm(true, false, rows, L, Cog, 1, w, g * Cog * rows, rows, gy, (n * Cout + g * Cog) * L, L, 0, col, g * rows * L, L);
      }
      col2im(col, full, dx, n * Cin * plane, 0, L);
    }
  }
  if (db) for (let n = 0; n < N; n++) rowSums(gy, n * Cout * L, L, Cout, db, true);
  return { dx, dw, db };
}

/**
 * Transposed convolution: y[N, Cout, outPlane] from x[N, Cin, L] and w[Cin, Cout/g, K]. Here `geom` describes the
 * equivalent forward conv from y's plane (C = Cout/g) to x's positions (L = oD·oH·oW).
 */
export function convTransposeForward(c: ConvCall, x: FloatArray, w: FloatArray, b: FloatArray | null): FloatArray {
  const { N, groups, geom, Cin, Cout } = c;
  const L = lenOf(geom),
    outPlane = planeOf(geom),
    K = kOf(geom);
  const Cig = Cin / groups,
    Cog = Cout / groups,
    rows = Cog * K;
  const y = alloc(x, N * Cout * outPlane);
  const col = scratchFor(x, rows * L);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < groups; g++) {
      gemm(true, false, rows, L, Cig, 1, w, g * Cig * rows, rows, x, (n * Cin + g * Cig) * L, L, 0, col, 0, L);
      col2im(col, geom, y, (n * Cout + g * Cog) * outPlane);
    }
    if (b) {
      for (let o = 0; o < Cout; o++) {
        const bo = b[o]!;
        const off = (n * Cout + o) * outPlane;
        for (let j = 0; j < outPlane; j++) y[off + j] += bo;
      }
    }
  }
  return y;
}

export function convTransposeBackward(
  c: ConvCall,
  gy: FloatArray,
  x: FloatArray,
  w: FloatArray,
  need: { x: boolean; w: boolean; b: boolean },
): { dx: FloatArray | null; dw: FloatArray | null; db: FloatArray | null } {
  const { N, groups, geom, Cin, Cout } = c;
  const L = lenOf(geom),
    outPlane = planeOf(geom),
    K = kOf(geom);
  const Cig = Cin / groups,
    Cog = Cout / groups,
    rows = Cog * K;
  const dx = need.x ? alloc(x, N * Cin * L) : null;
  const dw = need.w ? alloc(x, Cin * rows) : null;
  const db = need.b ? alloc(x, Cout) : null;
  const col = scratchFor(x, rows * L);
  if (dx || dw) {
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < groups; g++) {
        im2col(gy, (n * Cout + g * Cog) * outPlane, geom, col);
        if (dx) gemm(false, false, Cig, L, rows, 1, w, g * Cig * rows, rows, col, 0, L, 0, dx, (n * Cin + g * Cig) * L, L);
        if (dw) gemm(false, true, Cig, rows, L, 1, x, (n * Cin + g * Cig) * L, L, col, 0, L, 1, dw, g * Cig * rows, rows);
      }
    }
  }
  if (db) {
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < Cout; o++) {
        let s = 0;
        const off = (n * Cout + o) * outPlane;
        for (let j = 0; j < outPlane; j++) s += gy[off + j]!;
        db[o] += s;
      }
    }
  }
  return { dx, dw, db };
}

export type PadMode = 'reflect' | 'replicate' | 'circular';

function srcIndex(i: number, n: number, mode: PadMode): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'replicate') return i < 0 ? 0 : n - 1;
  if (mode === 'circular') return ((i % n) + n) % n;
  return i < 0 ? -i : 2 * (n - 1) - i; // reflect (edge not repeated)
}

/**
 * Explicit non-zero padding of x[NC, D, H, W] by (before, after) per spatial dim. With `adjoint`, folds a gradient of
 * the padded tensor back onto the input shape instead (src = padded grad, returns input-shaped grad).
 */
export function padPlanes(
  src: FloatArray,
  NC: number,
  inDims: [number, number, number],
  before: [number, number, number],
  after: [number, number, number],
  mode: PadMode,
  adjoint: boolean,
): FloatArray {
  const [D, H, W] = inDims;
  const PD = D + before[0] + after[0],
    PH = H + before[1] + after[1],
    PW = W + before[2] + after[2];
  const out = alloc(src, adjoint ? NC * D * H * W : NC * PD * PH * PW);
  for (let c = 0; c < NC; c++) {
    const inBase = c * D * H * W;
    const padBase = c * PD * PH * PW;
    for (let d = 0; d < PD; d++) {
      const sd = srcIndex(d - before[0], D, mode);
      for (let h = 0; h < PH; h++) {
        const sh = srcIndex(h - before[1], H, mode);
        const rowIn = inBase + (sd * H + sh) * W;
        const rowPad = padBase + (d * PH + h) * PW;
        for (let w = 0; w < PW; w++) {
          const sw = srcIndex(w - before[2], W, mode);
          if (adjoint) out[rowIn + sw] += src[rowPad + w]!;
          else out[rowPad + w] = src[rowIn + sw]!;
        }
      }
    }
  }
  return out;
}
