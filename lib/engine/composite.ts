// Composite ops: built only from differentiable primitives, so they carry no gradient code of their own
// (their graphs show the primitives' node names, which can differ from PyTorch's for the same op).
import { allocate, isFloating, type DType } from './dtype.ts';
import { normDim, shapeStr, broadcastShapes } from './layout.ts';
import { Tensor } from './tensor.ts';
import { zeros, tensor } from './creation.ts';
import { pow, where, asTensor, softplus, elu, type Operand } from './elementwise.ts';
import { namedComposite } from './autograd.ts';
import { cat, diagonal, diagonalBackward, permute } from './movement.ts';
import { bmm, mm, mv } from './linalg.ts';
import { sort } from './reduce.ts';
import { quickSelect } from './stdsort.ts';

// ---- elementwise -----------------------------------------------------------------------------------

/** self + weight * (end - self). */
export function lerp(x: Tensor, end: Tensor, weight: Operand): Tensor {
  const w = weight instanceof Tensor && !weight._wrapped ? weight : null;
  return namedComposite(w ? 'LerpBackward1' : 'LerpBackward0', [x, end, w], (a, b, wt) => a!.add(b!.sub(a!).mul(wt ?? weight)), 'lerp');
}
export function addcmul(x: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  return namedComposite('AddcmulBackward0', [x, t1, t2], (a, b, c) => a!.add(b!.mul(c!), { alpha: value }), 'addcmul');
}
export function addcdiv(x: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  return namedComposite('AddcdivBackward0', [x, t1, t2], (a, b, c) => a!.add(b!.div(c!), { alpha: value }), 'addcdiv');
}
export function exp2(x: Tensor): Tensor {
  return namedComposite('Exp2Backward0', [x], (a) => pow(2, a!.to(isFloating(a!.dtype) ? a!.dtype : 'float32')), 'exp2');
}
export function hypot(a: Tensor, b: Tensor): Tensor {
  return namedComposite('HypotBackward0', [a, b], (p, q) => p!.mul(p!).add(q!.mul(q!)).sqrt(), 'hypot');
}
/** log(exp(a) + exp(b)) without overflow. */
export function logaddexp(a: Tensor, b: Tensor): Tensor {
  const m = a.detach().maximum(b.detach());
  const shift = m.maskedFill(m.isinf(), 0);
  return namedComposite('LogaddexpBackward0', [a, b], (p, q) => p!.sub(shift).exp().add(q!.sub(shift).exp()).log().add(shift), 'logaddexp');
}

// ---- activations without a kernel of their own ------------------------------------------------------

/** x * tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return namedComposite('MishBackward0', [x], (a) => a!.mul(softplus(a!).tanh()), 'mish');
}
/** clamp(x / 6 + 1/2, 0, 1). */
export function hardsigmoid(x: Tensor): Tensor {
  return namedComposite('HardsigmoidBackward0', [x], (a) => a!.div(6).add(0.5).clamp(0, 1), 'hardsigmoid');
}
/** x * hardsigmoid(x). */
export function hardswish(x: Tensor): Tensor {
  return namedComposite('HardswishBackward0', [x], (a) => a!.mul(a!.div(6).add(0.5).clamp(0, 1)), 'hardswish');
}
/** max(0, x) + min(0, alpha * (exp(x / alpha) - 1)). */
export function celu(x: Tensor, alpha = 1): Tensor {
  return namedComposite('CeluBackward0', [x], (a) => elu(a!.div(alpha), 1).mul(alpha), 'celu');
}
export function softsign(x: Tensor): Tensor {
  return x.div(x.abs().add(1));
}
export function tanhshrink(x: Tensor): Tensor {
  return x.sub(x.tanh());
}
/** |a - b| <= atol + rtol * |b| (NaNs equal when equalNan). */
export function isclose(a: Tensor, b: Operand, rtol = 1e-5, atol = 1e-8, equalNan = false): Tensor {
  const tb = asTensor(b);
  const close = a.sub(tb).abs().le(tb.abs().mul(rtol).add(atol)).logicalOr(a.eq(tb));
  return equalNan ? close.logicalOr(a.isnan().logicalAnd(tb.isnan())) : close;
}
const FLOAT_MAX: Record<string, number> = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE };
/** Replace NaN / +inf / -inf (defaults: 0 and the dtype's largest finite values). */
export function nanToNum(x: Tensor, nan = 0, posinf?: number | null, neginf?: number | null): Tensor {
  if (!isFloating(x.dtype)) return x.clone();
  const big = FLOAT_MAX[x.dtype]!;
  let r = where(x.isnan(), nan, x);
  r = where(r.eq(Infinity), posinf ?? big, r);
  return where(r.eq(-Infinity), neginf ?? -big, r);
}

