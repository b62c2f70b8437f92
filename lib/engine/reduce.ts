// Reductions (sum, mean, prod, max/min, arg*, var/std, norm, logsumexp, all/any), dim-wise ops
// (softmax, logSoftmax, cumsum), and order statistics (median, topk, sort).
import { roundHalf } from './half.ts';
import { allocate, isFloating, scalarTypeName, type DType } from './dtype.ts';
import { contiguousStrides, copyStrided, normDim, numelOf } from './layout.ts';
import { Tensor } from './tensor.ts';
import { record, clock } from './graph.ts';
import { emptyRaw } from './creation.ts';
import { stdSort, partialSort, nthElement, type Less } from './stdsort.ts';

/** What max(dim)/min(dim)/median(dim)/sort/topk return, as torch's (values, indices) named tuple. */
export type ValuesIndices = { values: Tensor; indices: Tensor };

type Dims = number | readonly number[] | null | undefined;

/** Normalized, sorted, unique reduction dims; null/undefined/[] mean all dims. */
export function reductionDims(x: Tensor, dim: Dims, op: string): number[] {
  const n = x.dim();
  if (dim == null || (Array.isArray(dim) && dim.length === 0)) return [...Array(n).keys()];
  const list = typeof dim === 'number' ? [dim] : [...(dim as number[])];
  const out = [...new Set(list.map((d) => normDim(d, n, op)))].sort((a, b) => a - b);
  if (n === 0) return [];
  return out;
}

interface Prepared {
  data: ArrayLike<number>;
  outer: number;
  inner: number;
  outShape: number[];
  keptShape: number[];
}

/** Lay x out with the reduced dims last and contiguous: outer x inner blocks. */
function prepare(x: Tensor, dims: readonly number[], keepdim: boolean): Prepared {
  const n = x.dim();
  const kept = [...Array(n).keys()].filter((d) => !dims.includes(d));
  const order = [...kept, ...dims];
  const shape = order.map((d) => x.shape[d]!),
    strides = order.map((d) => x.strides[d]!);
  const inner = numelOf(dims.map((d) => x.shape[d]!));
  const outer = numelOf(kept.map((d) => x.shape[d]!));
  let data: ArrayLike<number>;
  const identity = order.every((d, i) => d === i);
  if (identity && x.isContiguous()) data = x.storage.subarray(x.offset, x.offset + x.numel());
  else {
    const buf = allocate(x.dtype === 'float32' ? 'float32' : 'float64', x.numel());
    copyStrided(x.storage, x.offset, strides, shape, buf, 0, contiguousStrides(shape), x.dtype === 'float32' ? 'float32' : 'float64', true);
    data = buf;
  }
  const keptShape = x.shape.map((s, d) => (dims.includes(d) ? 1 : s));
  const outShape = keepdim ? keptShape : kept.map((d) => x.shape[d]!);
  return { data, outer, inner, outShape, keptShape };
}

type Kind =
  | 'sum'
  | 'prod'
  | 'max'
  | 'min'
  | 'argmax'
  | 'argmin'
  | 'all'
  | 'any'
  | 'lse'
  | 'normP'
  | 'normInf'
  | 'normNegInf'
  | 'norm0'
  | 'norm1'
  | 'norm2';

