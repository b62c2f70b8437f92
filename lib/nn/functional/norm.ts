// F.batch_norm, F.layer_norm, F.group_norm: fused kernels with their own backward (NativeBatchNormBackward0,
// NativeLayerNormBackward0, NativeGroupNormBackward0). Statistics are accumulated in float64.
// All three normalize "rows" of a strided layout, so one pair of kernels (normRows*) serves them.
import { Tensor, customOp } from '../../engine/index.ts';
import type { FloatArray } from '../../engine/kernels/index.ts';
import { floatData, wrap, shapeStr, sameDtype, prod } from './util.ts';

function alloc(like: FloatArray, n: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

// ---- batch norm: stats per channel over (N, spatial) ---------------------------------------------------------

export interface BatchNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number | null;
  eps?: number;
  /** The module's num_batches_tracked buffer, incremented in training (needed when momentum is null). */
  numBatchesTracked?: Tensor | null;
}

function writableData(t: Tensor): FloatArray {
  if (!t.isContiguous()) throw new Error('batch_norm: running statistics must be contiguous');
  return (t.storage as FloatArray).subarray(t.offset, t.offset + t.numel()) as FloatArray;
}

export function batchNorm(input: Tensor, opts: BatchNormOptions = {}): Tensor {
  const op = 'batch_norm';
  const { runningMean = null, runningVar = null, weight = null, bias = null, training = false, eps = 1e-5 } = opts;
  const momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
  if (input.dim() < 2) throw new Error(`${op}: expected at least 2D input (got ${input.dim()}D input)`);
  sameDtype(op, input, weight, bias);
  const N = input.shape[0]!,
    C = input.shape[1]!;
  const S = prod(input.shape.slice(2));
  const M = N * S;
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
    ['running_mean', runningMean],
    ['running_var', runningVar],
  ] as const) {
    if (t && t.numel() !== C) throw new Error(`${op}: ${name} should contain ${C} elements not ${t.numel()}`);
  }
  const useBatch = training || !runningMean || !runningVar;
  if (useBatch && M <= 1) throw new Error(`Expected more than 1 value per channel when training, got input size ${shapeStr(input.shape)}`);
  const mean = new Float64Array(C);
  const invstd = new Float64Array(C);
  let xhat: FloatArray | null = null;
  const y = customOp(
    'NativeBatchNormBackward0',
    [input, weight, bias],
    () => {
      const x = floatData(input, op);
      const out = alloc(x, x.length);
      xhat = alloc(x, x.length);
      const w = weight ? floatData(weight, op) : null;
      const b = bias ? floatData(bias, op) : null;
      const rm = runningMean ? floatData(runningMean, op) : null;
      const rv = runningVar ? floatData(runningVar, op) : null;
      for (let c = 0; c < C; c++) {
        let m: number, v: number;
        if (useBatch) {
          let s = 0;
          for (let n = 0; n < N; n++) {
            const off = (n * C + c) * S;
            for (let i = 0; i < S; i++) s += x[off + i]!;
          }
          m = s / M;
          let sq = 0;
          for (let n = 0; n < N; n++) {
            const off = (n * C + c) * S;
            for (let i = 0; i < S; i++) {
              const d = x[off + i]! - m;
              sq += d * d;
            }
          }
          v = sq / M;
          if (training && rm && rv) {
            let f = momentum;
            if (f === null) {
              const nbt = opts.numBatchesTracked ? Number(opts.numBatchesTracked.item()) : 1;
              f = 1 / nbt;
            }
            const rmw = writableData(runningMean!),
              rvw = writableData(runningVar!);
            rmw[c] = (1 - f) * rm[c]! + f * m;
            rvw[c] = (1 - f) * rv[c]! + f * (sq / (M - 1));
          }
        } else {
          m = rm![c]!;
          v = rv![c]!;
        }
        mean[c] = m;
        const is = 1 / Math.sqrt(v + eps);
        invstd[c] = is;
        const wc = w ? w[c]! : 1,
          bc = b ? b[c]! : 0;
        for (let n = 0; n < N; n++) {
          const off = (n * C + c) * S;
          for (let i = 0; i < S; i++) {
            const h = (x[off + i]! - m) * is;
            xhat[off + i] = h;
            out[off + i] = h * wc + bc;
          }
        }
      }
      if (training && runningMean) {
        runningMean._bumpVersion();
        runningVar?._bumpVersion();
      }
      return wrap(out, input.shape);
    },
    ([gyT]) => {
      const gy = floatData(gyT!.contiguous(), op);
      const xh = xhat!;
      const w = weight ? floatData(weight, op) : null;
      const dx = input.requiresGrad ? alloc(gy, gy.length) : null;
      const dw = weight && weight.requiresGrad ? alloc(gy, C) : null;
      const db = bias && bias.requiresGrad ? alloc(gy, C) : null;
      for (let c = 0; c < C; c++) {
        let sg = 0,
          sgx = 0;
        for (let n = 0; n < N; n++) {
          const off = (n * C + c) * S;
          for (let i = 0; i < S; i++) {
            const g = gy[off + i]!;
            sg += g;
            sgx += g * xh[off + i]!;
          }
        }
        if (dw) dw[c] = sgx;
        if (db) db[c] = sg;
        if (!dx) continue;
        const wc = w ? w[c]! : 1;
        const k = wc * invstd[c]!;
        if (useBatch) {
          const mg = sg / M,
            mgx = sgx / M;
          for (let n = 0; n < N; n++) {
            const off = (n * C + c) * S;
            for (let i = 0; i < S; i++) dx[off + i] = k * (gy[off + i]! - mg - xh[off + i]! * mgx);
          }
        } else {
          for (let n = 0; n < N; n++) {
            const off = (n * C + c) * S;
            for (let i = 0; i < S; i++) dx[off + i] = k * gy[off + i]!;
          }
        }
      }
      return [dx ? wrap(dx, input.shape) : null, dw ? wrap(dw, [C]) : null, db ? wrap(db, [C]) : null];
    },
    { op, attrs: { training, momentum, eps } },
  ) as Tensor;
  return y;
}