// ---- shape ------------------------------------------------------------------------------------------

/** Move dims `source` to positions `destination` (torch.movedim). */
export function movedim(x: Tensor, source: number | number[], destination: number | number[]): Tensor {
  const src = (Array.isArray(source) ? source : [source]).map((d) => normDim(d, x.dim(), 'movedim'));
  const dst = (Array.isArray(destination) ? destination : [destination]).map((d) => normDim(d, x.dim(), 'movedim'));
  if (src.length !== dst.length)
    throw new RangeError(
      `movedim: Invalid source or destination dims: source (${src}) and destination (${dst}) must have the same number of elements`,
    );
  const order = new Array<number>(x.dim()).fill(-1);
  src.forEach((s, i) => {
    order[dst[i]!] = s;
  });
  const rest = [...Array(x.dim()).keys()].filter((d) => !src.includes(d));
  for (let i = 0, j = 0; i < order.length; i++) if (order[i] === -1) order[i] = rest[j++]!;
  return permute(x, order);
}

export function tile(x: Tensor, reps: readonly number[]): Tensor {
  const r = reps.length < x.dim() ? [...new Array(x.dim() - reps.length).fill(1), ...reps] : [...reps];
  return x.repeat(r);
}

/** Repeat each element `repeats` times along dim (flattened when dim is omitted). */
export function repeatInterleave(x: Tensor, repeats: number | Tensor, dim?: number | null): Tensor {
  const src = dim == null ? x.reshape([-1]) : x;
  const d = dim == null ? 0 : normDim(dim, x.dim(), 'repeat_interleave');
  const n = src.shape[d]!;
  const reps = typeof repeats === 'number' ? new Array<number>(n).fill(repeats) : Array.from(repeats.dataSync());
  if (reps.length === 1 && n !== 1)
    ((reps.length = 0), reps.push(...new Array<number>(n).fill(Number(typeof repeats === 'number' ? repeats : repeats.item()))));
  if (reps.length !== n)
    throw new RangeError(`repeat_interleave: repeats must have the same size as input along dim (${reps.length} vs ${n})`);
  const idx: number[] = [];
  reps.forEach((k, i) => {
    for (let j = 0; j < k; j++) idx.push(i);
  });
  return src.indexSelect(d, tensor(idx, { dtype: 'int64' }));
}

/** Elements at flat indices (as if x were 1-D), shaped like index. */
export function take(x: Tensor, index: Tensor): Tensor {
  return namedComposite('TakeBackward0', [x], (a) => a!.reshape([-1]).index(index), 'take');
}

/** 1-D: a matrix with x on the given diagonal. 2-D: that diagonal (a copy). */
export function diag(x: Tensor, k = 0): Tensor {
  if (x.dim() === 1) {
    const n = x.shape[0]! + Math.abs(k);
    return namedComposite('DiagBackward0', [x], (a) => diagonalBackward(a!, [n, n], k, 0, 1), 'diag');
  }
  if (x.dim() === 2) return namedComposite('DiagBackward0', [x], (a) => diagonal(a!, k, 0, 1).clone(), 'diag');
  throw new RangeError(`diag(): Supports 1D or 2D tensors. Got ${x.dim()}D (shape ${shapeStr(x.shape)})`);
}

export function trace(x: Tensor): Tensor {
  if (x.dim() !== 2) throw new RangeError(`trace: expected a matrix, but got tensor with dim ${x.dim()}`);
  return namedComposite('TraceBackward0', [x], (a) => diagonal(a!).sum(), 'trace');
}

