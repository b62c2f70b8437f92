// The core Tensor: strided storage, shape/strides/dtype, autograd fields and metadata. It imports no op module, so
// every op module can import it as a value without an import cycle. The PyTorch-named op methods (t.add, t.sum...)
// are attached to Tensor.prototype by methods.ts, the one registry, which also declares their types on this class.
import { allocate, arrayMatches, dtypeOfArray, isFloating, itemSize, type DType, type TypedArray } from './dtype.ts';
import { roundHalfStorage } from './half.ts';
import { contiguousStrides, isContiguousLayout, numelOf, normDim, copyStrided } from './layout.ts';
import { isGradEnabled, type GradNode, type GradHook } from './graph.ts';
import { formatTensor } from './print.ts';

/** A shape given as an array or as separate numbers: `view([2, 3])` or `view(2, 3)`. */
export type ShapeArg = number | readonly number[];
export function shapeFromArgs(args: readonly ShapeArg[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as number[])];
  return args as number[];
}

/** Version counter shared by a tensor and all its views (PyTorch's _version). */
interface VersionBox {
  v: number;
}

/**
 * Gives a stale view (its base was modified in place) a fresh AsStridedBackward0 node. It records a graph node, which
 * is op-module work (movement.ts), so the registry installs it (installViewHistory) instead of the core importing it.
 */
let regenerateViewHistory: (view: Tensor) => void = () => {
  throw new Error('Tensor: the op registry is not loaded; import the engine through lib/engine/index.ts');
};
/** @internal Called once by methods.ts. */
export function installViewHistory(fn: (view: Tensor) => void): void {
  regenerateViewHistory = fn;
}

/**
 * Subarrays of shared storage handed out to callers (dataSync, numpy), each keeping its parent storage array alive:
 * the wasm heap (kernels/wasm-heap.ts) returns a block when the storage array over it is garbage collected, and a
 * subarray alone would not keep that array reachable.
 */
const pinned = new WeakMap<TypedArray, TypedArray>();
/** @internal Returns `sub`, a subarray of `storage`, pinning `storage` for as long as `sub` lives (see above). */
export function pinSubarray<T extends TypedArray>(sub: T, storage: TypedArray): T {
  if (sub !== storage && typeof SharedArrayBuffer === 'function' && storage.buffer instanceof SharedArrayBuffer) pinned.set(sub, storage);
  return sub;
}

export class Tensor {
  storage: TypedArray;
  shape: number[];
  strides: number[];
  offset: number;
  dtype: DType;
  readonly device = 'cpu' as const;
  grad: Tensor | null = null;
  /** @internal */ _gradFn: GradNode | null = null;
  /** @internal value of the shared version counter when this tensor's history was last set */ _historyVersion = 0;
  /** Which output of gradFn this tensor is. */
  outputNr = 0;
  /** Optional user label (shown in graphs). */
  name?: string;
  /** @internal */ _requiresGrad = false;
  /** @internal */ _retainsGrad = false;
  /** @internal */ _accNode: GradNode | null = null;
  /** @internal a Python number wrapped for type promotion */ _wrapped = false;
  /** @internal */ _version: VersionBox;
  /** @internal the tensor this is a view of */ _base: Tensor | null = null;
  /** @internal gradient hooks of a leaf */ _hooks: GradHook[] | undefined;

  constructor(
    storage: TypedArray,
    shape: readonly number[],
    strides: readonly number[],
    offset: number,
    dtype: DType,
    version?: VersionBox,
  ) {
    this.storage = storage;
    this.shape = [...shape];
    this.strides = [...strides];
    this.offset = offset;
    this.dtype = dtype;
    this._version = version ?? { v: 0 };
    // A float16 result was computed in float (as PyTorch's CPU kernels do); storing it rounds to half. Views and
    // aliases (given a version counter) share storage that is already rounded.
    if (dtype === 'float16' && version === undefined) roundHalfStorage(storage);
  }

