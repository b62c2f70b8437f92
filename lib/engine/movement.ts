// Movement ops: views without copies (view, reshape, transpose, permute, expand, squeeze, narrow, select, slice,
// split), and the copying ones (clone, to, cat, stack, repeat, roll, flip, tril/triu).
import { isFloating, promoteTypes, type DType } from './dtype.ts';
import { contiguousStrides, copyStrided, normDim, numelOf, shapeStr, RowIter } from './layout.ts';
import { Tensor } from './tensor.ts';
import { record, clock } from './graph.ts';
import { emptyRaw } from './creation.ts';

// ---- copies ------------------------------------------------------------------------------------------

/** Copy into a fresh contiguous tensor of `dtype` (no history). */
export function copyRaw(x: Tensor, dtype: DType = x.dtype): Tensor {
  const out = emptyRaw(x.shape, dtype);
  copyStrided(x.storage, x.offset, x.strides, x.shape, out.storage, 0, out.strides, dtype, isFloating(x.dtype));
  return out;
}

export function clone(x: Tensor, op = 'clone'): Tensor {
  const t0 = clock();
  const out = copyRaw(x);
  record('passthrough', 'CloneBackward0', [x], [out], [], {}, t0, op);
  return out;
}

/** Tensor.to(dtype): returns x itself when the dtype already matches (PyTorch), unless `forceCopy`. */
export function toDtype(x: Tensor, dtype: DType, forceCopy = false): Tensor {
  if (dtype === x.dtype && !forceCopy) return x;
  const t0 = clock();
  const out = copyRaw(x, dtype);
  if (isFloating(dtype)) record('toCopy', 'ToCopyBackward0', [x], [out], [], {}, t0, 'to');
  return out;
}

// ---- views -------------------------------------------------------------------------------------------

/** Resolve one -1 in a requested shape against numel; PyTorch's error text otherwise. */
export function inferSize(shape: readonly number[], numel: number): number[] {
  const out = [...shape];
  let neg = -1,
    prod = 1;
  out.forEach((s, i) => {
    if (s === -1) {
      if (neg >= 0) throw new RangeError('only one dimension can be inferred');
      neg = i;
    } else if (!Number.isInteger(s) || s < 0) throw new RangeError(`invalid shape dimension ${s}`);
    else prod *= s;
  });
  if (neg >= 0) {
    if (prod === 0 || numel % prod !== 0) throw new RangeError(`shape '${shapeStr(shape)}' is invalid for input of size ${numel}`);
    out[neg] = numel / prod;
  } else if (prod !== numel) throw new RangeError(`shape '${shapeStr(shape)}' is invalid for input of size ${numel}`);
  return out;
}

/** Strides that view (oldShape, oldStrides) as newShape without copying, or null (PyTorch's computeStride). */
export function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  if (oldShape.length === 0) return newShape.map(() => 1);
  const numel = numelOf(oldShape);
  if (numel === 0) return contiguousStrides(newShape);
  const ns = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1,
    viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        ns[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? ns : null;
}

export function view(x: Tensor, shape: readonly number[]): Tensor {
  const t0 = clock();
  const ns = inferSize(shape, x.numel());
  const st = viewStrides(x.shape, x.strides, ns);
  if (!st)
    throw new RangeError(
      `view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead. (input shape ${shapeStr(x.shape)}, requested ${shapeStr(shape)})`,
    );
  const out = x._view(ns, st, x.offset);
  record('reshape', 'ViewBackward0', [x], [out], [], {}, t0, 'view');
  return out;
}