export function atleast1d(x: Tensor): Tensor {
  return x.dim() >= 1 ? x : x.reshape([1]);
}
export function atleast2d(x: Tensor): Tensor {
  return x.dim() >= 2 ? x : x.reshape([1, ...atleast1d(x).shape]);
}
export function atleast3d(x: Tensor): Tensor {
  if (x.dim() >= 3) return x;
  if (x.dim() === 2) return x.unsqueeze(-1);
  return atleast1d(x).reshape([1, -1, 1]);
}
export function hstack(ts: readonly Tensor[]): Tensor {
  const a = ts.map(atleast1d);
  return cat(a, a[0]!.dim() === 1 ? 0 : 1);
}
export function vstack(ts: readonly Tensor[]): Tensor {
  return cat(ts.map(atleast2d), 0);
}
export function dstack(ts: readonly Tensor[]): Tensor {
  return cat(ts.map(atleast3d), 2);
}
export function columnStack(ts: readonly Tensor[]): Tensor {
  return cat(
    ts.map((t) => (t.dim() <= 1 ? t.reshape([-1, 1]) : t)),
    1,
  );
}

/** Expand all tensors to their common broadcast shape. */
export function broadcastTensors(...ts: Tensor[]): Tensor[] {
  let shape: number[] = [];
  for (const t of ts) shape = broadcastShapes(shape, t.shape, 'broadcast_tensors');
  return ts.map((t) => t.expand(shape));
}

/** torch.meshgrid with indexing 'ij' (default) or 'xy'. */
export function meshgrid(ts: readonly Tensor[], indexing: 'ij' | 'xy' = 'ij'): Tensor[] {
  const vs = [...ts];
  if (indexing === 'xy' && vs.length >= 2) [vs[0], vs[1]] = [vs[1]!, vs[0]!];
  const shape = vs.map((t) => t.numel());
  let grids = vs.map((t, i) => t.reshape(shape.map((s, k) => (k === i ? s : 1))).expand(shape));
  if (indexing === 'xy' && grids.length >= 2) grids = grids.map((g) => g.transpose(0, 1));
  if (indexing === 'xy' && grids.length >= 2) [grids[0], grids[1]] = [grids[1]!, grids[0]!];
  return grids;
}

function dimIndex(x: Tensor, dim: number, index: Tensor): (Tensor | null)[] {
  const d = normDim(dim, x.dim(), 'index');
  return [...new Array<Tensor | null>(d).fill(null), index.reshape([-1])];
}
export function indexFill(x: Tensor, dim: number, index: Tensor, value: Operand): Tensor {
  const v = value instanceof Tensor ? value : null;
  return namedComposite(
    v ? 'IndexFillBackward1' : 'IndexFillBackward0',
    [x, v],
    (a, b) => a!.indexPut(dimIndex(x, dim, index), b ?? value),
    'index_fill',
  );
}
export function indexCopy(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return namedComposite('IndexCopyBackward0', [x, src], (a, b) => a!.indexPut(dimIndex(x, dim, index), b!), 'index_copy');
}
export function indexAdd(x: Tensor, dim: number, index: Tensor, src: Tensor, alpha = 1): Tensor {
  return namedComposite(
    'IndexAddBackward0',
    [x, src],
    (a, b) => a!.indexPut(dimIndex(x, dim, index), alpha === 1 ? b! : b!.mul(alpha), true),
    'index_add',
  );
}
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  const shape = broadcastShapes(x.shape, mask.shape, 'masked_select');
  return namedComposite('MaskedSelectBackward0', [x], (a) => a!.expand(shape).index(mask.expand(shape)), 'masked_select');
}

/** Copy consecutive elements of source into the positions where mask is true. */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  const m = mask.expand(x.shape);
  const nz = m.nonzero();
  const count = nz.shape[0]!;
  if (source.numel() < count)
    throw new RangeError(`masked_scatter: expected source to have at least ${count} elements, got ${source.numel()}`);
  return namedComposite(
    'MaskedScatterBackward0',
    [x, source],
    (a, b) => a!.indexPut(nz.unbind(1), b!.reshape([-1]).narrow(0, 0, count)),
    'masked_scatter',
  );
}

/** Sum g down to shape (broadcast reduction), as Tensor.sum_to_size. */
export function sumToSize(x: Tensor, shape: readonly number[]): Tensor {
  const lead = x.dim() - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < x.dim(); i++) if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) dims.push(i);
  const r = dims.length ? x.sum(dims, true) : x;
  return r.reshape(shape);
}

// ---- reductions ---------------------------------------------------------------------------------------

