// Python-style indexing (getitem/setitem with ints, slices, None, ..., index tensors, bool masks),
// index_put, gather/scatter, index_select/index_add, masked_fill, nonzero.
import { allocate, checkScalarFits, isFloating } from './dtype.ts';
import { broadcastShapes, broadcastStrides, contiguousStrides, copyStrided, normDim, numelOf, shapeStr, RowIter } from './layout.ts';
import { Tensor } from './tensor.ts';
import { record, clock, needsGrad } from './graph.ts';
import { emptyRaw, arange, tensor as makeTensor } from './creation.ts';
import { asTensor, commitInPlace, checkInPlace, type Operand } from './elementwise.ts';
import { select, slice as sliceDim, unsqueeze, copyRaw } from './movement.ts';
import { sumToShape } from './reduce.ts';

/** A Python slice `start:stop:step` (build with `slice(a, b, c)`). */
export interface Slice {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}
/** One element of an index tuple. */
export type IndexItem = number | null | '...' | Slice | Tensor | readonly number[] | readonly boolean[];

/** Python's slice(stop) / slice(start, stop, step); null means omitted. */
export function slice(start?: number | null, stop?: number | null, step?: number | null): Slice {
  return arguments.length === 1 ? { start: null, stop: start, step: null } : { start, stop, step };
}

function isSlice(x: IndexItem): x is Slice {
  return x !== null && typeof x === 'object' && !(x instanceof Tensor) && !Array.isArray(x);
}

/** Index tensors for the advanced part: int64 (possibly negative) or bool masks expanded to nonzero. */
function toIndexTensor(x: Tensor | readonly number[] | readonly boolean[]): Tensor {
  if (x instanceof Tensor) return x;
  return makeTensor(x as number[], { dtype: x.length > 0 && typeof x[0] === 'boolean' ? 'bool' : 'int64' });
}

interface Parsed {
  view: Tensor;
  adv: (Tensor | null)[];
}

/** Apply the basic part of an index tuple (views), collecting advanced indices per dim of the view. */
function parseIndex(x: Tensor, items: readonly IndexItem[]): Parsed {
  let consumed = 0;
  for (const it of items) {
    if (it === null || it === '...') continue;
    if (it instanceof Tensor && (it.dtype === 'bool' || it.dtype === 'uint8')) consumed += Math.max(it.dim(), 1);
    else if (Array.isArray(it) && it.length > 0 && typeof it[0] === 'boolean') consumed += 1;
    else consumed += 1;
  }
  if (consumed > x.dim()) throw new RangeError(`too many indices for tensor of dimension ${x.dim()} (got ${consumed})`);
  const ell = items.indexOf('...');
  const expanded: IndexItem[] = [];
  items.forEach((it, i) => {
    if (it === '...') {
      if (i === ell) for (let k = 0; k < x.dim() - consumed; k++) expanded.push(slice(null, null, null));
    } else expanded.push(it);
  });
  let v = x;
  let d = 0;
  const adv: (Tensor | null)[] = [];
  for (const it of expanded) {
    if (typeof it === 'number' || (it instanceof Tensor && it.dim() === 0 && !isFloating(it.dtype) && it.dtype !== 'bool')) {
      v = select(v, d, Number(typeof it === 'number' ? it : it.item()));
    } else if (it === null) {
      v = unsqueeze(v, d);
      adv.push(null);
      d++;
    } else if (isSlice(it)) {
      const step = it.step ?? 1;
      if (step <= 0) throw new RangeError('step must be greater than zero');
      v = sliceDim(v, d, it.start ?? null, it.stop ?? null, step);
      adv.push(null);
      d++;
    } else {
      const t = toIndexTensor(it as Tensor);
      if (t.dtype === 'bool' || t.dtype === 'uint8') {
        const k = Math.max(t.dim(), 1);
        for (let j = 0; j < t.dim(); j++) {
          if (t.shape[j] !== v.shape[d + j])
            throw new RangeError(
              `The shape of the mask ${shapeStr(t.shape)} at index ${j} does not match the shape of the indexed tensor ${shapeStr(v.shape)} at index ${d + j}`,
            );
        }
        if (t.dim() === 0) {
          v = unsqueeze(v, d);
        }
        const nz = nonzero(t.dim() === 0 ? t.reshape([1]) : t);
        for (let j = 0; j < k; j++) adv.push(nz.select(1, j));
        d += k;
      } else {
        if (isFloating(t.dtype)) throw new TypeError('tensors used as indices must be long, int, byte or bool tensors');
        adv.push(t);
        d++;
      }
    }
  }
  while (adv.length < v.dim()) adv.push(null);
  return { view: v, adv };
}