/** One reduction per output element over a contiguous block; `p` is the norm order. */
function reduceRaw(x: Tensor, dims: readonly number[], keepdim: boolean, kind: Kind, outDtype: DType, p = 2): Tensor {
  if (kind === 'sum' && dims.length > 0 && dims.length < x.dim() && dims.every((d, i) => d === i) && x.isContiguous()) {
    return sumLeading(x, dims, keepdim, outDtype);
  }
  const { data, outer, inner, outShape } = prepare(x, dims, keepdim);
  const out = allocate(outDtype, outer);
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    let acc = 0;
    switch (kind) {
      case 'sum':
        for (let i = 0; i < inner; i++) acc += data[base + i]!;
        break;
      case 'prod':
        acc = 1;
        for (let i = 0; i < inner; i++) acc *= data[base + i]!;
        break;
      case 'max':
      case 'min':
      case 'argmax':
      case 'argmin': {
        const isMax = kind === 'max' || kind === 'argmax';
        let best = data[base]!,
          idx = 0;
        if (best === best) {
          for (let i = 1; i < inner; i++) {
            const v = data[base + i]!;
            if (v !== v) {
              best = v;
              idx = i;
              break;
            }
            if (isMax ? v > best : v < best) {
              best = v;
              idx = i;
            }
          }
        }
        if (inner === 0)
          throw new RangeError(
            `${kind}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
          );
        acc = kind === 'max' || kind === 'min' ? best : idx;
        break;
      }
      case 'all':
        acc = 1;
        for (let i = 0; i < inner; i++)
          if (data[base + i] === 0) {
            acc = 0;
            break;
          }
        break;
      case 'any':
        for (let i = 0; i < inner; i++)
          if (data[base + i] !== 0) {
            acc = 1;
            break;
          }
        break;
      case 'lse': {
        let m = -Infinity;
        for (let i = 0; i < inner; i++) if (data[base + i]! > m) m = data[base + i]!;
        if (m === -Infinity || m === Infinity) {
          acc = m === Infinity ? Infinity : -Infinity;
          break;
        }
        for (let i = 0; i < inner; i++) acc += Math.exp(data[base + i]! - m);
        acc = m + Math.log(acc);
        break;
      }
      case 'norm0':
        for (let i = 0; i < inner; i++) if (data[base + i] !== 0) acc++;
        break;
      case 'norm1':
        for (let i = 0; i < inner; i++) acc += Math.abs(data[base + i]!);
        break;
      case 'norm2': {
        for (let i = 0; i < inner; i++) {
          const v = data[base + i]!;
          acc += v * v;
        }
        acc = Math.sqrt(acc);
        break;
      }
      case 'normInf':
        for (let i = 0; i < inner; i++) {
          const v = Math.abs(data[base + i]!);
          if (v > acc || v !== v) acc = v;
        }
        break;
      case 'normNegInf':
        acc = Infinity;
        for (let i = 0; i < inner; i++) {
          const v = Math.abs(data[base + i]!);
          if (v < acc || v !== v) acc = v;
        }
        break;
      case 'normP':
        for (let i = 0; i < inner; i++) acc += Math.pow(Math.abs(data[base + i]!), p);
        acc = Math.pow(acc, 1 / p);
        break;
    }
    out[o] = outDtype === 'bool' ? (acc !== 0 ? 1 : 0) : acc;
  }
  return Tensor.fromTypedArray(out, outShape, outDtype);
}

/** Sum over leading dims of a contiguous tensor (bias gradients, batch sums) row by row, without a transposed copy. */
function sumLeading(x: Tensor, dims: readonly number[], keepdim: boolean, outDtype: DType): Tensor {
  const rows = numelOf(dims.map((d) => x.shape[d]!)),
    cols = x.numel() / Math.max(rows, 1);
  const acc = new Float64Array(cols),
    src = x.storage;
  for (let r = 0, b = x.offset; r < rows; r++, b += cols) for (let c = 0; c < cols; c++) acc[c] += src[b + c]!;
  const out = allocate(outDtype, cols);
  for (let c = 0; c < cols; c++) out[c] = outDtype === 'bool' ? (acc[c] !== 0 ? 1 : 0) : acc[c]!;
  const shape = keepdim ? x.shape.map((s, d) => (dims.includes(d) ? 1 : s)) : x.shape.slice(dims.length);
  return Tensor.fromTypedArray(out, shape, outDtype);
}

function intToLong(d: DType): DType {
  return isFloating(d) ? d : 'int64';
}

export function sum(x: Tensor, dim?: Dims, keepdim = false, dtype?: DType): Tensor {
  const t0 = clock();
  const dims = reductionDims(x, dim, 'sum');
  const out = reduceRaw(x, dims, keepdim, 'sum', dtype ?? intToLong(x.dtype));
  record('sum', dim == null ? 'SumBackward0' : 'SumBackward1', [x], [out], [], { dims, keepdim }, t0, 'sum');
  return out;
}

export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (!isFloating(x.dtype)) {
    throw new TypeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${scalarTypeName(x.dtype)}`,
    );
  }
  const t0 = clock();
  const dims = reductionDims(x, dim, 'mean');
  const count = numelOf(dims.map((d) => x.shape[d]!));
  const s = reduceRaw(x, dims, keepdim, 'sum', 'float64');
  const out = emptyRaw(s.shape, x.dtype);
  // PyTorch 1.13 divides the sum stored in the output dtype: a float16 sum is rounded to half before the division.
  const stored = x.dtype === 'float16' ? (v: number) => roundHalf(Math.fround(v)) : (v: number) => v;
  for (let i = 0; i < s.storage.length; i++) out.storage[i] = stored(s.storage[i]!) / count;
  record('mean', dim == null ? 'MeanBackward0' : 'MeanBackward1', [x], [out], [], { dims, keepdim, count }, t0, 'mean');
  return out;
}

export function prod(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  const t0 = clock();
  const dims = reductionDims(x, dim, 'prod');
  const out = reduceRaw(x, dims, keepdim, 'prod', intToLong(x.dtype));
  record('prod', dim == null ? 'ProdBackward0' : 'ProdBackward1', [x], [out], [x, out], { dims, keepdim }, t0, 'prod');
  return out;
}

/** d prod / d x_i = product of the other elements of its slice, exact with zeros. */
export function prodBackward(x: Tensor, dims: readonly number[]): Tensor {
  const n = x.dim();
  const { data, outer, inner } = prepare(x, dims, true);
  const res = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    let zeros = 0,
      zeroAt = -1,
      p = 1;
    for (let i = 0; i < inner; i++) {
      const v = data[base + i]!;
      if (v === 0) {
        zeros++;
        zeroAt = i;
      } else p *= v;
    }
    if (zeros === 0) for (let i = 0; i < inner; i++) res[base + i] = p / data[base + i]!;
    else if (zeros === 1) res[base + zeroAt] = p;
  }
  // res is laid out as [kept..., reduced...]; permute back to x's dim order.
  const kept = [...Array(n).keys()].filter((d) => !dims.includes(d));
  const order = [...kept, ...dims];
  const permShape = order.map((d) => x.shape[d]!);
  const permStrides = contiguousStrides(permShape);
  const strides = new Array<number>(n);
  order.forEach((d, i) => {
    strides[d] = permStrides[i]!;
  });
  const out = emptyRaw(x.shape, isFloating(x.dtype) ? x.dtype : 'float32');
  copyStrided(res, 0, strides, x.shape, out.storage, 0, out.strides, out.dtype, true);
  return out;
}