/** reshape: a view when strides allow (ReshapeAliasBackward0), else a copy (UnsafeViewBackward0). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const t0 = clock();
  const ns = inferSize(shape, x.numel());
  const st = viewStrides(x.shape, x.strides, ns);
  let out: Tensor;
  if (st) {
    out = x._view(ns, st, x.offset);
    record('reshape', 'ReshapeAliasBackward0', [x], [out], [], {}, t0, 'reshape');
  } else {
    const c = copyRaw(x);
    out = new Tensor(c.storage, ns, contiguousStrides(ns), 0, x.dtype);
    record('reshape', 'UnsafeViewBackward0', [x], [out], [], {}, t0, 'reshape');
  }
  return out;
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.dim() === 0) return reshape(x, [1]);
  const s = normDim(startDim, x.dim(), 'flatten'),
    e = normDim(endDim, x.dim(), 'flatten');
  if (s > e) throw new RangeError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return x;
  const shape = [...x.shape.slice(0, s), numelOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normDim(dim, x.dim(), 'unflatten');
  const inner = inferSize(sizes, x.shape[d]!);
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

export function transpose(x: Tensor, dim0: number, dim1: number, name = 'TransposeBackward0'): Tensor {
  const t0 = clock();
  const n = x.dim();
  if (n === 0) return x._view([], [], x.offset);
  const a = normDim(dim0, n, 'transpose'),
    b = normDim(dim1, n, 'transpose');
  const shape = [...x.shape],
    strides = [...x.strides];
  [shape[a], shape[b]] = [shape[b]!, shape[a]!];
  [strides[a], strides[b]] = [strides[b]!, strides[a]!];
  const out = x._view(shape, strides, x.offset);
  record('transpose', name, [x], [out], [], { dim0: a, dim1: b }, t0, 'transpose');
  return out;
}

/** torch.t: 2-D transpose (0-D and 1-D tensors are returned as views of themselves). */
export function t(x: Tensor): Tensor {
  if (x.dim() > 2) throw new RangeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.dim()}D`);
  if (x.dim() < 2) {
    const t0 = clock();
    const out = x._view(x.shape, x.strides, x.offset);
    record('passthrough', 'TBackward0', [x], [out], [], {}, t0, 't');
    return out;
  }
  return transpose(x, 0, 1, 'TBackward0');
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const t0 = clock();
  const n = x.dim();
  if (dims.length !== n)
    throw new RangeError(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${n} is not equal to len(dims) = ${dims.length}`,
    );
  const nd = dims.map((d) => normDim(d, n, 'permute'));
  if (new Set(nd).size !== n) throw new RangeError(`permute: repeated dim in [${dims.join(', ')}]`);
  const out = x._view(
    nd.map((d) => x.shape[d]!),
    nd.map((d) => x.strides[d]!),
    x.offset,
  );
  record('permute', 'PermuteBackward0', [x], [out], [], { dims: nd }, t0);
  return out;
}

export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const t0 = clock();
  const n = shape.length,
    k = x.dim();
  if (n < k)
    throw new RangeError(
      `expand: the number of sizes provided (${n}) must be greater or equal to the number of dimensions in the tensor (${k})`,
    );
  const ns = new Array<number>(n),
    st = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const j = i - (n - k);
    const want = shape[i]!;
    if (j < 0) {
      if (want < 0) throw new RangeError(`expand: -1 not allowed in a leading, non-existing dimension (shape ${shapeStr(shape)})`);
      ns[i] = want;
      st[i] = 0;
      continue;
    }
    const have = x.shape[j]!;
    if (want === -1 || want === have) {
      ns[i] = have;
      st[i] = x.strides[j]!;
    } else if (have === 1) {
      ns[i] = want;
      st[i] = 0;
    } else
      throw new RangeError(
        `expand: the expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i}.  Target sizes: ${shapeStr(shape)}.  Tensor sizes: ${shapeStr(x.shape)}`,
      );
  }
  const out = x._view(ns, st, x.offset);
  record('expand', 'ExpandBackward0', [x], [out], [], {}, t0);
  return out;
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  const t0 = clock();
  let keep: number[];
  if (dim === undefined) keep = x.shape.map((_, i) => i).filter((i) => x.shape[i] !== 1);
  else {
    const d = normDim(dim, x.dim(), 'squeeze');
    keep = x.shape.map((_, i) => i).filter((i) => i !== d || x.shape[i] !== 1);
  }
  const out = x._view(
    keep.map((i) => x.shape[i]!),
    keep.map((i) => x.strides[i]!),
    x.offset,
  );
  record('reshape', dim === undefined ? 'SqueezeBackward0' : 'SqueezeBackward1', [x], [out], [], {}, t0, 'squeeze');
  return out;
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const t0 = clock();
  const d = normDim(dim, x.dim() + 1, 'unsqueeze');
  const shape = [...x.shape],
    strides = [...x.strides];
  const st = d < x.dim() ? x.strides[d]! * x.shape[d]! : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  const out = x._view(shape, strides, x.offset);
  record('reshape', 'UnsqueezeBackward0', [x], [out], [], {}, t0, 'unsqueeze');
  return out;
}

