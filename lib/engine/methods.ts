// THE method registry: every PyTorch-named op method of Tensor (t.add, t.sum, t.view...) is defined here, attached to
// Tensor.prototype once, and typed on the class by module augmentation. The core class (tensor.ts) imports no op
// module and every op module imports only the core, so there is no import cycle; this file imports them all, and the
// entry module (index.ts) imports this file first. Methods are thin: each forwards to the op module that owns it.
//
// How to add an op (see also lib/engine/README.md):
//   1. Write the forward as a function of tensors in the op module of its kind (elementwise.ts, reduce.ts,
//      movement.ts, indexing.ts, linalg.ts; composite.ts for ops built from other ops). It may import the core
//      (tensor.ts), graph.ts (record/clock/needsGrad), creation.ts and lower op modules, never methods.ts or index.ts.
//   2. A new primitive records a node with record('<primitive>', '<PyTorchName>Backward0', ...) and gets exactly one
//      rule in gradients.ts (the Primitive union is the table's keys, so a missing rule does not compile). A
//      composite needs no rule: wrap it in namedComposite (autograd.ts).
//   3. Add the method below (`name(this: Tensor, ...): Ret { return OP.fn(this, ...); }`; in-place ones take
//      `<T extends Tensor>(this: T, ...): T` and go through _self/_inplace), and the functional form to `ops` in
//      index.ts if torch has one. Its type on Tensor follows from this object: no second declaration to keep in step.
import { Tensor, pinSubarray, shapeFromArgs, installViewHistory, withHalfRounding, type ShapeArg } from './tensor.ts';
import { DTYPES, checkScalarFits, isDType, legacyTypeName, type DType, type TypedArray } from './dtype.ts';
import { Device, checkDevice, CudaUnavailableError, type DeviceLike } from './device.ts';
import { isGradEnabled, type BackwardOptions } from './graph.ts';
import * as A from './autograd.ts';
import * as E from './elementwise.ts';
import * as M from './movement.ts';
import * as R from './reduce.ts';
import * as I from './indexing.ts';
import * as L from './linalg.ts';
import * as C from './creation.ts';
import * as RND from './random.ts';
import * as X from './composite.ts';
import type { Operand, RoundingMode } from './elementwise.ts';
import type { IndexItem } from './indexing.ts';
import type { ValuesIndices } from './reduce.ts';

// Overloaded methods are written as overloaded functions: an object literal method cannot carry overloads.
function view(this: Tensor, ...shape: ShapeArg[]): Tensor {
  return M.view(this, shapeFromArgs(shape));
}

/** What `t.to(...)` takes besides a dtype: a device, another tensor (its dtype), or PyTorch's keyword form. */
export type ToTarget = DType | DeviceLike | Tensor | { device?: DeviceLike; dtype?: DType; copy?: boolean };

/** t.to(dtype) / t.to('cpu') / t.to('cpu', 'float64') / t.to(other) / t.to({ device, dtype, copy }). Only 'cpu' exists. */
function to(this: Tensor, target: ToTarget, dtypeOrCopy?: DType | boolean, copyArg = false): Tensor {
  let dtype: DType | undefined,
    dev: DeviceLike | undefined,
    copy = copyArg;
  if (target instanceof Tensor) dtype = target.dtype;
  else if (typeof target === 'string') {
    if (isDType(target)) dtype = target;
    else dev = target;
  } else if (target instanceof Device) dev = target;
  else if (target && typeof target === 'object') {
    dev = target.device;
    dtype = target.dtype;
    copy = target.copy ?? copy;
  }
  if (typeof dtypeOrCopy === 'string') dtype = dtypeOrCopy;
  else if (typeof dtypeOrCopy === 'boolean') copy = dtypeOrCopy;
  checkDevice(dev);
  const out = M.toDtype(this, dtype ?? this.dtype);
  return copy && out === this ? M.clone(this) : out;
}

/** PyTorch's legacy tensor type names (torch.FloatTensor ...), by dtype. */
export const LEGACY_TYPE_NAMES: Record<DType, string> = Object.fromEntries(DTYPES.map((d) => [d, legacyTypeName(d)])) as Record<
  DType,
  string
>;

/** t.type() is the legacy type name ('torch.FloatTensor'); t.type(dtype or name) casts, as t.to(dtype). */
function type(this: Tensor): string;
function type(this: Tensor, dtype: DType | string): Tensor;
function type(this: Tensor, dtype?: DType | string): string | Tensor {
  if (dtype === undefined) return LEGACY_TYPE_NAMES[this.dtype] ?? `torch.${this.dtype}`;
  if (isDType(dtype)) return this.to(dtype);
  const found = (Object.entries(LEGACY_TYPE_NAMES) as [DType, string][]).find(([, n]) => n === dtype || n === `torch.${dtype}`);
  if (!found) throw new TypeError(`type(): invalid type: '${dtype}'`);
  return this.to(found[0]);
}