/** max()/min() over everything (MaxBackward1, ties share the gradient) or along dim with indices (MaxBackward0). */
export function maxmin(kind: 'max' | 'min', x: Tensor): Tensor;
export function maxmin(kind: 'max' | 'min', x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function maxmin(kind: 'max' | 'min', x: Tensor, dim?: number, keepdim?: boolean): Tensor | ValuesIndices;
export function maxmin(kind: 'max' | 'min', x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  const t0 = clock();
  const Kind = kind === 'max' ? 'Max' : 'Min';
  if (dim === undefined) {
    if (x.numel() === 0)
      throw new RangeError(
        `${kind}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
      );
    const out = reduceRaw(x, reductionDims(x, null, kind), false, kind, x.dtype);
    record('maxAll', `${Kind}Backward1`, [x], [out], [x, out], {}, t0, kind);
    return out;
  }
  const dims = reductionDims(x, dim, kind);
  const values = reduceRaw(x, dims, keepdim, kind, x.dtype);
  const indices = reduceRaw(x, dims, keepdim, kind === 'max' ? 'argmax' : 'argmin', 'int64');
  record('indexedReduce', `${Kind}Backward0`, [x], [values], [indices], { dim: dims[0] ?? 0, keepdim }, t0, kind);
  return { values, indices };
}

export function amaxmin(kind: 'amax' | 'amin', x: Tensor, dim: Dims, keepdim = false): Tensor {
  const t0 = clock();
  const dims = reductionDims(x, dim, kind);
  const out = reduceRaw(x, dims, keepdim, kind === 'amax' ? 'max' : 'min', x.dtype);
  record('amax', kind === 'amax' ? 'AmaxBackward0' : 'AminBackward0', [x], [out], [x, out], { dims, keepdim }, t0, kind);
  return out;
}

export function argmaxmin(kind: 'argmax' | 'argmin', x: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (dim == null) {
    const r = reduceRaw(x, reductionDims(x, null, kind), false, kind, 'int64');
    return keepdim ? r.reshape(x.shape.map(() => 1)) : r;
  }
  return reduceRaw(x, reductionDims(x, dim, kind), keepdim, kind, 'int64');
}

export interface VarOptions {
  unbiased?: boolean;
  correction?: number;
  keepdim?: boolean;
}

/** var/std with Bessel's correction by default (N=1 gives NaN, as PyTorch). */
export function varStd(kind: 'var' | 'std', x: Tensor, dim: Dims, opts: VarOptions | boolean = {}, keepdimArg?: boolean): Tensor {
  const t0 = clock();
  const o: VarOptions = typeof opts === 'boolean' ? { unbiased: opts } : opts;
  const keepdim = keepdimArg ?? o.keepdim ?? false;
  const correction = o.correction ?? (o.unbiased === false ? 0 : 1);
  if (!isFloating(x.dtype)) throw new TypeError(`${kind}(): input dtype should be floating point, got ${x.dtype}`);
  const dims = reductionDims(x, dim, kind);
  const { data, outer, inner, outShape } = prepare(x, dims, keepdim);
  const out = allocate(x.dtype, outer);
  const denom = inner - correction;
  for (let i = 0; i < outer; i++) {
    const base = i * inner;
    let m = 0;
    for (let k = 0; k < inner; k++) m += data[base + k]!;
    m /= inner;
    let ss = 0;
    for (let k = 0; k < inner; k++) {
      const d = data[base + k]! - m;
      ss += d * d;
    }
    const v = denom <= 0 ? (denom === 0 && ss === 0 && inner > 0 ? NaN : ss / Math.max(denom, 0)) : ss / denom;
    out[i] = kind === 'var' ? v : Math.sqrt(v);
  }
  const res = Tensor.fromTypedArray(out, outShape, x.dtype);
  record(kind, kind === 'var' ? 'VarBackward0' : 'StdBackward0', [x], [res], [x, res], { dims, keepdim, denom }, t0, kind);
  return res;
}

/** torch.norm / linalg.vector_norm: p in {0, 1, 2, inf, -inf, any real}; 'fro' is 2. */
export function norm(x: Tensor, p: number | 'fro' = 'fro', dim?: Dims, keepdim = false, name = 'NormBackward1'): Tensor {
  const t0 = clock();
  const pp = p === 'fro' ? 2 : p;
  if (!isFloating(x.dtype))
    throw new TypeError(`norm(): input dtype should be either floating point or complex. Got ${scalarTypeName(x.dtype)} instead.`);
  const dims = reductionDims(x, dim, 'norm');
  // Frobenius over two explicit dims is sqrt(sum(x * x)) in PyTorch 1.13 (SqrtBackward0).
  if (p === 'fro' && Array.isArray(dim) && dims.length === 2) return x.mul(x).sum(dims, keepdim).sqrt();
  const kind: Kind =
    pp === 2 ? 'norm2' : pp === 1 ? 'norm1' : pp === 0 ? 'norm0' : pp === Infinity ? 'normInf' : pp === -Infinity ? 'normNegInf' : 'normP';
  const out = reduceRaw(x, dims, keepdim, kind, x.dtype, pp);
  record('norm', name, [x], [out], [x, out], { dims, keepdim, p: pp }, t0, 'norm');
  return out;
}

export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  const t0 = clock();
  const dims = reductionDims(x, dim, 'logsumexp');
  const out = reduceRaw(x, dims, keepdim, 'lse', isFloating(x.dtype) ? x.dtype : 'float32');
  record('logsumexp', 'LogsumexpBackward0', [x], [out], [x, out], { dims, keepdim }, t0);
  return out;
}

export function allAny(kind: 'all' | 'any', x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return reduceRaw(x, reductionDims(x, dim, kind), keepdim, kind, 'bool');
}

/** Reduce a broadcast gradient back to `shape` (sum over expanded dims). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.dim() - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.dim(); i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  let r = dims.length ? sum(g, dims, true) : g;
  if (lead > 0 || r.dim() !== shape.length) r = r.reshape(shape);
  return r;
}

// ---- along one dim ---------------------------------------------------------------------------------

/** Run `fn(rowIn, rowOut, len)` over every 1-D lane along `dim`, on float64 scratch rows. */
function alongDim(x: Tensor, dim: number, outDtype: DType, fn: (src: Float64Array, dst: Float64Array, n: number) => void): Tensor {
  const d = normDim(dim, x.dim(), 'dim');
  const n = x.dim() === 0 ? 1 : x.shape[d]!;
  const out = emptyRaw(x.shape, outDtype);
  const lanes = n === 0 ? 0 : x.numel() / n;
  const src = new Float64Array(n),
    dst = new Float64Array(n);
  const xs = x.dim() === 0 ? 0 : x.strides[d]!,
    os = x.dim() === 0 ? 0 : out.strides[d]!;
  // Iterate lanes by walking all other dims.
  const others = [...Array(x.dim()).keys()].filter((k) => k !== d);
  const cnt = new Array<number>(others.length).fill(0);
  let xp = x.offset,
    op = 0;
  for (let l = 0; l < lanes; l++) {
    for (let i = 0; i < n; i++) src[i] = x.storage[xp + i * xs]!;
    fn(src, dst, n);
    for (let i = 0; i < n; i++) out.storage[op + i * os] = dst[i]!;
    for (let k = others.length - 1; k >= 0; k--) {
      const od = others[k]!;
      if (++cnt[k]! < x.shape[od]!) {
        xp += x.strides[od]!;
        op += out.strides[od]!;
        break;
      }
      cnt[k] = 0;
      xp -= x.strides[od]! * (x.shape[od]! - 1);
      op -= out.strides[od]! * (x.shape[od]! - 1);
    }
  }
  return out;
}

function softmaxRow(src: Float64Array, dst: Float64Array, n: number, log: boolean): void {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (src[i]! > m) m = src[i]!;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(src[i]! - m);
  if (log) {
    const l = Math.log(s);
    for (let i = 0; i < n; i++) dst[i] = src[i]! - m - l;
  } else for (let i = 0; i < n; i++) dst[i] = Math.exp(src[i]! - m) / s;
}

export function softmax(x: Tensor, dim: number): Tensor {
  const t0 = clock();
  const d = normDim(dim, x.dim(), 'softmax');
  const out = alongDim(x, d, isFloating(x.dtype) ? x.dtype : 'float32', (s, o, n) => softmaxRow(s, o, n, false));
  record('softmax', 'SoftmaxBackward0', [x], [out], [out], { dim: d }, t0);
  return out;
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  const t0 = clock();
  const d = normDim(dim, x.dim(), 'log_softmax');
  const out = alongDim(x, d, isFloating(x.dtype) ? x.dtype : 'float32', (s, o, n) => softmaxRow(s, o, n, true));
  record('logSoftmax', 'LogSoftmaxBackward0', [x], [out], [out], { dim: d }, t0);
  return out;
}

export function cumsum(x: Tensor, dim: number): Tensor {
  const t0 = clock();
  const d = normDim(dim, x.dim(), 'cumsum');
  const out = alongDim(x, d, intToLong(x.dtype), (s, o, n) => {
    let a = 0;
    for (let i = 0; i < n; i++) {
      a += s[i]!;
      o[i] = a;
    }
  });
  record('cumsum', 'CumsumBackward0', [x], [out], [], { dim: d }, t0);
  return out;
}

export function cumprod(x: Tensor, dim: number): Tensor {
  const t0 = clock();
  const d = normDim(dim, x.dim(), 'cumprod');
  const out = alongDim(x, d, intToLong(x.dtype), (s, o, n) => {
    let a = 1;
    for (let i = 0; i < n; i++) {
      a *= s[i]!;
      o[i] = a;
    }
  });
  record('cumprod', 'CumprodBackward0', [x], [out], [x], { dim: d }, t0);
  return out;
}

/** d/dx_i of sum_j g_j * prod_{k<=j} x_k, exact with zeros: sum_{j>=i} g_j * prod_{k<=j, k!=i} x_k. */
export function cumprodBackward(x: Tensor, g: Tensor, dim: number): Tensor {
  const n = x.dim() === 0 ? 1 : x.shape[dim]!;
  const gl = new Float64Array(n);
  // Run lanes of x and g together: put g into the scratch of each x lane via a paired walk.
  const gm = g.detach().transpose(dim, -1).contiguous().dataSync();
  let lane = 0;
  const res = alongDim(x.detach(), dim, g.dtype, (s, o, len) => {
    for (let i = 0; i < len; i++) gl[i] = gm[lane * len + i]!;
    lane++;
    for (let i = 0; i < len; i++) {
      let acc = 0,
        prefix = 1;
      for (let k = 0; k < i; k++) prefix *= s[k]!;
      let p = prefix;
      for (let j = i; j < len; j++) {
        if (j > i) p *= s[j]!;
        acc += gl[j]! * p;
      }
      o[i] = acc;
    }
  });
  return res;
}

// ---- order statistics ---------------------------------------------------------------------------------

/** Sort along dim (PyTorch 1.13's CPU kernel: std::sort, NaN as the largest value). */
export function sort(x: Tensor, dim = -1, descending = false): { values: Tensor; indices: Tensor } {
  return sortedSelect(x, dim, descending, null, 'SortBackward0', 'sort');
}

export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } {
  const n = x.dim() === 0 ? 1 : x.shape[normDim(dim, x.dim(), 'topk')]!;
  if (k > n || k < 0) throw new RangeError(`topk: selected index k (${k}) out of range for dimension of size ${n}`);
  return sortedSelect(x, dim, largest, { k, sorted }, 'TopkBackward0', 'topk');
}

/** Comparators of PyTorch's sort/topk kernels: NaN compares as the largest value. */
function lessFor(v: ArrayLike<number>, base: number, descending: boolean): Less {
  return descending
    ? (a, b) => {
        const x = v[base + a]!,
          y = v[base + b]!;
        return (x !== x && y === y) || x > y;
      }
    : (a, b) => {
        const x = v[base + a]!,
          y = v[base + b]!;
        return (x === x && y !== y) || x < y;
      };
}

function sortedSelect(
  x: Tensor,
  dim: number,
  descending: boolean,
  top: { k: number; sorted: boolean } | null,
  name: string,
  op: string,
): { values: Tensor; indices: Tensor } {
  const t0 = clock();
  const d = x.dim() === 0 ? 0 : normDim(dim, x.dim(), op);
  const moved = x.dim() === 0 ? x.detach().reshape([1]) : x.detach().transpose(d, -1).contiguous();
  const n = moved.shape[moved.dim() - 1]!;
  const k = top ? top.k : n;
  const lanes = n === 0 ? 0 : moved.numel() / n;
  const outShape = [...moved.shape.slice(0, -1), k];
  const vals = emptyRaw(outShape, x.dtype),
    idxs = emptyRaw(outShape, 'int64');
  const src = moved.storage,
    perm = new Array<number>(n);
  for (let l = 0; l < lanes; l++) {
    const base = l * n;
    for (let i = 0; i < n; i++) perm[i] = i;
    const less = lessFor(src, base, descending);
    if (!top) stdSort(perm, 0, n, less);
    else if (k > 0 && k * 64 <= n) partialSort(perm, 0, k, n, less);
    else if (k > 0) {
      nthElement(perm, 0, k - 1, n, less);
      if (top.sorted) stdSort(perm, 0, k - 1, less);
    }
    for (let i = 0; i < k; i++) {
      vals.storage[l * k + i] = src[base + perm[i]!]!;
      idxs.storage[l * k + i] = perm[i]!;
    }
  }
  const back = (t: Tensor) => (x.dim() === 0 ? t.reshape([]) : t.transpose(d, -1).contiguous());
  const values = back(vals),
    indices = back(idxs);
  record('indexedReduce', name, [x], [values], [indices], { dim: d, keepdim: true }, t0, op);
  return { values, indices };
}

/** The lower median of each lane: the first NaN if any, else the middle of the (value, index) order (PyTorch's CPU kernel). */
function medianLane(v: ArrayLike<number>, base: number, n: number, perm: number[]): number {
  for (let i = 0; i < n; i++) if (v[base + i] !== v[base + i]) return i;
  for (let i = 0; i < n; i++) perm[i] = i;
  const mid = (n - 1) >> 1;
  nthElement(perm, 0, mid, n, (a, b) => v[base + a]! < v[base + b]! || (v[base + a] === v[base + b] && a < b));
  return perm[mid]!;
}

/** median: the lower middle value (full), or values + indices along dim (MedianBackward0 / MedianBackward1). */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, dim?: number, keepdim?: boolean): Tensor | ValuesIndices;
export function median(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  const t0 = clock();
  if (dim === undefined) {
    const flat = x.detach().reshape([-1]);
    const n = flat.numel();
    const src = flat.detach().contiguous().dataSync();
    const out = emptyRaw([], x.dtype),
      idx = emptyRaw([], 'int64');
    if (n === 0) out.storage[0] = NaN;
    else {
      const i = medianLane(src, 0, n, new Array<number>(n));
      out.storage[0] = src[i]!;
      idx.storage[0] = i;
    }
    // Like max(), the full median shares its gradient evenly among all elements equal to it.
    record('maxAll', 'MedianBackward0', [x], [out], [x, out], {}, t0, 'median');
    return out;
  }
  const d = normDim(dim, x.dim(), 'median');
  const moved = x.detach().transpose(d, -1).contiguous();
  const n = moved.shape[moved.dim() - 1]!;
  const lanes = n === 0 ? 0 : moved.numel() / n;
  const laneShape = moved.shape.slice(0, -1);
  const vals = emptyRaw(laneShape, x.dtype),
    idxs = emptyRaw(laneShape, 'int64');
  const perm = new Array<number>(n);
  for (let l = 0; l < lanes; l++) {
    const i = medianLane(moved.storage, l * n, n, perm);
    vals.storage[l] = moved.storage[l * n + i]!;
    idxs.storage[l] = i;
  }
  // Lanes are in the order of x's other dims (dim d moved last): put d back as a size-1 dim.
  const keptShape = x.shape.map((s, k) => (k === d ? 1 : s));
  let v = vals
    .reshape([...laneShape, 1])
    .transpose(d, -1)
    .contiguous()
    .reshape(keptShape);
  let ix = idxs
    .reshape([...laneShape, 1])
    .transpose(d, -1)
    .contiguous()
    .reshape(keptShape);
  if (!keepdim) {
    v = v.squeeze(d);
    ix = ix.squeeze(d);
  }
  v = v.detach();
  ix = ix.detach();
  record('indexedReduce', 'MedianBackward1', [x], [v], [ix], { dim: d, keepdim }, t0, 'median');
  return { values: v, indices: ix };
}

export function equal(a: Tensor, b: Tensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) return false;
  const x = a.dataSync(),
    y = b.dataSync();
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export function allclose(a: Tensor, b: Tensor, rtol = 1e-5, atol = 1e-8): boolean {
  const d = a.sub(b).abs(),
    lim = b.abs().mul(rtol).add(atol);
  return d.le(lim).all().item() === true;
}