/** x[start:stop:step] along `dim`, with Python's clamping of out-of-range bounds. */
export function slice(x: Tensor, dim: number, start?: number | null, stop?: number | null, step = 1): Tensor {
  const t0 = clock();
  const d = normDim(dim, x.dim(), 'slice');
  if (step <= 0) throw new RangeError('slice step must be positive');
  const n = x.shape[d]!;
  let s = start ?? 0,
    e = stop ?? n;
  if (s < 0) s += n;
  if (e < 0) e += n;
  s = Math.min(Math.max(s, 0), n);
  e = Math.min(Math.max(e, s), n);
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape],
    strides = [...x.strides];
  shape[d] = len;
  strides[d] = x.strides[d]! * step;
  const out = x._view(shape, strides, x.offset + s * x.strides[d]!);
  record('slice', 'SliceBackward0', [x], [out], [], { dim: d, start: s, step }, t0, 'slice');
  return out;
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim(dim, x.dim(), 'narrow');
  const n = x.shape[d]!;
  const s = start < 0 ? start + n : start;
  if (s < 0 || s + length > n || length < 0)
    throw new RangeError(`narrow: start (${start}) + length (${length}) exceeds dimension size (${n}).`);
  return slice(x, d, s, s + length, 1);
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  const t0 = clock();
  const d = normDim(dim, x.dim(), 'select');
  const n = x.shape[d]!;
  if (index < -n || index >= n) throw new RangeError(`index ${index} is out of bounds for dimension ${d} with size ${n}`);
  const i = index < 0 ? index + n : index;
  const shape = [...x.shape],
    strides = [...x.strides];
  shape.splice(d, 1);
  strides.splice(d, 1);
  const out = x._view(shape, strides, x.offset + i * x.strides[d]!);
  record('select', 'SelectBackward0', [x], [out], [], { dim: d, index: i }, t0, 'select');
  return out;
}

/** The diagonal (offset above the main one when positive) of the dim1 x dim2 planes, as a view in the last dim. */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  const t0 = clock();
  const a = normDim(dim1, x.dim(), 'diagonal'),
    b = normDim(dim2, x.dim(), 'diagonal');
  if (a === b) throw new RangeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const len = Math.max(0, offset >= 0 ? Math.min(x.shape[a]!, x.shape[b]! - offset) : Math.min(x.shape[a]! + offset, x.shape[b]!));
  const start = len === 0 ? x.offset : x.offset + (offset >= 0 ? offset * x.strides[b]! : -offset * x.strides[a]!);
  const keep = x.shape.map((_, k) => k).filter((k) => k !== a && k !== b);
  const out = x._view([...keep.map((k) => x.shape[k]!), len], [...keep.map((k) => x.strides[k]!), x.strides[a]! + x.strides[b]!], start);
  record('diagonal', 'DiagonalBackward0', [x], [out], [], { offset, dim1: a, dim2: b }, t0, 'diagonal');
  return out;
}

/** Windows of `size` every `step` along dim as a new last dim: a view (windows overlap when step < size). */
export function unfold(x: Tensor, dim: number, size: number, step: number): Tensor {
  const t0 = clock();
  const d = x.dim() === 0 ? 0 : normDim(dim, x.dim(), 'unfold');
  const n = x.dim() === 0 ? 1 : x.shape[d]!;
  if (size > n) throw new RangeError(`maximum size for tensor at dimension ${d} is ${n} but size is ${size}`);
  if (step <= 0) throw new RangeError(`step is ${step} but must be > 0`);
  const windows = Math.floor((n - size) / step) + 1;
  const sd = x.dim() === 0 ? 1 : x.strides[d]!;
  const shape = x.dim() === 0 ? [size] : [...x.shape],
    strides = x.dim() === 0 ? [1] : [...x.strides];
  if (x.dim() > 0) {
    shape[d] = windows;
    strides[d] = sd * step;
    shape.push(size);
    strides.push(sd);
  }
  const out = x._view(shape, strides, x.offset);
  record('unfold', 'UnfoldBackward0', [x], [out], [], { dim: d, size, step }, t0, 'unfold');
  return out;
}