export function nansum(x: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return namedComposite('NansumBackward0', [x], (a) => a!.maskedFill(a!.isnan(), 0).sum(dim, keepdim), 'nansum');
}
export function nanmean(x: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  const ok = x.isnan().logicalNot();
  return nansum(x, dim, keepdim).div(ok.sum(dim, keepdim));
}
/** log(cumsum(exp(x))) along dim, shifted by the lane maximum for stability. */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  const m = x.detach().amax(dim, true);
  const shift = m.maskedFill(m.isinf(), 0);
  return namedComposite('LogcumsumexpBackward0', [x], (a) => a!.sub(shift).exp().cumsum(dim).log().add(shift), 'logcumsumexp');
}
export function stdMean(
  x: Tensor,
  dim?: number | number[] | null,
  opts: { unbiased?: boolean; correction?: number } = {},
  keepdim = false,
): [Tensor, Tensor] {
  return namedComposite('StdMeanBackward0', [x], (a) => [a!.std(dim, opts, keepdim), a!.mean(dim, keepdim)], 'std_mean') as [
    Tensor,
    Tensor,
  ];
}
export function varMean(
  x: Tensor,
  dim?: number | number[] | null,
  opts: { unbiased?: boolean; correction?: number } = {},
  keepdim = false,
): [Tensor, Tensor] {
  return namedComposite('VarMeanBackward0', [x], (a) => [a!.var(dim, opts, keepdim), a!.mean(dim, keepdim)], 'var_mean') as [
    Tensor,
    Tensor,
  ];
}
export function aminmax(x: Tensor, dim?: number | null, keepdim = false): { min: Tensor; max: Tensor } {
  return dim == null ? { min: x.amin(), max: x.amax() } : { min: x.amin(dim, keepdim), max: x.amax(dim, keepdim) };
}
export function dist(a: Tensor, b: Tensor, p = 2): Tensor {
  return namedComposite('DistBackward0', [a, b], (x, y) => x!.sub(y!).norm(p), 'dist');
}

/** k-th smallest along dim (1-based), values + indices, selected as PyTorch's CPU kernel does (quickselect). */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): { values: Tensor; indices: Tensor } {
  const d = x.dim() === 0 ? 0 : normDim(dim, x.dim(), 'kthvalue');
  const n = x.dim() === 0 ? 1 : x.shape[d]!;
  if (k < 1 || k > n) throw new RangeError(`kthvalue(): selected number k out of range for dimension ${d}`);
  const moved = x.dim() === 0 ? x.detach().reshape([1]) : x.detach().transpose(d, -1).contiguous();
  const data = moved.dataSync();
  const lanes = data.length / n;
  const idx = allocate('int64', lanes);
  const perm = new Array<number>(n);
  for (let l = 0; l < lanes; l++) {
    const base = l * n;
    for (let i = 0; i < n; i++) perm[i] = i;
    quickSelect(perm, k - 1, (a, b) => {
      const va = data[base + a]!,
        vb = data[base + b]!;
      return (va !== va && vb === vb) || va > vb;
    });
    idx[l] = perm[k - 1]!;
  }
  const laneShape = moved.shape.slice(0, -1);
  let indices =
    x.dim() === 0
      ? Tensor.fromTypedArray(idx, [], 'int64')
      : Tensor.fromTypedArray(idx, [...laneShape, 1], 'int64')
          .transpose(d, -1)
          .contiguous();
  if (!keepdim && x.dim() > 0) indices = indices.squeeze(d);
  const values = namedComposite(
    'KthvalueBackward0',
    [x],
    (a) => (x.dim() === 0 ? a!.clone() : keepdim ? a!.gather(d, indices) : a!.gather(d, indices.unsqueeze(d)).squeeze(d)),
    'kthvalue',
  );
  return { values, indices };
}

/** Running max/min along dim with the index of the (last, as PyTorch) extreme so far. */
export function cumextreme(kind: 'cummax' | 'cummin', x: Tensor, dim: number): { values: Tensor; indices: Tensor } {
  const d = normDim(dim, x.dim(), kind);
  const moved = x.detach().transpose(d, -1).contiguous();
  const n = moved.dim() === 0 ? 1 : moved.shape[moved.dim() - 1]!;
  const data = moved.dataSync();
  const idx = allocate('int64', data.length);
  for (let base = 0; base < data.length; base += n) {
    let best = data[base]!,
      at = 0;
    for (let i = 0; i < n; i++) {
      const v = data[base + i]!;
      if (best !== best) {
        /* NaN sticks */
      } else if (v !== v || (kind === 'cummax' ? v >= best : v <= best)) {
        best = v;
        at = i;
      }
      idx[base + i] = at;
    }
  }
  const indices = Tensor.fromTypedArray(idx, moved.shape, 'int64').transpose(d, -1).contiguous();
  const name = kind === 'cummax' ? 'CummaxBackward0' : 'CumminBackward0';
  return { values: namedComposite(name, [x], (a) => a!.gather(d, indices), kind), indices };
}