interface AdvPlan {
  outShape: number[];
  bShape: number[];
  restDims: number[];
  advDims: number[];
  offsets: Float64Array;
  restShape: number[];
  insertAt: number;
}

/** Broadcast the index tensors and turn them into storage offsets; where the index dims land in the result. */
function planAdvanced(v: Tensor, adv: readonly (Tensor | null)[]): AdvPlan {
  const advDims = adv.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
  const restDims = adv.map((t, i) => (t ? -1 : i)).filter((i) => i >= 0);
  let bShape: number[] = [];
  for (const d of advDims) bShape = broadcastShapes(bShape, adv[d]!.shape, 'index');
  const nb = numelOf(bShape);
  const offsets = new Float64Array(nb);
  for (const d of advDims) {
    const idx = adv[d]!;
    const ex = idx.expand(bShape).detach();
    const it = ex.contiguous().dataSync();
    const size = v.shape[d]!,
      st = v.strides[d]!;
    for (let b = 0; b < nb; b++) {
      let k = it[b]!;
      if (k < -size || k >= size) throw new RangeError(`index ${k} is out of bounds for dimension ${d} with size ${size}`);
      if (k < 0) k += size;
      offsets[b] += k * st;
    }
  }
  const adjacent = advDims.every((d, i) => i === 0 || d === advDims[i - 1]! + 1);
  const insertAt = adjacent ? advDims[0]! : 0;
  const restShape = restDims.map((d) => v.shape[d]!);
  const outShape = [...restShape.slice(0, insertAt), ...bShape, ...restShape.slice(insertAt)];
  return { outShape, bShape, restDims, advDims, offsets, restShape, insertAt };
}

/** Strides of the result layout [rest[:p], B, rest[p:]] when iterated as [B, rest...]. */
function bFirstStrides(plan: AdvPlan): number[] {
  const full = contiguousStrides(plan.outShape);
  const nb = plan.bShape.length,
    p = plan.insertAt;
  const bStr = full.slice(p, p + nb);
  const restStr = [...full.slice(0, p), ...full.slice(p + nb)];
  return [...bStr, ...restStr];
}

/** Gather v[adv] (advanced indexing) into a fresh tensor. */
function indexRaw(v: Tensor, adv: readonly (Tensor | null)[]): Tensor {
  const plan = planAdvanced(v, adv);
  const out = emptyRaw(plan.outShape, v.dtype);
  const oStr = bFirstStrides(plan);
  const nb = numelOf(plan.bShape),
    nbDims = plan.bShape.length;
  const restStrides = plan.restDims.map((d) => v.strides[d]!);
  const restOut = oStr.slice(nbDims);
  const bStrides = oStr.slice(0, nbDims);
  const bCnt = new Array<number>(nbDims).fill(0);
  const restN = numelOf(plan.restShape);
  const rCnt = new Array<number>(plan.restShape.length).fill(0);
  for (let b = 0; b < nb; b++) {
    let ob = 0;
    for (let k = 0; k < nbDims; k++) ob += bCnt[k]! * bStrides[k]!;
    const base = v.offset + plan.offsets[b]!;
    rCnt.fill(0);
    for (let r = 0; r < restN; r++) {
      let si = base,
        oi = ob;
      for (let k = 0; k < rCnt.length; k++) {
        si += rCnt[k]! * restStrides[k]!;
        oi += rCnt[k]! * restOut[k]!;
      }
      out.storage[oi] = v.storage[si]!;
      for (let k = rCnt.length - 1; k >= 0; k--) {
        if (++rCnt[k]! < plan.restShape[k]!) break;
        rCnt[k] = 0;
      }
    }
    for (let k = nbDims - 1; k >= 0; k--) {
      if (++bCnt[k]! < plan.bShape[k]!) break;
      bCnt[k] = 0;
    }
  }
  return out;
}