/** Zeros of `shape` (contiguous) with g added at the strided positions (strides/offset in that layout; may overlap). */
export function stridedScatterAdd(g: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const out = emptyRaw(shape, g.dtype);
  const it = new RowIter(g.shape, strides, offset, g.strides, g.offset);
  if (it.any) {
    const o = out.storage,
      gs = g.storage;
    do {
      let p = it.p0,
        q = it.p1;
      for (let i = 0; i < it.len; i++) {
        o[p] = o[p]! + gs[q]!;
        p += it.s0;
        q += it.s1;
      }
    } while (it.next());
  }
  return out;
}

/** Gradient of unfold: window gradients summed back onto the positions they read (windows may overlap). */
export function unfoldBackward(g: Tensor, shape: readonly number[], dim: number, size: number, step: number): Tensor {
  const st = contiguousStrides(shape);
  const sd = st[dim] ?? 1;
  const viewStrides = shape.length === 0 ? [1] : [...st];
  if (shape.length > 0) {
    viewStrides[dim] = sd * step;
    viewStrides.push(sd);
  }
  return stridedScatterAdd(g, shape, viewStrides, 0);
}

/** Give a stale view (its base changed in place) an AsStridedBackward0 node over the base's current history. */
export function regenerateViewHistory(v: Tensor): void {
  const base = v._base!;
  if (!base.isContiguous()) {
    v._historyVersion = v._version.v;
    return;
  }
  record(
    'asStrided',
    'AsStridedBackward0',
    [base],
    [v],
    [],
    { shape: [...v.shape], strides: [...v.strides], offset: v.offset - base.offset },
    0,
    'as_strided',
  );
}

/** Zeros of `shape` with g written on the diagonal (the gradient of diagonal). */
export function diagonalBackward(g: Tensor, shape: readonly number[], offset: number, dim1: number, dim2: number): Tensor {
  const t0 = clock();
  const out = emptyRaw(shape, g.dtype);
  const d = diagonal(out.detach(), offset, dim1, dim2);
  copyStrided(g.storage, g.offset, g.strides, g.shape, out.storage, d.offset, d.strides, g.dtype, isFloating(g.dtype));
  record('diagonalBackward', 'DiagonalBackwardBackward0', [g], [out], [], { offset, dim1, dim2 }, t0);
  return out;
}

/** Zeros of `shape` with g written at positions start, start+step, ... of `dim` (the gradient of slice). */
export function sliceBackward(g: Tensor, shape: readonly number[], dim: number, start: number, step: number): Tensor {
  const t0 = clock();
  const out = emptyRaw(shape, g.dtype);
  const strides = [...out.strides];
  strides[dim] = out.strides[dim]! * step;
  copyStrided(g.storage, g.offset, g.strides, g.shape, out.storage, start * out.strides[dim]!, strides, g.dtype, isFloating(g.dtype));
  record('sliceBackward', 'SliceBackwardBackward0', [g], [out], [], { dim, start, step, len: g.shape[dim] }, t0);
  return out;
}

/** torch.split: views of `splitSize` (or the given sizes) along dim. */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const t0 = clock();
  const d = normDim(dim, x.dim(), 'split');
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSize === 'number') {
    if (splitSize <= 0 && n > 0) throw new RangeError(`split: split_size must be positive, got ${splitSize}`);
    sizes = [];
    for (let s = 0; s < n; s += splitSize) sizes.push(Math.min(splitSize, n - s));
    if (n === 0) sizes = [0];
  } else {
    sizes = [...splitSize];
    if (sizes.reduce((a, b) => a + b, 0) !== n)
      throw new RangeError(
        `split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(', ')}]`,
      );
  }
  const outs: Tensor[] = [];
  let start = 0;
  for (const len of sizes) {
    const shape = [...x.shape];
    shape[d] = len;
    outs.push(x._view(shape, x.strides, x.offset + start * x.strides[d]!));
    start += len;
  }
  const name = typeof splitSize === 'number' ? 'SplitBackward0' : 'SplitWithSizesBackward0';
  record('split', name, [x], outs, [], { dim: d }, t0, 'split');
  return outs;
}