  /** Wrap a typed array (no copy) as a new contiguous leaf tensor. */
  static fromTypedArray(arr: TypedArray, shape: readonly number[], dtype?: DType): Tensor {
    const d = dtype ?? dtypeOfArray(arr);
    if (!arrayMatches(arr, d)) throw new TypeError(`fromTypedArray: a ${arr.constructor.name} cannot hold dtype ${d}`);
    if (numelOf(shape) > arr.length)
      throw new RangeError(`fromTypedArray: shape [${shape.join(', ')}] needs ${numelOf(shape)} elements, array has ${arr.length}`);
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
  get gradFn(): GradNode | null {
    const base = this._base;
    if (base !== null && this._historyVersion !== this._version.v && base.requiresGrad && isGradEnabled()) regenerateViewHistory(this);
    return this._gradFn;
  }
  set gradFn(node: GradNode | null) {
    this._gradFn = node;
    this._historyVersion = this._version.v;
  }
  get version(): number {
    return this._version.v;
  }
  /** @internal Every in-place write bumps the version, so this is also where a float16 write is rounded to half. */
  _bumpVersion(): void {
    this._version.v++;
    if (this.dtype === 'float16') roundHalfStorage(this.storage);
  }
  get requiresGrad(): boolean {
    return this._requiresGrad || this.gradFn !== null;
  }
  set requiresGrad(b: boolean) {
    this.requiresGrad_(b);
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  get retainsGrad(): boolean {
    return this._retainsGrad;
  }

  requiresGrad_(b = true): this {
    if (!this.isLeaf) {
      if (b) return this;
      throw new Error(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    if (b && !isFloating(this.dtype))
      throw new TypeError(`Only Tensors of floating point and complex dtype can require gradients (got ${this.dtype})`);
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
  /**
   * Run `hook(grad)` whenever this tensor's gradient is computed (before it is accumulated or passed on);
   * returning a tensor replaces the gradient. Returns a handle whose remove() unregisters it.
   */
  registerHook(hook: GradHook): { remove(): void } {
    if (!this.requiresGrad) throw new Error("cannot register a hook on a tensor that doesn't require gradient");
    let list: GradHook[];
    if (this.isLeaf) list = this._hooks ??= [];
    else {
      const node = this.gradFn!;
      node.hooks ??= new Map();
      if (!node.hooks.has(this.outputNr)) node.hooks.set(this.outputNr, []);
      list = node.hooks.get(this.outputNr)!;
    }
    list.push(hook);
    return {
      remove: () => {
        const i = list.indexOf(hook);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }
  /** A tensor sharing storage with no history (torch's .detach()). */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset, this.dtype, this._version);
  }
  detach_(): this {
    this.gradFn = null;
    this._requiresGrad = false;
    return this;
  }
  /** Detached alias, as PyTorch's .data. Setting it swaps the underlying storage. */
  get data(): Tensor {
    const t = this.detach();
    t._version = { v: this._version.v };
    return t;
  }
  set data(t: Tensor) {
    this.storage = t.storage;
    this.shape = [...t.shape];
    this.strides = [...t.strides];
    this.offset = t.offset;
    this.dtype = t.dtype;
    if (t.dtype === 'float16') roundHalfStorage(t.storage);
  }

  // ---- metadata ----
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? [...this.shape] : this.shape[normDim(dim, this.shape.length, 'size')]!;
  }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? [...this.strides] : this.strides[normDim(dim, this.shape.length, 'stride')]!;
  }
  dim(): number {
    return this.shape.length;
  }
  get ndim(): number {
    return this.shape.length;
  }
  numel(): number {
    return numelOf(this.shape);
  }
  elementSize(): number {
    return itemSize(this.dtype);
  }
  isContiguous(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }
  isFloatingPoint(): boolean {
    return isFloating(this.dtype);
  }
  storageOffset(): number {
    return this.offset;
  }

  // ---- data access ----
  /** Values in row-major order: the storage itself (or a subarray) when contiguous, else a copy. Read-only. */
  dataSync(): TypedArray {
    const n = this.numel();
    if (this.isContiguous())
      return this.offset === 0 && n === this.storage.length
        ? this.storage
        : pinSubarray(this.storage.subarray(this.offset, this.offset + n), this.storage);
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
  /** Nested JS arrays (a number for 0-dim). Typed `any` as torch types it: the nesting depth is the runtime ndim. */
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
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Assert an argument is a Tensor (clear error for JS callers passing arrays). */
export function ensureTensor(x: unknown, op: string, arg: string): Tensor {
  if (!(x instanceof Tensor))
    throw new TypeError(`${op}: argument '${arg}' must be a Tensor, got ${Array.isArray(x) ? 'an array' : typeof x}`);
  return x;
}

/**
 * Round the float16 tensors among an op's results to half precision. Kernels compute float16 ops in float (as
 * PyTorch's CPU kernels do) and some fill their output after creating it, so the op registry applies this to what
 * every public op returns: a tensor, a list of tensors, or a values/indices pair.
 */
export function settleHalf<T>(result: T): T {
  if (result instanceof Tensor) {
    if (result.dtype === 'float16') roundHalfStorage(result.storage);
  } else if (Array.isArray(result)) {
    for (const r of result) if (r instanceof Tensor && r.dtype === 'float16') roundHalfStorage(r.storage);
  } else if (typeof result === 'object' && result !== null && 'values' in result) {
    const v = (result as { values: unknown }).values;
    if (v instanceof Tensor && v.dtype === 'float16') roundHalfStorage(v.storage);
  }
  return result;
}

/** `fn` with its results passed through settleHalf (same `this`, arguments and type). */
export function withHalfRounding<F extends (...args: never[]) => unknown>(fn: F): F {
  const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    return settleHalf(fn.apply(this, args) as ReturnType<F>);
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped as unknown as F;
}