/** Sorted unique values, optionally with inverse indices and counts. */
export function unique(x: Tensor, opts: { sorted?: boolean; returnInverse?: boolean; returnCounts?: boolean } = {}): Tensor | Tensor[] {
  const data = Array.from(x.dataSync());
  const vals = [...new Set(data)].sort((a, b) => a - b);
  const pos = new Map(vals.map((v, i) => [v, i]));
  const out: Tensor[] = [tensor(vals, { dtype: x.dtype })];
  if (opts.returnInverse)
    out.push(
      tensor(
        data.map((v) => pos.get(v)!),
        { dtype: 'int64' },
      ).reshape(x.shape),
    );
  if (opts.returnCounts) {
    const counts = new Array<number>(vals.length).fill(0);
    for (const v of data) counts[pos.get(v)!]!++;
    out.push(tensor(counts, { dtype: 'int64' }));
  }
  return out.length === 1 ? out[0]! : out;
}

/** Count occurrences of each non-negative integer (weighted when weights are given). */
export function bincount(x: Tensor, weights?: Tensor | null, minlength = 0): Tensor {
  if (x.dim() !== 1 || isFloating(x.dtype))
    throw new TypeError(`bincount only supports 1-d non-negative integral inputs (got ${x.dtype} ${shapeStr(x.shape)})`);
  const data = x.dataSync();
  let n = minlength;
  for (const v of data) {
    if (v < 0) throw new RangeError('bincount only supports 1-d non-negative integral inputs.');
    n = Math.max(n, v + 1);
  }
  const d: DType = weights ? (weights.dtype === 'float32' ? 'float32' : 'float64') : 'int64';
  const out = allocate(d, n);
  const w = weights?.dataSync();
  for (let i = 0; i < data.length; i++) out[data[i]!] = out[data[i]!]! + (w ? w[i]! : 1);
  return Tensor.fromTypedArray(out, [n], d);
}

/** Histogram with equal-width bins over [min, max] (the data range when both are 0). */
export function histc(x: Tensor, bins = 100, min = 0, max = 0): Tensor {
  const data = x.dataSync();
  let lo = min,
    hi = max;
  if (lo === 0 && hi === 0) {
    lo = Math.min(...data);
    hi = Math.max(...data);
  }
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const out = allocate(x.dtype, bins);
  for (const v of data) {
    if (v < lo || v > hi || v !== v) continue;
    let b = Math.floor(((v - lo) * bins) / (hi - lo));
    if (b === bins) b--;
    out[b] = out[b]! + 1;
  }
  return Tensor.fromTypedArray(out, [bins], x.dtype);
}

export function msort(x: Tensor): Tensor {
  return sort(x, 0).values;
}

// ---- linear algebra -------------------------------------------------------------------------------

export function baddbmm(input: Tensor, b1: Tensor, b2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  return namedComposite('BaddbmmBackward0', [input, b1, b2], (i, p, q) => scaleAdd(i!, bmm(p!, q!), opts), 'baddbmm');
}
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  return namedComposite('AddmvBackward0', [input, mat, vec], (i, m, v) => scaleAdd(i!, mv(m!, v!), opts), 'addmv');
}
export function addr(input: Tensor, v1: Tensor, v2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  return namedComposite('AddrBackward0', [input, v1, v2], (i, p, q) => scaleAdd(i!, p!.outer(q!), opts), 'addr');
}
function scaleAdd(input: Tensor, prod: Tensor, { beta = 1, alpha = 1 }: { beta?: number; alpha?: number }): Tensor {
  const p = alpha === 1 ? prod : prod.mul(alpha);
  if (beta === 0) return p.add(zeros(input.shape, { dtype: p.dtype }));
  return (beta === 1 ? input : input.mul(beta)).add(p);
}