/** torch.chunk: ceil(n / chunks) per chunk, so 6 elements in 4 chunks gives 3 chunks. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = normDim(dim, x.dim(), 'chunk');
  const each = Math.ceil(x.shape[d]! / chunks);
  return split(x, Math.max(each, 1), d);
}

export function unbind(x: Tensor, dim = 0): Tensor[] {
  const t0 = clock();
  const d = normDim(dim, x.dim(), 'unbind');
  const shape = x.shape.filter((_, k) => k !== d),
    strides = x.strides.filter((_, k) => k !== d);
  const outs = Array.from({ length: x.shape[d]! }, (_, i) => x._view(shape, strides, x.offset + i * x.strides[d]!));
  record('unbind', 'UnbindBackward0', [x], outs, [], { dim: d }, t0);
  return outs;
}

// ---- joins and copies with structure -------------------------------------------------------------------

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const t0 = clock();
  if (tensors.length === 0) throw new RangeError('torch.cat(): expected a non-empty list of Tensors');
  // Legacy rule: 1-D empty tensors are skipped.
  const parts = tensors.filter((t) => !(t.dim() === 1 && t.shape[0] === 0));
  const ref = parts[0] ?? tensors[0]!;
  const d = normDim(dim, ref.dim(), 'cat');
  let dtype = tensors[0]!.dtype;
  for (const t of tensors) dtype = promoteTypes(dtype, t.dtype);
  let total = 0;
  parts.forEach((t, i) => {
    if (t.dim() !== ref.dim())
      throw new RangeError(`torch.cat(): Tensors must have same number of dimensions: got ${ref.dim()} and ${t.dim()}`);
    t.shape.forEach((s, k) => {
      if (k !== d && s !== ref.shape[k])
        throw new RangeError(
          `cat: Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${s} for tensor number ${i} in the list. (shapes ${tensors.map((x) => shapeStr(x.shape)).join(', ')})`,
        );
    });
    total += t.shape[d]!;
  });
  const shape = [...ref.shape];
  shape[d] = total;
  const out = emptyRaw(shape, dtype);
  let start = 0;
  for (const t of parts) {
    copyStrided(t.storage, t.offset, t.strides, t.shape, out.storage, start * out.strides[d]!, out.strides, dtype, isFloating(t.dtype));
    start += t.shape[d]!;
  }
  record('cat', 'CatBackward0', [...tensors], [out], [], { dim: d }, t0);
  return out;
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const t0 = clock();
  if (tensors.length === 0) throw new RangeError('stack expects a non-empty TensorList');
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.shape.length !== ref.shape.length || t.shape.some((s, k) => s !== ref.shape[k])) {
      throw new RangeError(
        `stack expects each tensor to be equal size, but got ${shapeStr(ref.shape)} at entry 0 and ${shapeStr(t.shape)} at entry ${i}`,
      );
    }
  });
  const d = normDim(dim, ref.dim() + 1, 'stack');
  let dtype = ref.dtype;
  for (const t of tensors) dtype = promoteTypes(dtype, t.dtype);
  const shape = [...ref.shape];
  shape.splice(d, 0, tensors.length);
  const out = emptyRaw(shape, dtype);
  const dstStrides = [...out.strides];
  const step = dstStrides.splice(d, 1)[0]!;
  tensors.forEach((t, i) =>
    copyStrided(t.storage, t.offset, t.strides, t.shape, out.storage, i * step, dstStrides, dtype, isFloating(t.dtype)),
  );
  record('stack', 'StackBackward0', [...tensors], [out], [], { dim: d }, t0);
  return out;
}

/** Tensor.repeat: tile the tensor (sizes may add leading dims). */
export function repeat(x: Tensor, reps: readonly number[]): Tensor {
  const t0 = clock();
  if (reps.length < x.dim())
    throw new RangeError(
      `repeat: Number of dimensions of repeat dims (${reps.length}) can not be smaller than number of dimensions of tensor (${x.dim()})`,
    );
  const lead = reps.length - x.dim();
  const inShape = [...new Array(lead).fill(1), ...x.shape];
  const inStrides = [...new Array(lead).fill(0), ...x.strides];
  // View x as [1, s0, 1, s1, ...] expanded to [r0, s0, r1, s1, ...], then copy.
  const exShape: number[] = [],
    exStrides: number[] = [];
  reps.forEach((r, i) => {
    exShape.push(r, inShape[i]!);
    exStrides.push(0, inStrides[i]!);
  });
  const out = emptyRaw(
    reps.map((r, i) => r * inShape[i]!),
    x.dtype,
  );
  copyStrided(x.storage, x.offset, exStrides, exShape, out.storage, 0, contiguousStrides(exShape), x.dtype, isFloating(x.dtype));
  record('repeat', 'RepeatBackward0', [x], [out], [], { repeats: [...reps] }, t0);
  return out;
}