/** Write (or add) `values` (broadcast to the v[adv] shape) into v's storage at v[adv]. */
function indexWriteRaw(v: Tensor, adv: readonly (Tensor | null)[], values: Tensor, accumulate: boolean): void {
  const plan = planAdvanced(v, adv);
  const vals = values.detach().expand(plan.outShape);
  // Iterate values in [B, rest...] order.
  const full = vals.strides;
  const nbDims = plan.bShape.length,
    p = plan.insertAt;
  const valStr = [...full.slice(p, p + nbDims), ...full.slice(0, p), ...full.slice(p + nbDims)];
  const nb = numelOf(plan.bShape),
    restN = numelOf(plan.restShape);
  const restStrides = plan.restDims.map((d) => v.strides[d]!);
  const bCnt = new Array<number>(nbDims).fill(0),
    rCnt = new Array<number>(plan.restShape.length).fill(0);
  const bool = v.dtype === 'bool',
    intTrunc = v.dtype === 'int64' && isFloating(vals.dtype);
  for (let b = 0; b < nb; b++) {
    let vb = vals.offset;
    for (let k = 0; k < nbDims; k++) vb += bCnt[k]! * valStr[k]!;
    const base = v.offset + plan.offsets[b]!;
    rCnt.fill(0);
    for (let r = 0; r < restN; r++) {
      let si = base,
        vi = vb;
      for (let k = 0; k < rCnt.length; k++) {
        si += rCnt[k]! * restStrides[k]!;
        vi += rCnt[k]! * valStr[nbDims + k]!;
      }
      let x = vals.storage[vi]!;
      if (accumulate) x += v.storage[si]!;
      v.storage[si] = bool ? (x !== 0 ? 1 : 0) : intTrunc ? Math.trunc(x) : x;
      for (let k = rCnt.length - 1; k >= 0; k--) {
        if (++rCnt[k]! < plan.restShape[k]!) break;
        rCnt[k] = 0;
      }
    }
    for (let k = nbDims - 1; k >= 0; k--) {
      if (++bCnt[k]! < plan.bShape[k]!) break;
      bCnt[k] = 0;
    }
  }
}

/** x[items] as PyTorch's __getitem__: a view for basic indexing, a copy (IndexBackward0) with advanced indices. */
export function getitem(x: Tensor, items: readonly IndexItem[]): Tensor {
  const { view: v, adv } = parseIndex(x, items);
  if (adv.every((a) => a === null)) return v === x ? x._view(x.shape, x.strides, x.offset) : v;
  const t0 = clock();
  const out = indexRaw(v, adv);
  record('index', 'IndexBackward0', [v], [out], [], { indices: adv }, t0, 'index');
  return out;
}

/** index_put (out of place): indices per leading dim (null = whole dim). IndexPutBackward0. */
export function indexPut(x: Tensor, indices: readonly (Tensor | null)[], value: Operand, accumulate = false): Tensor {
  const t0 = clock();
  const val = asTensor(value);
  const adv = [...indices];
  while (adv.length < x.dim()) adv.push(null);
  const out = copyRaw(x);
  indexWriteRaw(out, adv, val.dtype === x.dtype ? val : val.detach().to(x.dtype), accumulate);
  record('indexPut', 'IndexPutBackward0', [x, val], [out], [], { indices: adv, accumulate }, t0, 'index_put');
  return out;
}

/** Gradient of x[indices] w.r.t. x: zeros with g accumulated at the indexed places. */
export function indexBackward(g: Tensor, inShape: readonly number[], indices: (Tensor | null)[]): Tensor {
  const z = emptyRaw(inShape, g.dtype);
  return indexPut(z, indices, g, true);
}

/** Gradient of index_put w.r.t. the values: g at the indexed places, reduced to the values' shape. */
export function indexPutValueGrad(g: Tensor, indices: (Tensor | null)[], valueShape: readonly number[]): Tensor {
  const { view, adv } = { view: g, adv: indices };
  const got = getitem(
    view,
    adv.map((a) => a ?? slice(null, null, null)),
  );
  return sumToShape(got, valueShape);
}

/** x[items] = value, in place (version bump; differentiable when x or value needs grad). */
export function setitem(x: Tensor, items: readonly IndexItem[], value: Operand): void {
  checkInPlace(x, 'setitem');
  if (typeof value === 'number') checkScalarFits(value, x.dtype, true);
  const val = asTensor(value);
  if (needsGrad(x, val)) {
    // As PyTorch: write through the basic-index view (its base gets CopySlices), index_put for advanced indices.
    const { view, adv } = parseIndex(x, items);
    const v = val.dtype === x.dtype ? val : val.to(x.dtype);
    const res = adv.every((a) => a === null) ? v.expand(view.shape) : indexPut(view, adv, v);
    commitInPlace(view === x ? x : view, res, 'setitem');
    if (view !== x) x._bumpVersion();
    return;
  }
  const { view, adv } = parseIndex(x.detach(), items);
  const src = val.detach();
  if (adv.every((a) => a === null)) {
    const shape = broadcastShapes(view.shape, src.shape, 'setitem');
    if (shape.length !== view.dim() || shape.some((s, i) => s !== view.shape[i])) {
      throw new RangeError(
        `setitem: shape mismatch: value tensor of shape ${shapeStr(src.shape)} cannot be broadcast to indexing result of shape ${shapeStr(view.shape)}`,
      );
    }
    copyStrided(
      src.storage,
      src.offset,
      broadcastStrides(src.shape, src.strides, view.shape),
      view.shape,
      view.storage,
      view.offset,
      view.strides,
      x.dtype,
      isFloating(src.dtype),
    );
  } else {
    indexWriteRaw(view, adv, src.dtype === x.dtype ? src : src.to(x.dtype), false);
  }
  x._bumpVersion();
}