/** Cross product along the dim of size 3. */
export function cross(a: Tensor, b: Tensor, dim?: number): Tensor {
  const d = dim ?? a.shape.findIndex((s) => s === 3);
  if (d < 0 || a.shape[normDim(d, a.dim(), 'cross')] !== 3)
    throw new RangeError(`linalg.cross: inputs dimension ${dim} must have length 3. Got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  return namedComposite(
    'LinalgCrossBackward0',
    [a, b],
    (x, y) =>
      x!
        .roll(-1, d)
        .mul(y!.roll(-2, d))
        .sub(x!.roll(-2, d).mul(y!.roll(-1, d))),
    'cross',
  );
}

/** Contract the last `dims` dims of a with the first of b (or explicit dim lists). */
export function tensordot(a: Tensor, b: Tensor, dims: number | [number[], number[]] = 2): Tensor {
  const [da, db] =
    typeof dims === 'number'
      ? [[...Array(dims).keys()].map((i) => a.dim() - dims + i), [...Array(dims).keys()]]
      : [dims[0].map((d) => normDim(d, a.dim(), 'tensordot')), dims[1].map((d) => normDim(d, b.dim(), 'tensordot'))];
  const freeA = [...Array(a.dim()).keys()].filter((d) => !da.includes(d));
  const freeB = [...Array(b.dim()).keys()].filter((d) => !db.includes(d));
  const k = da.reduce((p, d) => p * a.shape[d]!, 1);
  const A = a.permute([...freeA, ...da]).reshape([-1, k]);
  const B = b.permute([...db, ...freeB]).reshape([k, -1]);
  return mm(A, B).reshape([...freeA.map((d) => a.shape[d]!), ...freeB.map((d) => b.shape[d]!)]);
}

/** Einstein summation over explicit or implicit ('ij,jk') equations, without ellipsis. */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhsGiven] = eq.split('->') as [string, string | undefined];
  const inputs = lhs.split(',');
  if (inputs.length !== operands.length)
    throw new RangeError(`einsum(): ${inputs.length} operands in the equation but ${operands.length} given`);
  if (eq.includes('.')) throw new RangeError('einsum(): ellipsis is not supported');
  const counts = new Map<string, number>();
  for (const s of inputs) for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  const rhs =
    rhsGiven ??
    [...counts.keys()]
      .filter((c) => counts.get(c) === 1)
      .sort()
      .join('');
  const letters = [...new Set([...rhs, ...[...counts.keys()].filter((c) => !rhs.includes(c))])];
  const sizes = new Map<string, number>();
  // Bring every operand to the common letter order (taking diagonals for repeated letters), then multiply.
  let acc: Tensor | null = null;
  operands.forEach((t, i) => {
    let s = inputs[i]!;
    if (s.length !== t.dim())
      throw new RangeError(
        `einsum(): the number of subscripts in "${s}" does not match the dimensions of operand ${i} (shape ${shapeStr(t.shape)})`,
      );
    let cur = t;
    for (let p = 0; p < s.length; p++) {
      const q = s.indexOf(s[p]!, p + 1);
      if (q > 0) {
        cur = diagonal(cur, 0, p, q);
        s = s.slice(0, p) + s.slice(p + 1, q) + s.slice(q + 1) + s[p];
        p = -1;
      }
    }
    [...s].forEach((c, k) => {
      const have = sizes.get(c);
      if (have !== undefined && have !== cur.shape[k] && have !== 1 && cur.shape[k] !== 1)
        throw new RangeError(`einsum(): operands do not broadcast with remapped shapes (subscript ${c}: ${have} vs ${cur.shape[k]})`);
      sizes.set(c, Math.max(have ?? 1, cur.shape[k]!));
    });
    const order = letters.filter((c) => s.includes(c)).map((c) => s.indexOf(c));
    cur = cur.permute(order);
    const present = letters.filter((c) => s.includes(c));
    cur = cur.reshape(letters.map((c) => (present.includes(c) ? cur.shape[present.indexOf(c)]! : 1)));
    acc = acc ? acc.mul(cur) : cur;
  });
  const sumDims = letters.map((c, i) => (rhs.includes(c) ? -1 : i)).filter((i) => i >= 0);
  let out = sumDims.length ? acc!.sum(sumDims) : acc!;
  const kept = letters.filter((c) => rhs.includes(c));
  const order = [...rhs].map((c) => kept.indexOf(c));
  if (order.some((d, i) => d !== i)) out = out.permute(order);
  const target = [...rhs].map((c) => sizes.get(c)!);
  return out.shape.every((s, i) => s === target[i]) ? out : out.expand(target);
}