/**
 * numpy(): the tensor's data with its shape, sharing memory with the tensor (as PyTorch's numpy() does): writing
 * `data` changes the tensor. `strides` and `offset` are in elements; a contiguous tensor's `data` starts at its first
 * element. Tensors that require grad refuse, like PyTorch.
 */
export interface NumpyArray {
  data: TypedArray;
  shape: number[];
  strides: number[];
  dtype: DType;
}
function numpy(this: Tensor): NumpyArray {
  if (this.requiresGrad) throw new Error("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
  const contiguous = this.isContiguous();
  const sub = contiguous ? this.storage.subarray(this.offset, this.offset + this.numel()) : this.storage.subarray(this.offset);
  const data = pinSubarray(sub, this.storage);
  return { data, shape: [...this.shape], strides: [...this.strides], dtype: this.dtype };
}

function max(this: Tensor): Tensor;
function max(this: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
function max(this: Tensor, other: Tensor): Tensor;
function max(this: Tensor, dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
  return dim instanceof Tensor ? E.maximum(this, dim) : R.maxmin('max', this, dim, keepdim);
}
function min(this: Tensor): Tensor;
function min(this: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
function min(this: Tensor, other: Tensor): Tensor;
function min(this: Tensor, dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
  return dim instanceof Tensor ? E.minimum(this, dim) : R.maxmin('min', this, dim, keepdim);
}
function median(this: Tensor): Tensor;
function median(this: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
function median(this: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return R.median(this, dim, keepdim);
}

const tensorMethods = {
  // ---- autograd ----
  /** Accumulate d(this)/d(leaf) into every leaf's .grad (torch's Tensor.backward). */
  backward(this: Tensor, gradient?: Tensor | null, opts: BackwardOptions = {}): void {
    A.backward(this, gradient, opts);
  },

  // ---- copies and conversions ----
  clone(this: Tensor): Tensor {
    return M.clone(this);
  },
  contiguous(this: Tensor): Tensor {
    return this.isContiguous() ? this : M.clone(this, 'contiguous');
  },
  to,
  type,
  float(this: Tensor): Tensor {
    return this.to('float32');
  },
  double(this: Tensor): Tensor {
    return this.to('float64');
  },
  long(this: Tensor): Tensor {
    return this.to('int64');
  },
  int(this: Tensor): Tensor {
    return this.to('int32');
  },
  bool(this: Tensor): Tensor {
    return this.to('bool');
  },
  byte(this: Tensor): Tensor {
    return this.to('uint8');
  },
  half(this: Tensor): Tensor {
    return this.to('float16');
  },
  short(this: Tensor): Tensor {
    return this.to('int16');
  },
  char(this: Tensor): Tensor {
    return this.to('int8');
  },
  cpu(this: Tensor): Tensor {
    return this;
  },
  /** A CPU-only build has no CUDA: PyTorch's AssertionError. */
  cuda(this: Tensor, _device?: DeviceLike): Tensor {
    throw new CudaUnavailableError();
  },
  numpy,
  /** @internal ones in this shape/dtype, no history */
  onesLikeRaw(this: Tensor): Tensor {
    return C.ones(this.shape, { dtype: this.dtype });
  },

  // ---- movement ----
  t(this: Tensor): Tensor {
    return M.t(this);
  },
  view,
  viewAs(this: Tensor, other: Tensor): Tensor {
    return M.view(this, other.shape);
  },
  reshape(this: Tensor, ...shape: ShapeArg[]): Tensor {
    return M.reshape(this, shapeFromArgs(shape));
  },
  reshapeAs(this: Tensor, other: Tensor): Tensor {
    return M.reshape(this, other.shape);
  },
  transpose(this: Tensor, dim0: number, dim1: number): Tensor {
    return M.transpose(this, dim0, dim1);
  },
  swapaxes(this: Tensor, dim0: number, dim1: number): Tensor {
    return M.transpose(this, dim0, dim1);
  },
  permute(this: Tensor, ...dims: ShapeArg[]): Tensor {
    return M.permute(this, shapeFromArgs(dims));
  },
  expand(this: Tensor, ...shape: ShapeArg[]): Tensor {
    return M.expand(this, shapeFromArgs(shape));
  },
  expandAs(this: Tensor, other: Tensor): Tensor {
    return M.expand(this, other.shape);
  },
  broadcastTo(this: Tensor, shape: readonly number[]): Tensor {
    return M.expand(this, shape);
  },
  squeeze(this: Tensor, dim?: number): Tensor {
    return M.squeeze(this, dim);
  },
  unsqueeze(this: Tensor, dim: number): Tensor {
    return M.unsqueeze(this, dim);
  },
  flatten(this: Tensor, startDim = 0, endDim = -1): Tensor {
    return M.flatten(this, startDim, endDim);
  },
  unflatten(this: Tensor, dim: number, sizes: readonly number[]): Tensor {
    return M.unflatten(this, dim, sizes);
  },
  narrow(this: Tensor, dim: number, start: number, length: number): Tensor {
    return M.narrow(this, dim, start, length);
  },
  select(this: Tensor, dim: number, index: number): Tensor {
    return M.select(this, dim, index);
  },
  /** x[start:stop:step] along one dim (a view). */
  slice(this: Tensor, dim: number, start?: number | null, stop?: number | null, step = 1): Tensor {
    return M.slice(this, dim, start, stop, step);
  },
  /** @internal zeros of `shape` with this tensor placed at a strided slice (gradient of slice). */
  sliceBackward(this: Tensor, shape: readonly number[], dim: number, start: number, step: number): Tensor {
    return M.sliceBackward(this, shape, dim, start, step);
  },
  split(this: Tensor, splitSize: number | number[], dim = 0): Tensor[] {
    return M.split(this, splitSize, dim);
  },
  chunk(this: Tensor, chunks: number, dim = 0): Tensor[] {
    return M.chunk(this, chunks, dim);
  },
  unbind(this: Tensor, dim = 0): Tensor[] {
    return M.unbind(this, dim);
  },
  repeat(this: Tensor, ...sizes: ShapeArg[]): Tensor {
    return M.repeat(this, shapeFromArgs(sizes));
  },
  roll(this: Tensor, shifts: number | number[], dims?: number | number[]): Tensor {
    return M.roll(this, shifts, dims);
  },
  flip(this: Tensor, dims: number | number[]): Tensor {
    return M.flip(this, typeof dims === 'number' ? [dims] : dims);
  },
  tril(this: Tensor, diagonal = 0): Tensor {
    return M.tril(this, diagonal);
  },
  triu(this: Tensor, diagonal = 0): Tensor {
    return M.triu(this, diagonal);
  },

  // ---- indexing ----
  /** Python indexing: ints, slice(a,b,c), null (newaxis), '...', index tensors / int arrays, bool masks. */
  index(this: Tensor, ...items: IndexItem[]): Tensor {
    return I.getitem(this, items);
  },
  /** Python setitem: `x[items] = value` (in place). */
  indexPut_<T extends Tensor>(this: T, items: IndexItem[] | IndexItem, value: Operand): T {
    I.setitem(this, Array.isArray(items) ? items : [items], value);
    return this;
  },
  /** Out-of-place index_put with index tensors (null = full dim). */
  indexPut(this: Tensor, indices: (Tensor | null)[], value: Operand, accumulate = false): Tensor {
    return I.indexPut(this, indices, value, accumulate);
  },
  gather(this: Tensor, dim: number, index: Tensor): Tensor {
    return I.gather(this, dim, index);
  },
  scatter(this: Tensor, dim: number, index: Tensor, src: Operand, opts: { reduce?: 'add' | 'multiply' } = {}): Tensor {
    return I.scatter(this, dim, index, src, opts.reduce);
  },
  scatter_<T extends Tensor>(this: T, dim: number, index: Tensor, src: Operand, opts: { reduce?: 'add' | 'multiply' } = {}): T {
    return this._inplace(I.scatter(this._self('scatter_'), dim, index, src, opts.reduce), 'scatter_');
  },
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return I.scatterAdd(this, dim, index, src);
  },
  scatterAdd_<T extends Tensor>(this: T, dim: number, index: Tensor, src: Tensor): T {
    return this._inplace(I.scatterAdd(this._self('scatter_add_'), dim, index, src), 'scatter_add_');
  },
  indexSelect(this: Tensor, dim: number, index: Tensor): Tensor {
    return I.indexSelect(this, dim, index);
  },
  indexAdd(this: Tensor, dim: number, index: Tensor, src: Tensor, opts: { alpha?: number } = {}): Tensor {
    return X.indexAdd(this, dim, index, src, opts.alpha ?? 1);
  },
  maskedFill(this: Tensor, mask: Tensor, value: Operand): Tensor {
    return I.maskedFill(this, mask, value);
  },
  maskedFill_<T extends Tensor>(this: T, mask: Tensor, value: Operand): T {
    return this._inplace(I.maskedFill(this._self('masked_fill_'), mask, value), 'masked_fill_');
  },
  maskedSelect(this: Tensor, mask: Tensor): Tensor {
    return X.maskedSelect(this, mask);
  },
  nonzero(this: Tensor): Tensor {
    return I.nonzero(this);
  },

  // ---- elementwise ----
  add(this: Tensor, other: Operand, opts?: { alpha?: number }): Tensor {
    return E.add(this, other, opts);
  },
  sub(this: Tensor, other: Operand, opts?: { alpha?: number }): Tensor {
    return E.sub(this, other, opts);
  },
  rsub(this: Tensor, other: Operand, opts?: { alpha?: number }): Tensor {
    return E.rsub(this, other, opts);
  },
  mul(this: Tensor, other: Operand): Tensor {
    return E.mul(this, other);
  },
  div(this: Tensor, other: Operand, opts?: { roundingMode?: RoundingMode }): Tensor {
    return E.div(this, other, opts);
  },
  floorDivide(this: Tensor, other: Operand): Tensor {
    return E.floorDivide(this, other);
  },
  remainder(this: Tensor, other: Operand): Tensor {
    return E.remainder(this, other);
  },
  fmod(this: Tensor, other: Operand): Tensor {
    return E.fmod(this, other);
  },
  pow(this: Tensor, exponent: Operand): Tensor {
    return E.pow(this, exponent);
  },
  /** `base ** this` (Python's Tensor.__rpow__): PowBackward1, where torch.pow(base, this) is PowBackward2. */
  rpow(this: Tensor, base: Operand): Tensor {
    return E.pow(base, this, { reflected: true });
  },
  atan2(this: Tensor, other: Operand): Tensor {
    return E.atan2(this, other);
  },
  maximum(this: Tensor, other: Tensor): Tensor {
    return E.maximum(this, other);
  },
  minimum(this: Tensor, other: Tensor): Tensor {
    return E.minimum(this, other);
  },
  neg(this: Tensor): Tensor {
    return E.sameUnary('neg', this);
  },
  negative(this: Tensor): Tensor {
    return this.neg();
  },
  abs(this: Tensor): Tensor {
    return E.sameUnary('abs', this);
  },
  sign(this: Tensor): Tensor {
    return E.sameUnary('sign', this);
  },
  floor(this: Tensor): Tensor {
    return E.sameUnary('floor', this);
  },
  ceil(this: Tensor): Tensor {
    return E.sameUnary('ceil', this);
  },
  round(this: Tensor): Tensor {
    return E.sameUnary('round', this);
  },
  trunc(this: Tensor): Tensor {
    return E.sameUnary('trunc', this);
  },
  frac(this: Tensor): Tensor {
    return E.sameUnary('frac', this);
  },
  relu(this: Tensor): Tensor {
    return E.sameUnary('relu', this);
  },
  exp(this: Tensor): Tensor {
    return E.floatUnary('exp', this);
  },
  expm1(this: Tensor): Tensor {
    return E.floatUnary('expm1', this);
  },
  log(this: Tensor): Tensor {
    return E.floatUnary('log', this);
  },
  log2(this: Tensor): Tensor {
    return E.floatUnary('log2', this);
  },
  log10(this: Tensor): Tensor {
    return E.floatUnary('log10', this);
  },
  log1p(this: Tensor): Tensor {
    return E.floatUnary('log1p', this);
  },
  sqrt(this: Tensor): Tensor {
    return E.floatUnary('sqrt', this);
  },
  rsqrt(this: Tensor): Tensor {
    return E.floatUnary('rsqrt', this);
  },
  square(this: Tensor): Tensor {
    return E.pow(this, 2);
  },
  sin(this: Tensor): Tensor {
    return E.floatUnary('sin', this);
  },
  cos(this: Tensor): Tensor {
    return E.floatUnary('cos', this);
  },
  tan(this: Tensor): Tensor {
    return E.floatUnary('tan', this);
  },
  asin(this: Tensor): Tensor {
    return E.floatUnary('asin', this);
  },
  acos(this: Tensor): Tensor {
    return E.floatUnary('acos', this);
  },
  atan(this: Tensor): Tensor {
    return E.floatUnary('atan', this);
  },
  sinh(this: Tensor): Tensor {
    return E.floatUnary('sinh', this);
  },
  cosh(this: Tensor): Tensor {
    return E.floatUnary('cosh', this);
  },
  tanh(this: Tensor): Tensor {
    return E.floatUnary('tanh', this);
  },
  erf(this: Tensor): Tensor {
    return E.floatUnary('erf', this);
  },
  sigmoid(this: Tensor): Tensor {
    return E.floatUnary('sigmoid', this);
  },
  reciprocal(this: Tensor): Tensor {
    return E.floatUnary('reciprocal', this);
  },
  clamp(this: Tensor, min?: Operand | null, max?: Operand | null): Tensor {
    return E.clamp(this, min, max);
  },
  clip(this: Tensor, min?: Operand | null, max?: Operand | null): Tensor {
    return E.clamp(this, min, max);
  },
  clampMin(this: Tensor, min: Operand): Tensor {
    return E.clamp(this, min, null, 'ClampMinBackward0');
  },
  clampMax(this: Tensor, max: Operand): Tensor {
    return E.clamp(this, null, max, 'ClampMaxBackward0');
  },
  eq(this: Tensor, other: Operand): Tensor {
    return E.compare('eq', this, other);
  },
  ne(this: Tensor, other: Operand): Tensor {
    return E.compare('ne', this, other);
  },
  lt(this: Tensor, other: Operand): Tensor {
    return E.compare('lt', this, other);
  },
  le(this: Tensor, other: Operand): Tensor {
    return E.compare('le', this, other);
  },
  gt(this: Tensor, other: Operand): Tensor {
    return E.compare('gt', this, other);
  },
  ge(this: Tensor, other: Operand): Tensor {
    return E.compare('ge', this, other);
  },
  logicalAnd(this: Tensor, other: Operand): Tensor {
    return E.logical('logicalAnd', this, other);
  },
  logicalOr(this: Tensor, other: Operand): Tensor {
    return E.logical('logicalOr', this, other);
  },
  logicalXor(this: Tensor, other: Operand): Tensor {
    return E.logical('logicalXor', this, other);
  },
  logicalNot(this: Tensor): Tensor {
    return E.logicalNot(this);
  },
  isnan(this: Tensor): Tensor {
    return E.isnan(this);
  },
  isinf(this: Tensor): Tensor {
    return E.isinf(this);
  },
  isfinite(this: Tensor): Tensor {
    return E.isfinite(this);
  },
  where(this: Tensor, condition: Tensor, other: Operand): Tensor {
    return E.where(condition, this, other);
  },
  equal(this: Tensor, other: Tensor): boolean {
    return R.equal(this, other);
  },
  allclose(this: Tensor, other: Tensor, rtol = 1e-5, atol = 1e-8): boolean {
    return R.allclose(this, other, rtol, atol);
  },

  // ---- in-place ----
  /** @internal self as the input of an in-place op (refused on leaves that require grad). */
  _self(this: Tensor, op: string): Tensor {
    E.checkInPlace(this, op);
    return this;
  },
  /** @internal write a result into self (version bump, history rebase). */
  _inplace<T extends Tensor>(this: T, result: Tensor, op: string): T {
    E.commitInPlace(this, result, op);
    return this;
  },
  add_<T extends Tensor>(this: T, other: Operand, opts?: { alpha?: number }): T {
    const alpha = opts?.alpha ?? 1;
    if (E.tryInplaceBinary(this._self('add_'), alpha === 1 ? 'add' : 'addAlpha', E.asTensor(other), alpha)) return this;
    return this._inplace(E.add(this, other, opts), 'add_');
  },
  sub_<T extends Tensor>(this: T, other: Operand, opts?: { alpha?: number }): T {
    const alpha = opts?.alpha ?? 1;
    if (E.tryInplaceBinary(this._self('sub_'), alpha === 1 ? 'sub' : 'subAlpha', E.asTensor(other), alpha)) return this;
    return this._inplace(E.sub(this, other, opts), 'sub_');
  },
  mul_<T extends Tensor>(this: T, other: Operand): T {
    if (E.tryInplaceBinary(this._self('mul_'), 'mul', E.asTensor(other))) return this;
    return this._inplace(E.mul(this, other), 'mul_');
  },
  div_<T extends Tensor>(this: T, other: Operand, opts?: { roundingMode?: RoundingMode }): T {
    if (!opts?.roundingMode && E.tryInplaceBinary(this._self('div_'), 'div', E.asTensor(other))) return this;
    return this._inplace(E.div(this._self('div_'), other, opts), 'div_');
  },
  pow_<T extends Tensor>(this: T, e: Operand): T {
    return this._inplace(E.pow(this._self('pow_'), e), 'pow_');
  },
  neg_<T extends Tensor>(this: T): T {
    return this._inplace(this._self('neg_').neg(), 'neg_');
  },
  abs_<T extends Tensor>(this: T): T {
    return this._inplace(this._self('abs_').abs(), 'abs_');
  },
  exp_<T extends Tensor>(this: T): T {
    return this._inplace(this._self('exp_').exp(), 'exp_');
  },
  log_<T extends Tensor>(this: T): T {
    return this._inplace(this._self('log_').log(), 'log_');
  },
  sqrt_<T extends Tensor>(this: T): T {
    return this._inplace(this._self('sqrt_').sqrt(), 'sqrt_');
  },
  relu_<T extends Tensor>(this: T): T {
    return this._inplace(this._self('relu_').relu(), 'relu_');
  },
  sigmoid_<T extends Tensor>(this: T): T {
    return this._inplace(this._self('sigmoid_').sigmoid(), 'sigmoid_');
  },
  tanh_<T extends Tensor>(this: T): T {
    return this._inplace(this._self('tanh_').tanh(), 'tanh_');
  },
  floor_<T extends Tensor>(this: T): T {
    return this._inplace(this._self('floor_').floor(), 'floor_');
  },
  round_<T extends Tensor>(this: T): T {
    return this._inplace(this._self('round_').round(), 'round_');
  },
  clamp_<T extends Tensor>(this: T, min?: Operand | null, max?: Operand | null): T {
    return this._inplace(E.clamp(this._self('clamp_'), min, max), 'clamp_');
  },
  clampMin_<T extends Tensor>(this: T, min: Operand): T {
    return this.clamp_(min, null);
  },
  clampMax_<T extends Tensor>(this: T, max: Operand): T {
    return this.clamp_(null, max);
  },
  maximum_<T extends Tensor>(this: T, other: Tensor): T {
    return this._inplace(E.maximum(this._self('maximum_'), other), 'maximum_');
  },
  addcmul_<T extends Tensor>(this: T, t1: Tensor, t2: Tensor, opts: { value?: number } = {}): T {
    return this._inplace(E.add(this._self('addcmul_'), E.mul(t1, t2), { alpha: opts.value ?? 1 }), 'addcmul_');
  },
  addcdiv_<T extends Tensor>(this: T, t1: Tensor, t2: Tensor, opts: { value?: number } = {}): T {
    return this._inplace(E.add(this._self('addcdiv_'), E.div(t1, t2), { alpha: opts.value ?? 1 }), 'addcdiv_');
  },
  lerp_<T extends Tensor>(this: T, end: Tensor, weight: number): T {
    return this._inplace(E.add(this._self('lerp_'), E.sub(end, this), { alpha: weight }), 'lerp_');
  },
  /** Fill with a value (no history; in place). */
  fill_<T extends Tensor>(this: T, value: number | boolean | Tensor): T {
    E.checkInPlace(this, 'fill_');
    E.checkNoOverlap(this, 'fill_');
    if (typeof value === 'number') checkScalarFits(value, this.dtype, true);
    C.fillRaw(this, value instanceof Tensor ? Number(value.item()) : Number(value));
    this._bumpVersion();
    return this;
  },
  zero_<T extends Tensor>(this: T): T {
    return this.fill_(0);
  },
  /** Copy values from src (broadcast, cast) into self. */
  copy_<T extends Tensor>(this: T, src: Tensor): T {
    E.checkInPlace(this, 'copy_');
    const r = src.requiresGrad && isGradEnabled() ? M.toDtype(src.expand(this.shape), this.dtype, true) : src;
    E.commitInPlace(this, r, 'copy_', true);
    return this;
  },
  uniform_<T extends Tensor>(this: T, from = 0, to = 1, opts: { generator?: RND.Generator } = {}): T {
    E.checkInPlace(this, 'uniform_');
    RND.uniformFill(this, from, to, opts.generator);
    this._bumpVersion();
    return this;
  },
  normal_<T extends Tensor>(this: T, mean = 0, std = 1, opts: { generator?: RND.Generator } = {}): T {
    E.checkInPlace(this, 'normal_');
    RND.normalFill(this, mean, std, opts.generator);
    this._bumpVersion();
    return this;
  },
  bernoulli_<T extends Tensor>(this: T, p = 0.5, opts: { generator?: RND.Generator } = {}): T {
    E.checkInPlace(this, 'bernoulli_');
    RND.bernoulliFill(this, p, opts.generator);
    this._bumpVersion();
    return this;
  },

  // ---- reductions ----
  max,
  min,
  median,
  sum(this: Tensor, dim?: number | number[] | null, keepdim = false, opts: { dtype?: DType } = {}): Tensor {
    return R.sum(this, dim, keepdim, opts.dtype);
  },
  mean(this: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
    return R.mean(this, dim, keepdim);
  },
  prod(this: Tensor, dim?: number | null, keepdim = false): Tensor {
    return R.prod(this, dim, keepdim);
  },
  amax(this: Tensor, dim: number | number[] = [], keepdim = false): Tensor {
    return R.amaxmin('amax', this, dim, keepdim);
  },
  amin(this: Tensor, dim: number | number[] = [], keepdim = false): Tensor {
    return R.amaxmin('amin', this, dim, keepdim);
  },
  argmax(this: Tensor, dim?: number | null, keepdim = false): Tensor {
    return R.argmaxmin('argmax', this, dim, keepdim);
  },
  argmin(this: Tensor, dim?: number | null, keepdim = false): Tensor {
    return R.argmaxmin('argmin', this, dim, keepdim);
  },
  var(this: Tensor, dim?: number | number[] | null, opts: R.VarOptions | boolean = {}, keepdim?: boolean): Tensor {
    return R.varStd('var', this, dim, opts, keepdim);
  },
  std(this: Tensor, dim?: number | number[] | null, opts: R.VarOptions | boolean = {}, keepdim?: boolean): Tensor {
    return R.varStd('std', this, dim, opts, keepdim);
  },
  norm(this: Tensor, p: number | 'fro' | null = 'fro', dim?: number | number[] | null, keepdim = false): Tensor {
    return R.norm(this, p ?? 'fro', dim, keepdim);
  },
  logsumexp(this: Tensor, dim: number | number[], keepdim = false): Tensor {
    return R.logsumexp(this, dim, keepdim);
  },
  /** softmax along dim; `dtype` casts the input first (as PyTorch's dtype argument). */
  softmax(this: Tensor, dim: number, opts: { dtype?: DType } = {}): Tensor {
    return R.softmax(opts.dtype ? this.to(opts.dtype) : this, dim);
  },
  logSoftmax(this: Tensor, dim: number, opts: { dtype?: DType } = {}): Tensor {
    return R.logSoftmax(opts.dtype ? this.to(opts.dtype) : this, dim);
  },
  cumsum(this: Tensor, dim: number): Tensor {
    return R.cumsum(this, dim);
  },
  cumprod(this: Tensor, dim: number): Tensor {
    return R.cumprod(this, dim);
  },
  topk(this: Tensor, k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } {
    return R.topk(this, k, dim, largest, sorted);
  },
  sort(this: Tensor, dim = -1, descending = false): { values: Tensor; indices: Tensor } {
    return R.sort(this, dim, descending);
  },
  argsort(this: Tensor, dim = -1, descending = false): Tensor {
    return R.sort(this, dim, descending).indices;
  },
  all(this: Tensor, dim?: number | null, keepdim = false): Tensor {
    return R.allAny('all', this, dim, keepdim);
  },
  any(this: Tensor, dim?: number | null, keepdim = false): Tensor {
    return R.allAny('any', this, dim, keepdim);
  },
  countNonzero(this: Tensor, dim?: number): Tensor {
    return R.sum(this.ne(0), dim);
  },

  // ---- composites (composite.ts) ----
  lerp(this: Tensor, end: Tensor, weight: Operand): Tensor {
    return X.lerp(this, end, weight);
  },
  addcmul(this: Tensor, t1: Tensor, t2: Tensor, opts: { value?: number } = {}): Tensor {
    return X.addcmul(this, t1, t2, opts.value ?? 1);
  },
  addcdiv(this: Tensor, t1: Tensor, t2: Tensor, opts: { value?: number } = {}): Tensor {
    return X.addcdiv(this, t1, t2, opts.value ?? 1);
  },
  exp2(this: Tensor): Tensor {
    return X.exp2(this);
  },
  hypot(this: Tensor, other: Tensor): Tensor {
    return X.hypot(this, other);
  },
  logaddexp(this: Tensor, other: Tensor): Tensor {
    return X.logaddexp(this, other);
  },
  isclose(this: Tensor, other: Operand, rtol = 1e-5, atol = 1e-8, equalNan = false): Tensor {
    return X.isclose(this, other, rtol, atol, equalNan);
  },
  nanToNum(this: Tensor, nan = 0, posinf?: number | null, neginf?: number | null): Tensor {
    return X.nanToNum(this, nan, posinf, neginf);
  },
  movedim(this: Tensor, source: number | number[], destination: number | number[]): Tensor {
    return X.movedim(this, source, destination);
  },
  moveaxis(this: Tensor, source: number | number[], destination: number | number[]): Tensor {
    return X.movedim(this, source, destination);
  },
  tile(this: Tensor, ...reps: ShapeArg[]): Tensor {
    return X.tile(this, shapeFromArgs(reps));
  },
  repeatInterleave(this: Tensor, repeats: number | Tensor, dim?: number | null): Tensor {
    return X.repeatInterleave(this, repeats, dim);
  },
  take(this: Tensor, index: Tensor): Tensor {
    return X.take(this, index);
  },
  diagonal(this: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
    return M.diagonal(this, offset, dim1, dim2);
  },
  diag(this: Tensor, diagonal = 0): Tensor {
    return X.diag(this, diagonal);
  },
  trace(this: Tensor): Tensor {
    return X.trace(this);
  },
  fliplr(this: Tensor): Tensor {
    return M.flip(this, [1]);
  },
  flipud(this: Tensor): Tensor {
    return M.flip(this, [0]);
  },
  indexFill(this: Tensor, dim: number, index: Tensor, value: Operand): Tensor {
    return X.indexFill(this, dim, index, value);
  },
  indexFill_<T extends Tensor>(this: T, dim: number, index: Tensor, value: Operand): T {
    return this._inplace(X.indexFill(this._self('index_fill_'), dim, index, value), 'index_fill_');
  },
  indexCopy(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return X.indexCopy(this, dim, index, src);
  },
  indexCopy_<T extends Tensor>(this: T, dim: number, index: Tensor, src: Tensor): T {
    return this._inplace(X.indexCopy(this._self('index_copy_'), dim, index, src), 'index_copy_');
  },
  indexAdd_<T extends Tensor>(this: T, dim: number, index: Tensor, src: Tensor, opts: { alpha?: number } = {}): T {
    return this._inplace(X.indexAdd(this._self('index_add_'), dim, index, src, opts.alpha ?? 1), 'index_add_');
  },
  maskedScatter(this: Tensor, mask: Tensor, source: Tensor): Tensor {
    return X.maskedScatter(this, mask, source);
  },
  unfold(this: Tensor, dim: number, size: number, step: number): Tensor {
    return M.unfold(this, dim, size, step);
  },
  sumToSize(this: Tensor, ...shape: ShapeArg[]): Tensor {
    return X.sumToSize(this, shapeFromArgs(shape));
  },
  nansum(this: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
    return X.nansum(this, dim, keepdim);
  },
  nanmean(this: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
    return X.nanmean(this, dim, keepdim);
  },
  logcumsumexp(this: Tensor, dim: number): Tensor {
    return X.logcumsumexp(this, dim);
  },
  cummax(this: Tensor, dim: number): { values: Tensor; indices: Tensor } {
    return X.cumextreme('cummax', this, dim);
  },
  cummin(this: Tensor, dim: number): { values: Tensor; indices: Tensor } {
    return X.cumextreme('cummin', this, dim);
  },
  aminmax(this: Tensor, opts: { dim?: number | null; keepdim?: boolean } = {}): { min: Tensor; max: Tensor } {
    return X.aminmax(this, opts.dim, opts.keepdim);
  },
  kthvalue(this: Tensor, k: number, dim = -1, keepdim = false): { values: Tensor; indices: Tensor } {
    return X.kthvalue(this, k, dim, keepdim);
  },
  msort(this: Tensor): Tensor {
    return X.msort(this);
  },
  dist(this: Tensor, other: Tensor, p = 2): Tensor {
    return X.dist(this, other, p);
  },
  unique(this: Tensor, opts?: { sorted?: boolean; returnInverse?: boolean; returnCounts?: boolean }): Tensor | Tensor[] {
    return X.unique(this, opts);
  },
  bincount(this: Tensor, weights?: Tensor | null, minlength = 0): Tensor {
    return X.bincount(this, weights, minlength);
  },
  histc(this: Tensor, bins = 100, min = 0, max = 0): Tensor {
    return X.histc(this, bins, min, max);
  },
  cross(this: Tensor, other: Tensor, dim?: number): Tensor {
    return X.cross(this, other, dim);
  },
  baddbmm(this: Tensor, b1: Tensor, b2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
    return X.baddbmm(this, b1, b2, opts);
  },
  addmv(this: Tensor, mat: Tensor, vec: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
    return X.addmv(this, mat, vec, opts);
  },
  addr(this: Tensor, v1: Tensor, v2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
    return X.addr(this, v1, v2, opts);
  },
  typeAs(this: Tensor, other: Tensor): Tensor {
    return this.to(other.dtype);
  },
  newZeros(this: Tensor, shape: readonly number[], opts: { dtype?: DType } = {}): Tensor {
    return C.zeros(shape, { dtype: opts.dtype ?? this.dtype });
  },
  newOnes(this: Tensor, shape: readonly number[], opts: { dtype?: DType } = {}): Tensor {
    return C.ones(shape, { dtype: opts.dtype ?? this.dtype });
  },
  newFull(this: Tensor, shape: readonly number[], value: number, opts: { dtype?: DType } = {}): Tensor {
    return C.full(shape, value, { dtype: opts.dtype ?? this.dtype });
  },
  newEmpty(this: Tensor, shape: readonly number[], opts: { dtype?: DType } = {}): Tensor {
    return C.zeros(shape, { dtype: opts.dtype ?? this.dtype });
  },
  newTensor(this: Tensor, data: C.NestedData, opts: { dtype?: DType } = {}): Tensor {
    return C.tensor(data, { dtype: opts.dtype ?? this.dtype });
  },

  // ---- linear algebra ----
  matmul(this: Tensor, other: Tensor): Tensor {
    return L.matmul(this, other);
  },
  mm(this: Tensor, other: Tensor): Tensor {
    return L.mm(this, other);
  },
  bmm(this: Tensor, other: Tensor): Tensor {
    return L.bmm(this, other);
  },
  mv(this: Tensor, vec: Tensor): Tensor {
    return L.mv(this, vec);
  },
  dot(this: Tensor, other: Tensor): Tensor {
    return L.dot(this, other);
  },
  outer(this: Tensor, other: Tensor): Tensor {
    return L.outer(this, other);
  },
  addmm(this: Tensor, m1: Tensor, m2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
    return L.addmm(this, m1, m2, opts);
  },
};

/** The op methods' types, merged into the Tensor class below. */
export type TensorMethods = typeof tensorMethods;

declare module './tensor.ts' {
  interface Tensor extends TensorMethods {
    /** The tensor with all dims reversed (torch's .T). */
    readonly T: Tensor;
    /** The last two dims swapped (torch's .mT). */
    readonly mT: Tensor;
  }
}

// Attach as class methods are: non-enumerable, writable, configurable (so `for...in` and spreads see no methods).
// Each method's float16 results are rounded to half on the way out (settleHalf).
for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(tensorMethods))) {
  const value = typeof d.value === 'function' ? withHalfRounding(d.value as (...a: never[]) => unknown) : d.value;
  Object.defineProperty(Tensor.prototype, name, { ...d, value, enumerable: false });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor): Tensor {
    return M.permute(this, [...this.shape.keys()].reverse());
  },
  enumerable: false,
  configurable: true,
});
Object.defineProperty(Tensor.prototype, 'mT', {
  get(this: Tensor): Tensor {
    return M.transpose(this, -2, -1);
  },
  enumerable: false,
  configurable: true,
});
installViewHistory(M.regenerateViewHistory);