// ---- gather / scatter ------------------------------------------------------------------------------

function checkIndex(op: string, index: Tensor): void {
  if (index.dtype !== 'int64') throw new TypeError(`${op}(): Expected dtype int64 for index (got ${index.dtype})`);
}

export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const t0 = clock();
  checkIndex('gather', index);
  const d = normDim(dim, x.dim(), 'gather');
  if (index.dim() !== x.dim())
    throw new RangeError(
      `gather(): Index tensor must have the same number of dimensions as input tensor (input ${shapeStr(x.shape)}, index ${shapeStr(index.shape)})`,
    );
  const out = emptyRaw(index.shape, x.dtype);
  const idx = index.contiguous().dataSync(),
    n = idx.length,
    nd = index.dim(),
    ish = index.shape;
  const xs = x.strides,
    xst = x.storage,
    o = out.storage,
    size = x.shape[d]!,
    sd = xs[d] ?? 0;
  const cnt = new Int32Array(nd);
  let xo = x.offset; // offset of the current position with the coordinate along d left out
  for (let i = 0; i < n; i++) {
    let k = idx[i]!;
    if (k < -size || k >= size) throw new RangeError(`gather(): index ${k} is out of bounds for dimension ${d} with size ${size}`);
    if (k < 0) k += size;
    o[i] = xst[xo + k * sd]!;
    for (let a = nd - 1; a >= 0; a--) {
      if (++cnt[a]! < ish[a]!) {
        if (a !== d) xo += xs[a]!;
        break;
      }
      if (a !== d) xo -= xs[a]! * (ish[a]! - 1);
      cnt[a] = 0;
    }
  }
  record('gather', 'GatherBackward0', [x], [out], [index], { dim: d }, t0);
  return out;
}

/** PyTorch's scatter checks: src dtype equals self's, index has self's rank, and index fits self (off `dim`) and src. */
function checkScatterArgs(x: Tensor, d: number, index: Tensor, src: Tensor | null): void {
  if (src && src.dtype !== x.dtype)
    throw new Error(`scatter(): Expected self.dtype to be equal to src.dtype (self ${x.dtype}, src ${src.dtype})`);
  if (index.dim() !== x.dim())
    throw new RangeError(
      `Index tensor must have the same number of dimensions as self tensor (index ${shapeStr(index.shape)}, self ${shapeStr(x.shape)})`,
    );
  if (src && src.dim() !== index.dim())
    throw new RangeError(
      `Index tensor must have the same number of dimensions as src tensor (index ${shapeStr(index.shape)}, src ${shapeStr(src.shape)})`,
    );
  if (index.numel() === 0) return;
  const bad = index.shape.some((s, i) => (i !== d && s > x.shape[i]!) || (src !== null && s > src.shape[i]!));
  if (bad) {
    const list = (s: readonly number[]) => `[${s.join(', ')}]`;
    throw new RangeError(
      `Expected index ${list(index.shape)} to be smaller than self ${list(x.shape)} apart from dimension ${d}${src ? ` and to be smaller size than src ${list(src.shape)}` : ''}`,
    );
  }
}

