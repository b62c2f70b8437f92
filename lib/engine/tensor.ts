// The Tensor: strided storage, autograd fields, and PyTorch-named methods that delegate to the op modules.
import { allocate, arrayMatches, dtypeOfArray, isFloating, type DType, type TypedArray } from './dtype.ts';
import { contiguousStrides, isContiguousLayout, numelOf, normDim, copyStrided } from './layout.ts';
import * as A from './autograd.ts';
import * as E from './elementwise.ts';
import * as M from './movement.ts';
import * as R from './reduce.ts';
import * as I from './indexing.ts';
import * as L from './linalg.ts';
import * as C from './creation.ts';
import * as RND from './random.ts';
import * as X from './composite.ts';
import { formatTensor } from './print.ts';
import type { Operand, RoundingMode } from './elementwise.ts';
import type { IndexItem } from './indexing.ts';

/** A shape given as an array or as separate numbers: `view([2, 3])` or `view(2, 3)`. */
export type ShapeArg = number | readonly number[];
export function shapeFromArgs(args: readonly ShapeArg[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as number[])];
  return args as number[];
}

/** Version counter shared by a tensor and all its views (PyTorch's _version). */
interface VersionBox { v: number }

export class Tensor {
  storage: TypedArray;
  shape: number[];
  strides: number[];
  offset: number;
  dtype: DType;
  readonly device = 'cpu' as const;
  grad: Tensor | null = null;
  /** @internal */ _gradFn: A.GradNode | null = null;
  /** @internal value of the shared version counter when this tensor's history was last set */ _historyVersion = 0;
  /** Which output of gradFn this tensor is. */
  outputNr = 0;
  /** Optional user label (shown in graphs). */
  name?: string;
  /** @internal */ _requiresGrad = false;
  /** @internal */ _retainsGrad = false;
  /** @internal */ _accNode: A.GradNode | null = null;
  /** @internal a Python number wrapped for type promotion */ _wrapped = false;
  /** @internal */ _version: VersionBox;
  /** @internal the tensor this is a view of */ _base: Tensor | null = null;
  /** @internal gradient hooks of a leaf */ _hooks: A.GradHook[] | undefined;

  constructor(storage: TypedArray, shape: readonly number[], strides: readonly number[], offset: number, dtype: DType, version?: VersionBox) {
    this.storage = storage; this.shape = [...shape]; this.strides = [...strides]; this.offset = offset; this.dtype = dtype;
    this._version = version ?? { v: 0 };
  }

  /** Wrap a typed array (no copy) as a new contiguous leaf tensor. */
  static fromTypedArray(arr: TypedArray, shape: readonly number[], dtype?: DType): Tensor {
    const d = dtype ?? dtypeOfArray(arr);
    if (!arrayMatches(arr, d)) throw new TypeError(`fromTypedArray: a ${arr.constructor.name} cannot hold dtype ${d}`);
    if (numelOf(shape) > arr.length) throw new RangeError(`fromTypedArray: shape [${shape.join(', ')}] needs ${numelOf(shape)} elements, array has ${arr.length}`);
    return new Tensor(arr, shape, contiguousStrides(shape), 0, d);
  }

  /** @internal A view sharing storage and version counter. */
  _view(shape: readonly number[], strides: readonly number[], offset: number): Tensor {
    const t = new Tensor(this.storage, shape, strides, offset, this.dtype, this._version);
    t._base = this._base ?? this;
    t._historyVersion = this._version.v;
    return t;
  }

  // ---- autograd fields ----
  /**
   * The node that produced this tensor (PyTorch's grad_fn). A view whose base was modified in place after the view's
   * history was set gets a fresh AsStridedBackward0 over the base's new history, as PyTorch regenerates it.
   */
  get gradFn(): A.GradNode | null {
    const base = this._base;
    if (base !== null && this._historyVersion !== this._version.v && base.requiresGrad && A.isGradEnabled()) M.regenerateViewHistory(this);
    return this._gradFn;
  }
  set gradFn(node: A.GradNode | null) { this._gradFn = node; this._historyVersion = this._version.v; }
  get version(): number { return this._version.v; }
  /** @internal */ _bumpVersion(): void { this._version.v++; }
  get requiresGrad(): boolean { return this._requiresGrad || this.gradFn !== null; }
  set requiresGrad(b: boolean) { this.requiresGrad_(b); }
  get isLeaf(): boolean { return this.gradFn === null; }
  get retainsGrad(): boolean { return this._retainsGrad; }