// ---- layer norm and group norm: stats per row of `rowLen` contiguous elements --------------------------------

/**
 * Normalizes `rows` contiguous rows of length L; the affine weight/bias index is `affineIndex(row, i)`.
 * Returns output, xhat and rstd per row.
 */
function normRowsForward(
  x: FloatArray,
  rows: number,
  L: number,
  eps: number,
  w: FloatArray | null,
  b: FloatArray | null,
  affine: (row: number, i: number) => number,
): { y: FloatArray; xhat: FloatArray; rstd: Float64Array } {
  const y = alloc(x, x.length);
  const xhat = alloc(x, x.length);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const off = r * L;
    let s = 0;
    for (let i = 0; i < L; i++) s += x[off + i]!;
    const m = s / L;
    let sq = 0;
    for (let i = 0; i < L; i++) {
      const d = x[off + i]! - m;
      sq += d * d;
    }
    const rs = 1 / Math.sqrt(sq / L + eps);
    rstd[r] = rs;
    for (let i = 0; i < L; i++) {
      const h = (x[off + i]! - m) * rs;
      xhat[off + i] = h;
      if (w || b) {
        const a = affine(r, i);
        y[off + i] = h * (w ? w[a]! : 1) + (b ? b[a]! : 0);
      } else {
        y[off + i] = h;
      }
    }
  }
  return { y, xhat, rstd };
}

function normRowsBackward(
  gy: FloatArray,
  xhat: FloatArray,
  rstd: Float64Array,
  rows: number,
  L: number,
  w: FloatArray | null,
  affine: (row: number, i: number) => number,
  nAffine: number,
  need: { x: boolean; w: boolean; b: boolean },
): { dx: FloatArray | null; dw: FloatArray | null; db: FloatArray | null } {
  const dx = need.x ? alloc(gy, gy.length) : null;
  const dw = need.w ? alloc(gy, nAffine) : null;
  const db = need.b ? alloc(gy, nAffine) : null;
  const gxh = new Float64Array(L);
  for (let r = 0; r < rows; r++) {
    const off = r * L;
    let s1 = 0,
      s2 = 0;
    for (let i = 0; i < L; i++) {
      const g = gy[off + i]!;
      const a = w || dw || db ? affine(r, i) : 0;
      if (dw) dw[a] += g * xhat[off + i]!;
      if (db) db[a] += g;
      const gh = w ? g * w[a]! : g;
      gxh[i] = gh;
      s1 += gh;
      s2 += gh * xhat[off + i]!;
    }
    if (!dx) continue;
    const rs = rstd[r]!;
    const m1 = s1 / L,
      m2 = s2 / L;
    for (let i = 0; i < L; i++) dx[off + i] = rs * (gxh[i]! - m1 - xhat[off + i]! * m2);
  }
  return { dx, dw, db };
}