/** scatter (out of place): src tensor (ScatterBackward0) or a number (ScatterBackward1); reduce 'add'/'multiply'. */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Operand, reduce?: 'add' | 'multiply'): Tensor {
  const t0 = clock();
  checkIndex('scatter', index);
  const d = normDim(dim, x.dim(), 'scatter');
  const srcT = src instanceof Tensor ? src : null;
  checkScatterArgs(x, d, index, srcT);
  const out = copyRaw(x);
  const value = srcT ? 0 : Number(src);
  const idx = index.contiguous().dataSync(),
    n = idx.length,
    nd = index.dim(),
    ish = index.shape;
  const os = out.strides,
    o = out.storage,
    size = x.shape[d]!,
    sd = os[d] ?? 0;
  const ss = srcT ? srcT.strides : [],
    sst = srcT ? srcT.storage : null;
  const bool = x.dtype === 'bool',
    mode = reduce === 'add' ? 1 : reduce === 'multiply' ? 2 : 0;
  const cnt = new Int32Array(nd);
  let oo = 0,
    so = srcT ? srcT.offset : 0;
  for (let i = 0; i < n; i++) {
    const k = idx[i]!;
    // unlike indexing, scatter takes no negative indices (PyTorch's scatter_gather_elementwise_loop)
    if (k < 0 || k >= size) throw new RangeError(`scatter(): index ${k} is out of bounds for dimension ${d} with size ${size}`);
    const p = oo + k * sd;
    let v = sst ? sst[so]! : value;
    if (mode === 1) v += o[p]!;
    else if (mode === 2) v *= o[p]!;
    o[p] = bool ? (v !== 0 ? 1 : 0) : v;
    for (let a = nd - 1; a >= 0; a--) {
      if (++cnt[a]! < ish[a]!) {
        if (a !== d) oo += os[a]!;
        so += ss[a] ?? 0;
        break;
      }
      if (a !== d) oo -= os[a]! * (ish[a]! - 1);
      so -= (ss[a] ?? 0) * (ish[a]! - 1);
      cnt[a] = 0;
    }
  }
  if (reduce === undefined)
    record('scatter', srcT ? 'ScatterBackward0' : 'ScatterBackward1', srcT ? [x, srcT] : [x], [out], [index], { dim: d }, t0);
  return out;
}

export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const t0 = clock();
  const out = scatter(x.detach(), dim, index, src.detach(), 'add');
  record('scatterAdd', 'ScatterAddBackward0', [x, src], [out], [index], { dim: normDim(dim, x.dim(), 'scatter_add') }, t0);
  return out;
}

export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const t0 = clock();
  const d = normDim(dim, x.dim(), 'index_select');
  if (index.dim() > 1) throw new RangeError('index_select(): Index is supposed to be a vector');
  const items: IndexItem[] = [];
  for (let i = 0; i < d; i++) items.push(slice(null, null, null));
  items.push(index.reshape([-1]));
  const out = indexRaw(
    ...(() => {
      const p = parseIndex(x.detach(), items);
      return [p.view, p.adv] as const;
    })(),
  );
  record('indexSelect', 'IndexSelectBackward0', [x], [out], [index.reshape([-1])], { dim: d }, t0);
  return out;
}

export function maskedFill(x: Tensor, mask: Tensor, value: Operand): Tensor {
  const t0 = clock();
  if (mask.dtype !== 'bool') throw new TypeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  if (typeof value === 'number') checkScalarFits(value, x.dtype, true);
  const v = value instanceof Tensor ? Number(value.item()) : Number(value);
  const shape = broadcastShapes(x.shape, mask.shape, 'masked_fill');
  if (shape.length !== x.dim() || shape.some((s, i) => s !== x.shape[i])) {
    throw new RangeError(`masked_fill: mask of shape ${shapeStr(mask.shape)} cannot be broadcast to the input shape ${shapeStr(x.shape)}`);
  }
  const out = copyRaw(x);
  const fill = out.dtype === 'bool' ? (v !== 0 ? 1 : 0) : out.dtype === 'int64' ? Math.trunc(v) : v;
  const o = out.storage,
    ms = mask.storage;
  const it = new RowIter(x.shape, broadcastStrides(mask.shape, mask.strides, x.shape), mask.offset);
  if (it.any) {
    let op = 0;
    do {
      let mp = it.p0;
      for (let i = 0; i < it.len; i++) {
        if (ms[mp]) o[op + i] = fill;
        mp += it.s0;
      }
      op += it.len;
    } while (it.next());
  }
  record('maskedFill', 'MaskedFillBackward0', [x], [out], [mask], {}, t0, 'masked_fill');
  return out;
}

/** Coordinates of nonzero elements, shape [n, ndim] int64. */
export function nonzero(x: Tensor): Tensor {
  const data = x.contiguous().dataSync();
  const coords: number[] = [];
  const cnt = new Array<number>(x.dim()).fill(0);
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0) {
      coords.push(...cnt);
      count++;
    }
    for (let k = cnt.length - 1; k >= 0; k--) {
      if (++cnt[k]! < x.shape[k]!) break;
      cnt[k] = 0;
    }
  }
  const arr = allocate('int64', coords.length);
  arr.set(coords);
  return Tensor.fromTypedArray(arr, [count, x.dim()], 'int64');
}