export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  const t0 = clock();
  const sh = typeof shifts === 'number' ? [shifts] : [...shifts];
  if (dims === undefined || (Array.isArray(dims) && dims.length === 0)) {
    const flat = roll(copyRaw(x).reshape([-1]), sh[0]!, 0).detach();
    const out = new Tensor(flat.storage, x.shape, contiguousStrides(x.shape), 0, x.dtype);
    record('roll', 'RollBackward0', [x], [out], [], { shifts: sh, dims: [] }, t0);
    return out;
  }
  const ds = (typeof dims === 'number' ? [dims] : [...dims]).map((d) => normDim(d, x.dim(), 'roll'));
  if (ds.length !== sh.length) throw new RangeError(`roll: shifts and dimensions must align. shifts: ${sh.length}, dims: ${ds.length}`);
  let cur = copyRaw(x);
  ds.forEach((d, i) => {
    const n = cur.shape[d]!;
    if (n === 0) return;
    const s = ((sh[i]! % n) + n) % n;
    if (s === 0) return;
    const next = emptyRaw(cur.shape, cur.dtype);
    const part = (src: Tensor, from: number, len: number, to: number) => {
      const a = src._view(
        src.shape.map((v, k) => (k === d ? len : v)),
        src.strides,
        src.offset + from * src.strides[d]!,
      );
      copyStrided(
        a.storage,
        a.offset,
        a.strides,
        a.shape,
        next.storage,
        to * next.strides[d]!,
        next.strides,
        next.dtype,
        isFloating(a.dtype),
      );
    };
    part(cur, n - s, s, 0);
    part(cur, 0, n - s, s);
    cur = next;
  });
  record('roll', 'RollBackward0', [x], [cur], [], { shifts: sh, dims: ds }, t0);
  return cur;
}

export function flip(x: Tensor, dims: readonly number[]): Tensor {
  const t0 = clock();
  const ds = dims.map((d) => normDim(d, x.dim(), 'flip'));
  let off = x.offset;
  const strides = [...x.strides];
  for (const d of ds) {
    off += (x.shape[d]! - 1) * strides[d]!;
    strides[d] = -strides[d]!;
  }
  const out = copyRaw(new Tensor(x.storage, x.shape, strides, off, x.dtype));
  record('flip', 'FlipBackward0', [x], [out], [], { dims: ds }, t0);
  return out;
}

function triangle(x: Tensor, diagonal: number, lower: boolean): Tensor {
  const t0 = clock();
  if (x.dim() < 2)
    throw new RangeError(`${lower ? 'tril' : 'triu'}: input tensor must have at least 2 dimensions (got shape ${shapeStr(x.shape)})`);
  const out = copyRaw(x);
  const rows = x.shape[x.dim() - 2]!,
    cols = x.shape[x.dim() - 1]!;
  const data = out.storage,
    plane = rows * cols;
  for (let base = 0; base < data.length; base += plane) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const keep = lower ? j - i <= diagonal : j - i >= diagonal;
        if (!keep) data[base + i * cols + j] = 0;
      }
    }
  }
  record(lower ? 'tril' : 'triu', lower ? 'TrilBackward0' : 'TriuBackward0', [x], [out], [], { diagonal }, t0);
  return out;
}
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle(x, diagonal, true);
}
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle(x, diagonal, false);
}