export function layerNorm(
  input: Tensor,
  normalizedShape: number | number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const op = 'layer_norm';
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  const tail = input.shape.slice(input.dim() - ns.length);
  if (ns.length > input.dim() || tail.some((s, i) => s !== ns[i])) {
    throw new Error(
      `${op}: Given normalized_shape=${shapeStr(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size${shapeStr(input.shape)}`,
    );
  }
  sameDtype(op, input, weight, bias);
  const L = prod(ns);
  const rows = L === 0 ? 0 : input.numel() / L;
  const aff = (_r: number, i: number) => i;
  let saved: ReturnType<typeof normRowsForward> | null = null;
  return customOp(
    'NativeLayerNormBackward0',
    [input, weight, bias],
    () => {
      saved = normRowsForward(
        floatData(input, op),
        rows,
        L,
        eps,
        weight ? floatData(weight, op) : null,
        bias ? floatData(bias, op) : null,
        aff,
      );
      return wrap(saved.y, input.shape);
    },
    ([gy]) => {
      const need = { x: input.requiresGrad, w: !!weight && weight.requiresGrad, b: !!bias && bias.requiresGrad };
      const g = normRowsBackward(
        floatData(gy!.contiguous(), op),
        saved!.xhat,
        saved!.rstd,
        rows,
        L,
        weight ? floatData(weight, op) : null,
        aff,
        L,
        need,
      );
      return [g.dx ? wrap(g.dx, input.shape) : null, g.dw ? wrap(g.dw, ns) : null, g.db ? wrap(g.db, ns) : null];
    },
    { op, attrs: { normalizedShape: ns, eps } },
  ) as Tensor;
}

export function groupNorm(input: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const op = 'group_norm';
  if (input.dim() < 2) throw new Error(`${op}: Expected at least 2 dimensions for input tensor but received ${input.dim()}`);
  const N = input.shape[0]!,
    C = input.shape[1]!;
  if (C % numGroups !== 0)
    throw new Error(
      `${op}: Expected number of channels in input to be divisible by num_groups, but got input of shape ${shapeStr(input.shape)} and num_groups=${numGroups}`,
    );
  sameDtype(op, input, weight, bias);
  const S = prod(input.shape.slice(2));
  const cpg = C / numGroups;
  const L = cpg * S;
  const rows = N * numGroups;
  // row r = n·G + g; element i of the row is channel g·cpg + floor(i / S)
  const aff = (r: number, i: number) => (r % numGroups) * cpg + Math.floor(i / S);
  let saved: ReturnType<typeof normRowsForward> | null = null;
  return customOp(
    'NativeGroupNormBackward0',
    [input, weight, bias],
    () => {
      saved = normRowsForward(
        floatData(input, op),
        rows,
        L,
        eps,
        weight ? floatData(weight, op) : null,
        bias ? floatData(bias, op) : null,
        aff,
      );
      return wrap(saved.y, input.shape);
    },
    ([gy]) => {
      const need = { x: input.requiresGrad, w: !!weight && weight.requiresGrad, b: !!bias && bias.requiresGrad };
      const g = normRowsBackward(
        floatData(gy!.contiguous(), op),
        saved!.xhat,
        saved!.rstd,
        rows,
        L,
        weight ? floatData(weight, op) : null,
        aff,
        C,
        need,
      );
      return [g.dx ? wrap(g.dx, input.shape) : null, g.dw ? wrap(g.dw, [C]) : null, g.db ? wrap(g.db, [C]) : null];
    },
    { op, attrs: { numGroups, eps } },
  ) as Tensor;
}