  requiresGrad_(b = true): this {
    if (!this.isLeaf) {
      if (b) return this;
      throw new Error('you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn\'t require differentiation use var_no_grad = var.detach().');
    }
    if (b && !isFloating(this.dtype)) throw new TypeError(`only Tensors of floating point dtype can require gradients (got ${this.dtype})`);
    this._requiresGrad = b;
    return this;
  }
  retainGrad(): void {
    if (!this.requiresGrad) throw new Error("can't retain_grad on Tensor that has requires_grad=False");
    if (this.isLeaf || this._retainsGrad) return;
    this._retainsGrad = true;
    const node = this.gradFn!;
    node.retained ??= new Map();
    node.retained.set(this.outputNr, this);
  }
  backward(gradient?: Tensor | null, opts: A.BackwardOptions = {}): void { A.backward(this, gradient, opts); }
  /**
   * Run `hook(grad)` whenever this tensor's gradient is computed (before it is accumulated or passed on);
   * returning a tensor replaces the gradient. Returns a handle whose remove() unregisters it.
   */
  registerHook(hook: A.GradHook): { remove(): void } {
    if (!this.requiresGrad) throw new Error("cannot register a hook on a tensor that doesn't require gradient");
    let list: A.GradHook[];
    if (this.isLeaf) list = this._hooks ??= [];
    else {
      const node = this.gradFn!;
      node.hooks ??= new Map();
      if (!node.hooks.has(this.outputNr)) node.hooks.set(this.outputNr, []);
      list = node.hooks.get(this.outputNr)!;
    }
    list.push(hook);
    return { remove: () => { const i = list.indexOf(hook); if (i >= 0) list.splice(i, 1); } };
  }
  /** A tensor sharing storage with no history (torch's .detach()). */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset, this.dtype, this._version);
  }
  detach_(): this { this.gradFn = null; this._requiresGrad = false; return this; }
  /** Detached alias, as PyTorch's .data. Setting it swaps the underlying storage. */
  get data(): Tensor { const t = this.detach(); t._version = { v: this._version.v }; return t; }
  set data(t: Tensor) {
    this.storage = t.storage; this.shape = [...t.shape]; this.strides = [...t.strides]; this.offset = t.offset; this.dtype = t.dtype;
  }

  // ---- metadata ----
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number { return dim === undefined ? [...this.shape] : this.shape[normDim(dim, this.shape.length, 'size')]!; }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number { return dim === undefined ? [...this.strides] : this.strides[normDim(dim, this.shape.length, 'stride')]!; }
  dim(): number { return this.shape.length; }
  get ndim(): number { return this.shape.length; }
  numel(): number { return numelOf(this.shape); }
  elementSize(): number { return this.storage.BYTES_PER_ELEMENT; }
  isContiguous(): boolean { return isContiguousLayout(this.shape, this.strides); }
  isFloatingPoint(): boolean { return isFloating(this.dtype); }
  storageOffset(): number { return this.offset; }

  // ---- data access ----
  /** Values in row-major order: the storage itself (or a subarray) when contiguous, else a copy. Read-only. */
  dataSync(): TypedArray {
    const n = this.numel();
    if (this.isContiguous()) return this.offset === 0 && n === this.storage.length ? this.storage : this.storage.subarray(this.offset, this.offset + n);
    const out = allocate(this.dtype, n);
    copyStrided(this.storage, this.offset, this.strides, this.shape, out, 0, contiguousStrides(this.shape), this.dtype, false);
    return out;
  }
  /** The single value of a one-element tensor (bool as boolean). */
  item(): number | boolean {
    if (this.numel() !== 1) throw new RangeError(`item: a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    const v = this.storage[this.offset]!;
    return this.dtype === 'bool' ? v !== 0 : v;
  }
  /** Nested JS arrays (a number for 0-dim). */
  tolist(): any {
    const data = this.dataSync();
    const bool = this.dtype === 'bool';
    const build = (d: number, off: number): any => {
      if (d === this.shape.length) return bool ? data[off] !== 0 : data[off];
      const step = numelOf(this.shape.slice(d + 1));
      return Array.from({ length: this.shape[d]! }, (_, i) => build(d + 1, off + i * step));
    };
    return build(0, 0);
  }
  toString(): string { return formatTensor(this); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }

  // ---- copies and conversions ----
  clone(): Tensor { return M.clone(this); }
  contiguous(): Tensor { return this.isContiguous() ? this : M.clone(this, 'contiguous'); }
  to(dtype: DType | { dtype?: DType }, _copy = false): Tensor { return M.toDtype(this, typeof dtype === 'string' ? dtype : dtype.dtype ?? this.dtype); }
  type(dtype: DType): Tensor { return this.to(dtype); }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  long(): Tensor { return this.to('int64'); }
  int(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }
  byte(): Tensor { return this.to('uint8'); }
  cpu(): Tensor { return this; }
  numpy(): TypedArray { return this.dataSync(); }
  /** @internal ones in this shape/dtype, no history */
  onesLikeRaw(): Tensor { return C.ones(this.shape, { dtype: this.dtype }); }

  // ---- movement ----
  get T(): Tensor { return M.permute(this, [...this.shape.keys()].reverse()); }
  get mT(): Tensor { return M.transpose(this, -2, -1); }
  t(): Tensor { return M.t(this); }
  view(...shape: ShapeArg[]): Tensor;
  view(dtype: DType): Tensor;
  view(...shape: any[]): Tensor { return M.view(this, shapeFromArgs(shape)); }
  viewAs(other: Tensor): Tensor { return M.view(this, other.shape); }
  reshape(...shape: ShapeArg[]): Tensor { return M.reshape(this, shapeFromArgs(shape)); }
  reshapeAs(other: Tensor): Tensor { return M.reshape(this, other.shape); }
  transpose(dim0: number, dim1: number): Tensor { return M.transpose(this, dim0, dim1); }
  swapaxes(dim0: number, dim1: number): Tensor { return M.transpose(this, dim0, dim1); }
  permute(...dims: ShapeArg[]): Tensor { return M.permute(this, shapeFromArgs(dims)); }
  expand(...shape: ShapeArg[]): Tensor { return M.expand(this, shapeFromArgs(shape)); }
  expandAs(other: Tensor): Tensor { return M.expand(this, other.shape); }
  broadcastTo(shape: readonly number[]): Tensor { return M.expand(this, shape); }
  squeeze(dim?: number): Tensor { return M.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return M.unsqueeze(this, dim); }
  flatten(startDim = 0, endDim = -1): Tensor { return M.flatten(this, startDim, endDim); }
  unflatten(dim: number, sizes: readonly number[]): Tensor { return M.unflatten(this, dim, sizes); }
  narrow(dim: number, start: number, length: number): Tensor { return M.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return M.select(this, dim, index); }
  /** x[start:stop:step] along one dim (a view). */
  slice(dim: number, start?: number | null, stop?: number | null, step = 1): Tensor { return M.slice(this, dim, start, stop, step); }
  /** @internal zeros of `shape` with this tensor placed at a strided slice (gradient of slice). */
  sliceBackward(shape: readonly number[], dim: number, start: number, step: number): Tensor { return M.sliceBackward(this, shape, dim, start, step); }
  split(splitSize: number | number[], dim = 0): Tensor[] { return M.split(this, splitSize, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return M.chunk(this, chunks, dim); }
  unbind(dim = 0): Tensor[] { return M.unbind(this, dim); }
  repeat(...sizes: ShapeArg[]): Tensor { return M.repeat(this, shapeFromArgs(sizes)); }
  roll(shifts: number | number[], dims?: number | number[]): Tensor { return M.roll(this, shifts, dims); }
  flip(dims: number | number[]): Tensor { return M.flip(this, typeof dims === 'number' ? [dims] : dims); }
  tril(diagonal = 0): Tensor { return M.tril(this, diagonal); }
  triu(diagonal = 0): Tensor { return M.triu(this, diagonal); }

  // ---- indexing ----
  /** Python indexing: ints, slice(a,b,c), null (newaxis), '...', index tensors / int arrays, bool masks. */
  index(...items: IndexItem[]): Tensor { return I.getitem(this, items); }
  /** Python setitem: `x[items] = value` (in place). */
  indexPut_(items: IndexItem[] | IndexItem, value: Operand): this { I.setitem(this, Array.isArray(items) ? items : [items], value); return this; }
  /** Out-of-place index_put with index tensors (null = full dim). */
  indexPut(indices: (Tensor | null)[], value: Operand, accumulate = false): Tensor { return I.indexPut(this, indices, value, accumulate); }
  gather(dim: number, index: Tensor): Tensor { return I.gather(this, dim, index); }
  scatter(dim: number, index: Tensor, src: Operand, opts: { reduce?: 'add' | 'multiply' } = {}): Tensor { return I.scatter(this, dim, index, src, opts.reduce); }
  scatter_(dim: number, index: Tensor, src: Operand, opts: { reduce?: 'add' | 'multiply' } = {}): this { return this._inplace(I.scatter(this._self('scatter_'), dim, index, src, opts.reduce), 'scatter_'); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return I.scatterAdd(this, dim, index, src); }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this { return this._inplace(I.scatterAdd(this._self('scatter_add_'), dim, index, src), 'scatter_add_'); }
  indexSelect(dim: number, index: Tensor): Tensor { return I.indexSelect(this, dim, index); }
  indexAdd(dim: number, index: Tensor, src: Tensor, opts: { alpha?: number } = {}): Tensor { return X.indexAdd(this, dim, index, src, opts.alpha ?? 1); }
  maskedFill(mask: Tensor, value: Operand): Tensor { return I.maskedFill(this, mask, value); }
  maskedFill_(mask: Tensor, value: Operand): this { return this._inplace(I.maskedFill(this._self('masked_fill_'), mask, value), 'masked_fill_'); }
  maskedSelect(mask: Tensor): Tensor { return X.maskedSelect(this, mask); }
  nonzero(): Tensor { return I.nonzero(this); }

  // ---- elementwise ----
  add(other: Operand, opts?: { alpha?: number }): Tensor { return E.add(this, other, opts); }
  sub(other: Operand, opts?: { alpha?: number }): Tensor { return E.sub(this, other, opts); }
  rsub(other: Operand, opts?: { alpha?: number }): Tensor { return E.rsub(this, other, opts); }
  mul(other: Operand): Tensor { return E.mul(this, other); }
  div(other: Operand, opts?: { roundingMode?: RoundingMode }): Tensor { return E.div(this, other, opts); }
  floorDivide(other: Operand): Tensor { return E.floorDivide(this, other); }
  remainder(other: Operand): Tensor { return E.remainder(this, other); }
  fmod(other: Operand): Tensor { return E.fmod(this, other); }
  pow(exponent: Operand): Tensor { return E.pow(this, exponent); }
  atan2(other: Operand): Tensor { return E.atan2(this, other); }
  maximum(other: Tensor): Tensor { return E.maximum(this, other); }
  minimum(other: Tensor): Tensor { return E.minimum(this, other); }
  neg(): Tensor { return E.sameUnary('neg', this); }
  negative(): Tensor { return this.neg(); }
  abs(): Tensor { return E.sameUnary('abs', this); }
  sign(): Tensor { return E.sameUnary('sign', this); }
  floor(): Tensor { return E.sameUnary('floor', this); }
  ceil(): Tensor { return E.sameUnary('ceil', this); }
  round(): Tensor { return E.sameUnary('round', this); }
  trunc(): Tensor { return E.sameUnary('trunc', this); }
  frac(): Tensor { return E.sameUnary('frac', this); }
  relu(): Tensor { return E.sameUnary('relu', this); }
  exp(): Tensor { return E.floatUnary('exp', this); }
  expm1(): Tensor { return E.floatUnary('expm1', this); }
  log(): Tensor { return E.floatUnary('log', this); }
  log2(): Tensor { return E.floatUnary('log2', this); }
  log10(): Tensor { return E.floatUnary('log10', this); }
  log1p(): Tensor { return E.floatUnary('log1p', this); }
  sqrt(): Tensor { return E.floatUnary('sqrt', this); }
  rsqrt(): Tensor { return E.floatUnary('rsqrt', this); }
  square(): Tensor { return E.pow(this, 2); }
  sin(): Tensor { return E.floatUnary('sin', this); }
  cos(): Tensor { return E.floatUnary('cos', this); }
  tan(): Tensor { return E.floatUnary('tan', this); }
  asin(): Tensor { return E.floatUnary('asin', this); }
  acos(): Tensor { return E.floatUnary('acos', this); }
  atan(): Tensor { return E.floatUnary('atan', this); }
  sinh(): Tensor { return E.floatUnary('sinh', this); }
  cosh(): Tensor { return E.floatUnary('cosh', this); }
  tanh(): Tensor { return E.floatUnary('tanh', this); }
  erf(): Tensor { return E.floatUnary('erf', this); }
  sigmoid(): Tensor { return E.floatUnary('sigmoid', this); }
  reciprocal(): Tensor { return E.floatUnary('reciprocal', this); }
  clamp(min?: Operand | null, max?: Operand | null): Tensor { return E.clamp(this, min, max); }
  clip(min?: Operand | null, max?: Operand | null): Tensor { return E.clamp(this, min, max); }
  clampMin(min: Operand): Tensor { return E.clamp(this, min, null, 'ClampMinBackward0'); }
  clampMax(max: Operand): Tensor { return E.clamp(this, null, max, 'ClampMaxBackward0'); }
  eq(other: Operand): Tensor { return E.compare('eq', this, other); }
  ne(other: Operand): Tensor { return E.compare('ne', this, other); }
  lt(other: Operand): Tensor { return E.compare('lt', this, other); }
  le(other: Operand): Tensor { return E.compare('le', this, other); }
  gt(other: Operand): Tensor { return E.compare('gt', this, other); }
  ge(other: Operand): Tensor { return E.compare('ge', this, other); }
  logicalAnd(other: Operand): Tensor { return E.logical('logicalAnd', this, other); }
  logicalOr(other: Operand): Tensor { return E.logical('logicalOr', this, other); }
  logicalXor(other: Operand): Tensor { return E.logical('logicalXor', this, other); }
  logicalNot(): Tensor { return E.logicalNot(this); }
  isnan(): Tensor { return E.isnan(this); }
  isinf(): Tensor { return E.isinf(this); }
  isfinite(): Tensor { return E.isfinite(this); }
  where(condition: Tensor, other: Operand): Tensor { return E.where(condition, this, other); }
  equal(other: Tensor): boolean { return R.equal(this, other); }
  allclose(other: Tensor, rtol = 1e-5, atol = 1e-8): boolean { return R.allclose(this, other, rtol, atol); }

  // ---- in-place ----
  /** @internal self as the input of an in-place op (refused on leaves that require grad). */
  _self(op: string): Tensor { E.checkInPlace(this, op); return this; }
  /** @internal write a result into self (version bump, history rebase). */
  _inplace(result: Tensor, op: string): this { E.commitInPlace(this, result, op); return this; }
  add_(other: Operand, opts?: { alpha?: number }): this {
    const alpha = opts?.alpha ?? 1;
    if (E.tryInplaceBinary(this._self('add_'), alpha === 1 ? 'add' : 'addAlpha', E.asTensor(other), alpha)) return this;
    return this._inplace(E.add(this, other, opts), 'add_');
  }
  sub_(other: Operand, opts?: { alpha?: number }): this {
    const alpha = opts?.alpha ?? 1;
    if (E.tryInplaceBinary(this._self('sub_'), alpha === 1 ? 'sub' : 'subAlpha', E.asTensor(other), alpha)) return this;
    return this._inplace(E.sub(this, other, opts), 'sub_');
  }
  mul_(other: Operand): this {
    if (E.tryInplaceBinary(this._self('mul_'), 'mul', E.asTensor(other))) return this;
    return this._inplace(E.mul(this, other), 'mul_');
  }
  div_(other: Operand, opts?: { roundingMode?: RoundingMode }): this {
    if (!opts?.roundingMode && E.tryInplaceBinary(this._self('div_'), 'div', E.asTensor(other))) return this;
    return this._inplace(E.div(this._self('div_'), other, opts), 'div_');
  }
  pow_(e: Operand): this { return this._inplace(E.pow(this._self('pow_'), e), 'pow_'); }
  neg_(): this { return this._inplace(this._self('neg_').neg(), 'neg_'); }
  abs_(): this { return this._inplace(this._self('abs_').abs(), 'abs_'); }
  exp_(): this { return this._inplace(this._self('exp_').exp(), 'exp_'); }
  log_(): this { return this._inplace(this._self('log_').log(), 'log_'); }
  sqrt_(): this { return this._inplace(this._self('sqrt_').sqrt(), 'sqrt_'); }
  relu_(): this { return this._inplace(this._self('relu_').relu(), 'relu_'); }
  sigmoid_(): this { return this._inplace(this._self('sigmoid_').sigmoid(), 'sigmoid_'); }
  tanh_(): this { return this._inplace(this._self('tanh_').tanh(), 'tanh_'); }
  floor_(): this { return this._inplace(this._self('floor_').floor(), 'floor_'); }
  round_(): this { return this._inplace(this._self('round_').round(), 'round_'); }
  clamp_(min?: Operand | null, max?: Operand | null): this { return this._inplace(E.clamp(this._self('clamp_'), min, max), 'clamp_'); }
  clampMin_(min: Operand): this { return this.clamp_(min, null); }
  clampMax_(max: Operand): this { return this.clamp_(null, max); }
  maximum_(other: Tensor): this { return this._inplace(E.maximum(this._self('maximum_'), other), 'maximum_'); }
  addcmul_(t1: Tensor, t2: Tensor, opts: { value?: number } = {}): this {
    return this._inplace(E.add(this._self('addcmul_'), E.mul(t1, t2), { alpha: opts.value ?? 1 }), 'addcmul_');
  }
  addcdiv_(t1: Tensor, t2: Tensor, opts: { value?: number } = {}): this {
    return this._inplace(E.add(this._self('addcdiv_'), E.div(t1, t2), { alpha: opts.value ?? 1 }), 'addcdiv_');
  }
  lerp_(end: Tensor, weight: number): this { return this._inplace(E.add(this._self('lerp_'), E.sub(end, this), { alpha: weight }), 'lerp_'); }
  /** Fill with a value (no history; in place). */
  fill_(value: number | boolean | Tensor): this { E.checkInPlace(this, 'fill_'); E.checkNoOverlap(this, 'fill_'); C.fillRaw(this, value instanceof Tensor ? Number(value.item()) : Number(value)); this._bumpVersion(); return this; }
  zero_(): this { return this.fill_(0); }
  /** Copy values from src (broadcast, cast) into self. */
  copy_(src: Tensor): this {
    E.checkInPlace(this, 'copy_');
    const r = src.requiresGrad && A.isGradEnabled() ? M.toDtype(src.expand(this.shape), this.dtype, true) : src;
    E.commitInPlace(this, r, 'copy_', true);
    return this;
  }
  uniform_(from = 0, to = 1, opts: { generator?: RND.Generator } = {}): this { E.checkInPlace(this, 'uniform_'); RND.uniformFill(this, from, to, opts.generator); this._bumpVersion(); return this; }
  normal_(mean = 0, std = 1, opts: { generator?: RND.Generator } = {}): this { E.checkInPlace(this, 'normal_'); RND.normalFill(this, mean, std, opts.generator); this._bumpVersion(); return this; }
  bernoulli_(p = 0.5, opts: { generator?: RND.Generator } = {}): this { E.checkInPlace(this, 'bernoulli_'); RND.bernoulliFill(this, p, opts.generator); this._bumpVersion(); return this; }

  // ---- reductions ----
  sum(dim?: number | number[] | null, keepdim = false, opts: { dtype?: DType } = {}): Tensor { return R.sum(this, dim, keepdim, opts.dtype); }
  mean(dim?: number | number[] | null, keepdim = false): Tensor { return R.mean(this, dim, keepdim); }
  prod(dim?: number | null, keepdim = false): Tensor { return R.prod(this, dim, keepdim); }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, keepdim = false): any { return dim instanceof Tensor ? E.maximum(this, dim) : R.maxmin('max', this, dim, keepdim); }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, keepdim = false): any { return dim instanceof Tensor ? E.minimum(this, dim) : R.maxmin('min', this, dim, keepdim); }
  amax(dim: number | number[] = [], keepdim = false): Tensor { return R.amaxmin('amax', this, dim, keepdim); }
  amin(dim: number | number[] = [], keepdim = false): Tensor { return R.amaxmin('amin', this, dim, keepdim); }
  argmax(dim?: number | null, keepdim = false): Tensor { return R.argmaxmin('argmax', this, dim, keepdim); }
  argmin(dim?: number | null, keepdim = false): Tensor { return R.argmaxmin('argmin', this, dim, keepdim); }
  var(dim?: number | number[] | null, opts: R.VarOptions | boolean = {}, keepdim?: boolean): Tensor { return R.varStd('var', this, dim, opts, keepdim); }
  std(dim?: number | number[] | null, opts: R.VarOptions | boolean = {}, keepdim?: boolean): Tensor { return R.varStd('std', this, dim, opts, keepdim); }
  norm(p: number | 'fro' | null = 'fro', dim?: number | number[] | null, keepdim = false): Tensor { return R.norm(this, p ?? 'fro', dim, keepdim); }
  logsumexp(dim: number | number[], keepdim = false): Tensor { return R.logsumexp(this, dim, keepdim); }
  /** softmax along dim; `dtype` casts the input first (as PyTorch's dtype argument). */
  softmax(dim: number, opts: { dtype?: DType } = {}): Tensor { return R.softmax(opts.dtype ? this.to(opts.dtype) : this, dim); }
  logSoftmax(dim: number, opts: { dtype?: DType } = {}): Tensor { return R.logSoftmax(opts.dtype ? this.to(opts.dtype) : this, dim); }
  cumsum(dim: number): Tensor { return R.cumsum(this, dim); }
  cumprod(dim: number): Tensor { return R.cumprod(this, dim); }
  median(): Tensor;
  median(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  median(dim?: number, keepdim = false): any { return R.median(this, dim, keepdim); }
  topk(k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } { return R.topk(this, k, dim, largest, sorted); }
  sort(dim = -1, descending = false): { values: Tensor; indices: Tensor } { return R.sort(this, dim, descending); }
  argsort(dim = -1, descending = false): Tensor { return R.sort(this, dim, descending).indices; }
  all(dim?: number | null, keepdim = false): Tensor { return R.allAny('all', this, dim, keepdim); }
  any(dim?: number | null, keepdim = false): Tensor { return R.allAny('any', this, dim, keepdim); }
  countNonzero(dim?: number): Tensor { return R.sum(this.ne(0), dim); }

  // ---- composites (composite.ts) ----
  lerp(end: Tensor, weight: Operand): Tensor { return X.lerp(this, end, weight); }
  addcmul(t1: Tensor, t2: Tensor, opts: { value?: number } = {}): Tensor { return X.addcmul(this, t1, t2, opts.value ?? 1); }
  addcdiv(t1: Tensor, t2: Tensor, opts: { value?: number } = {}): Tensor { return X.addcdiv(this, t1, t2, opts.value ?? 1); }
  exp2(): Tensor { return X.exp2(this); }
  hypot(other: Tensor): Tensor { return X.hypot(this, other); }
  logaddexp(other: Tensor): Tensor { return X.logaddexp(this, other); }
  isclose(other: Operand, rtol = 1e-5, atol = 1e-8, equalNan = false): Tensor { return X.isclose(this, other, rtol, atol, equalNan); }
  nanToNum(nan = 0, posinf?: number | null, neginf?: number | null): Tensor { return X.nanToNum(this, nan, posinf, neginf); }
  movedim(source: number | number[], destination: number | number[]): Tensor { return X.movedim(this, source, destination); }
  moveaxis(source: number | number[], destination: number | number[]): Tensor { return X.movedim(this, source, destination); }
  tile(...reps: ShapeArg[]): Tensor { return X.tile(this, shapeFromArgs(reps)); }
  repeatInterleave(repeats: number | Tensor, dim?: number | null): Tensor { return X.repeatInterleave(this, repeats, dim); }
  take(index: Tensor): Tensor { return X.take(this, index); }
  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor { return M.diagonal(this, offset, dim1, dim2); }
  diag(diagonal = 0): Tensor { return X.diag(this, diagonal); }
  trace(): Tensor { return X.trace(this); }
  fliplr(): Tensor { return M.flip(this, [1]); }
  flipud(): Tensor { return M.flip(this, [0]); }
  indexFill(dim: number, index: Tensor, value: Operand): Tensor { return X.indexFill(this, dim, index, value); }
  indexFill_(dim: number, index: Tensor, value: Operand): this { return this._inplace(X.indexFill(this._self('index_fill_'), dim, index, value), 'index_fill_'); }
  indexCopy(dim: number, index: Tensor, src: Tensor): Tensor { return X.indexCopy(this, dim, index, src); }
  indexCopy_(dim: number, index: Tensor, src: Tensor): this { return this._inplace(X.indexCopy(this._self('index_copy_'), dim, index, src), 'index_copy_'); }
  indexAdd_(dim: number, index: Tensor, src: Tensor, opts: { alpha?: number } = {}): this { return this._inplace(X.indexAdd(this._self('index_add_'), dim, index, src, opts.alpha ?? 1), 'index_add_'); }
  maskedScatter(mask: Tensor, source: Tensor): Tensor { return X.maskedScatter(this, mask, source); }
  unfold(dim: number, size: number, step: number): Tensor { return M.unfold(this, dim, size, step); }
  sumToSize(...shape: ShapeArg[]): Tensor { return X.sumToSize(this, shapeFromArgs(shape)); }
  nansum(dim?: number | number[] | null, keepdim = false): Tensor { return X.nansum(this, dim, keepdim); }
  nanmean(dim?: number | number[] | null, keepdim = false): Tensor { return X.nanmean(this, dim, keepdim); }
  logcumsumexp(dim: number): Tensor { return X.logcumsumexp(this, dim); }
  cummax(dim: number): { values: Tensor; indices: Tensor } { return X.cumextreme('cummax', this, dim); }
  cummin(dim: number): { values: Tensor; indices: Tensor } { return X.cumextreme('cummin', this, dim); }
  aminmax(opts: { dim?: number | null; keepdim?: boolean } = {}): { min: Tensor; max: Tensor } { return X.aminmax(this, opts.dim, opts.keepdim); }
  kthvalue(k: number, dim = -1, keepdim = false): { values: Tensor; indices: Tensor } { return X.kthvalue(this, k, dim, keepdim); }
  msort(): Tensor { return X.msort(this); }
  dist(other: Tensor, p = 2): Tensor { return X.dist(this, other, p); }
  unique(opts?: { sorted?: boolean; returnInverse?: boolean; returnCounts?: boolean }): Tensor | Tensor[] { return X.unique(this, opts); }
  bincount(weights?: Tensor | null, minlength = 0): Tensor { return X.bincount(this, weights, minlength); }
  histc(bins = 100, min = 0, max = 0): Tensor { return X.histc(this, bins, min, max); }
  cross(other: Tensor, dim?: number): Tensor { return X.cross(this, other, dim); }
  baddbmm(b1: Tensor, b2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor { return X.baddbmm(this, b1, b2, opts); }
  addmv(mat: Tensor, vec: Tensor, opts?: { beta?: number; alpha?: number }): Tensor { return X.addmv(this, mat, vec, opts); }
  addr(v1: Tensor, v2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor { return X.addr(this, v1, v2, opts); }
  typeAs(other: Tensor): Tensor { return this.to(other.dtype); }
  newZeros(shape: readonly number[], opts: { dtype?: DType } = {}): Tensor { return C.zeros(shape, { dtype: opts.dtype ?? this.dtype }); }
  newOnes(shape: readonly number[], opts: { dtype?: DType } = {}): Tensor { return C.ones(shape, { dtype: opts.dtype ?? this.dtype }); }
  newFull(shape: readonly number[], value: number, opts: { dtype?: DType } = {}): Tensor { return C.full(shape, value, { dtype: opts.dtype ?? this.dtype }); }
  newEmpty(shape: readonly number[], opts: { dtype?: DType } = {}): Tensor { return C.zeros(shape, { dtype: opts.dtype ?? this.dtype }); }
  newTensor(data: C.NestedData, opts: { dtype?: DType } = {}): Tensor { return C.tensor(data, { dtype: opts.dtype ?? this.dtype }); }

  // ---- linear algebra ----
  matmul(other: Tensor): Tensor { return L.matmul(this, other); }
  mm(other: Tensor): Tensor { return L.mm(this, other); }
  bmm(other: Tensor): Tensor { return L.bmm(this, other); }
  mv(vec: Tensor): Tensor { return L.mv(this, vec); }
  dot(other: Tensor): Tensor { return L.dot(this, other); }
  outer(other: Tensor): Tensor { return L.outer(this, other); }
  addmm(m1: Tensor, m2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor { return L.addmm(this, m1, m2, opts); }
}

/** Assert an argument is a Tensor (clear error for JS callers passing arrays). */
export function ensureTensor(x: unknown, op: string, arg: string): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: argument '${arg}' must be a Tensor, got ${Array.isArray(x) ? 'an array' : typeof x}`);
  return x;
}
