// Tensor creation: tensor() from nested arrays / typed arrays, zeros/ones/full/empty/eye/arange/linspace/logspace, *Like.
import { allocate, castScalar, checkScalarFits, dtypeOfArray, isFloating, type DType, type TypedArray } from './dtype.ts';
import { contiguousStrides, numelOf, RowIter } from './layout.ts';
import { Tensor, shapeFromArgs, type ShapeArg } from './tensor.ts';
import { roundHalf } from './half.ts';
import { checkDevice, type DeviceLike } from './device.ts';
import { isResident, RESIDENT_MIN_FLOATS, zeroResident } from './kernels/index.ts';

/** dtype, requiresGrad and device ('cpu' only: other devices raise PyTorch's error) of a new tensor. */
export interface CreationOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  device?: DeviceLike;
}

/** Nested JS arrays of numbers/booleans (or a typed array). */
export type NestedData = number | boolean | TypedArray | readonly NestedData[];

function finish(t: Tensor, opts: CreationOptions): Tensor {
  checkDevice(opts.device);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Shape and flat values of nested arrays; errors on ragged input like PyTorch. */
function flatten(data: NestedData): { shape: number[]; values: (number | boolean)[] } {
  const shape: number[] = [];
  let probe: NestedData = data;
  while (Array.isArray(probe) || ArrayBuffer.isView(probe)) {
    const arr = probe as readonly NestedData[];
    shape.push(arr.length);
    if (arr.length === 0) break;
    probe = arr[0]!;
  }
  const values: (number | boolean)[] = [];
  const walk = (x: NestedData, d: number): void => {
    if (d === shape.length) {
      if (Array.isArray(x) || ArrayBuffer.isView(x))
        throw new TypeError(`tensor: ragged nested sequence (expected a number at depth ${d})`);
      values.push(x as number | boolean);
      return;
    }
    if (!(Array.isArray(x) || ArrayBuffer.isView(x)) || (x as ArrayLike<unknown>).length !== shape[d]) {
      throw new RangeError(
        `tensor: expected sequence of length ${shape[d]} at dim ${d} (got ${Array.isArray(x) || ArrayBuffer.isView(x) ? (x as ArrayLike<unknown>).length : typeof x})`,
      );
    }
    const arr = x as ArrayLike<NestedData>;
    for (let i = 0; i < arr.length; i++) walk(arr[i]!, d + 1);
  };
  walk(data, 0);
  return { shape, values };
}

/** PyTorch's inference: any float -> float32, else any int -> int64, else bool. Empty -> float32. */
function inferDtype(values: readonly (number | boolean)[]): DType {
  if (values.length === 0) return 'float32';
  let sawInt = false;
  for (const v of values) {
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return 'float32';
      sawInt = true;
    }
  }
  return sawInt ? 'int64' : 'bool';
}

/** torch.tensor: copies data; dtype inferred (integral JS numbers count as Python ints) unless given. */
export function tensor(data: NestedData | Tensor, opts: CreationOptions = {}): Tensor {
  if (data instanceof Tensor)
    return finish(
      data
        .detach()
        .to(opts.dtype ?? data.dtype)
        .clone(),
      opts,
    );
  if (ArrayBuffer.isView(data)) {
    const arr = data as TypedArray;
    const d = opts.dtype ?? dtypeOfArray(arr);
    const out = allocate(d, arr.length);
    for (let i = 0; i < arr.length; i++) out[i] = castScalar(arr[i]!, d);
    return finish(Tensor.fromTypedArray(out, [arr.length], d), opts);
  }
  const { shape, values } = flatten(data);
  // Only floats can require grad, so `tensor([1, 2], { requiresGrad: true })` means float32 (JS has no 1.0 literal).
  const d = opts.dtype ?? (opts.requiresGrad ? 'float32' : inferDtype(values));
  const out = allocate(d, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (typeof values[i] === 'number') checkScalarFits(v, d);
    out[i] = castScalar(v, d);
  }
  return finish(Tensor.fromTypedArray(out, shape, d), opts);
}

/** Parse `(2, 3)`, `([2, 3])`, `([2, 3], opts)` or `(2, 3, opts)` argument lists. */
export function shapeAndOpts<O extends object>(args: readonly (ShapeArg | O | undefined)[]): [number[], O] {
  const last = args[args.length - 1];
  const hasOpts = last !== undefined && typeof last === 'object' && !Array.isArray(last);
  const shapeArgs = (hasOpts ? args.slice(0, -1) : args).filter((a) => a !== undefined) as ShapeArg[];
  const shape = shapeFromArgs(shapeArgs);
  for (const s of shape)
    if (!Number.isInteger(s) || s < 0) throw new RangeError(`invalid shape [${shape.join(', ')}]: sizes must be non-negative integers`);
  return [shape, (hasOpts ? last : {}) as O];
}

export function zeros(...args: (ShapeArg | CreationOptions)[]): Tensor {
  const [shape, opts] = shapeAndOpts<CreationOptions>(args);
  const d = opts.dtype ?? 'float32';
  return finish(Tensor.fromTypedArray(allocate(d, numelOf(shape)), shape, d), opts);
}
export const empty = zeros;

export function ones(...args: (ShapeArg | CreationOptions)[]): Tensor {
  const [shape, opts] = shapeAndOpts<CreationOptions>(args);
  return full(shape, 1, { ...opts, dtype: opts.dtype ?? 'float32' });
}

/** The dtype torch.full infers from its fill value (bool, int64, or float32). */
export function fillDtype(value: number | boolean | Tensor): DType {
  if (value instanceof Tensor) return isFloating(value.dtype) ? 'float32' : value.dtype === 'bool' ? 'bool' : 'int64';
  if (typeof value === 'boolean') return 'bool';
  return Number.isInteger(value) ? 'int64' : 'float32';
}

/** torch.full: the dtype follows the value (7 -> int64, 1.5 -> float32, true -> bool) unless given. */
export function full(shape: readonly number[], value: number | boolean | Tensor, opts: CreationOptions = {}): Tensor {
  const d = opts.dtype ?? fillDtype(value);
  const n = numelOf(shape);
  const arr = allocate(d, n);
  if (typeof value === 'number') checkScalarFits(value, d, true);
  const v = castScalar(Number(value instanceof Tensor ? value.item() : value), d);
  if (v !== 0) arr.fill(v);
  return finish(Tensor.fromTypedArray(arr, [...shape], d), opts);
}

/** Fill every element of a (possibly strided) tensor in place, without history. */
export function fillRaw(t: Tensor, value: number): void {
  const v = castScalar(value, t.dtype);
  if (t.isContiguous()) {
    const n = t.numel();
    // Resident (wasm heap) storage is shared memory, where fill() runs element by element: zero it with a kernel.
    if (v === 0 && n >= RESIDENT_MIN_FLOATS && t.storage instanceof Float32Array && isResident(t.storage)) {
      zeroResident(t.storage.subarray(t.offset, t.offset + n));
      return;
    }
    t.storage.fill(v, t.offset, t.offset + n);
    return;
  }
  const it = new RowIter(t.shape, t.strides, t.offset);
  if (!it.any) return;
  do {
    let p = it.p0;
    for (let i = 0; i < it.len; i++) {
      t.storage[p] = v;
      p += it.s0;
    }
  } while (it.next());
}

interface LikeOptions extends CreationOptions {}
export function zerosLike(t: Tensor, opts: LikeOptions = {}): Tensor {
  return zeros(t.shape, { ...opts, dtype: opts.dtype ?? t.dtype });
}
export function onesLike(t: Tensor, opts: LikeOptions = {}): Tensor {
  return full(t.shape, 1, { ...opts, dtype: opts.dtype ?? t.dtype });
}
export function emptyLike(t: Tensor, opts: LikeOptions = {}): Tensor {
  return zerosLike(t, opts);
}
/** full_like keeps the tensor's dtype: full_like(int_tensor, 2.7) truncates to 2. */
export function fullLike(t: Tensor, value: number | boolean, opts: LikeOptions = {}): Tensor {
  return full(t.shape, value, { ...opts, dtype: opts.dtype ?? t.dtype });
}

/** torch.eye(n, m?). */
export function eye(n: number, m?: number | CreationOptions, opts: CreationOptions = {}): Tensor {
  if (typeof m === 'object') {
    opts = m;
    m = undefined;
  }
  const cols = m ?? n;
  const d = opts.dtype ?? 'float32';
  const arr = allocate(d, n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) arr[i * cols + i] = 1;
  return finish(Tensor.fromTypedArray(arr, [n, cols], d), opts);
}

/**
 * torch.arange(end) / (start, end, step?): int64 when all arguments are integers, float32 otherwise.
 * Length is ceil((end - start) / step); values are start + i * step computed in double.
 */
export function arange(a: number, b?: number | CreationOptions, c?: number | CreationOptions, opts: CreationOptions = {}): Tensor {
  const nums: number[] = [];
  for (const x of [a, b, c]) {
    if (typeof x === 'number') nums.push(x);
    else if (x && typeof x === 'object') opts = x;
  }
  const [start, end, step] =
    nums.length === 1 ? [0, nums[0]!, 1] : nums.length === 2 ? [nums[0]!, nums[1]!, 1] : (nums as [number, number, number]);
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if ((end - start) / step < 0)
    throw new RangeError(`arange: upper bound and larger bound inconsistent with step sign (start=${start}, end=${end}, step=${step})`);
  const d = opts.dtype ?? (nums.every(Number.isInteger) ? 'int64' : 'float32');
  const n = Math.ceil((end - start) / step);
  const arr = allocate(d, n);
  for (let i = 0; i < n; i++) arr[i] = castScalar(start + i * step, d);
  return finish(Tensor.fromTypedArray(arr, [n], d), opts);
}

/** torch.linspace with PyTorch's symmetric evaluation (from the start for the first half, from the end after). */
export function linspace(start: number, end: number, steps: number, opts: CreationOptions = {}): Tensor {
  const d = opts.dtype ?? 'float32';
  const arr = allocate(d, steps);
  // Each step is computed in the output's precision (half's kernel runs in half-rounded floats).
  const r = d === 'float32' ? Math.fround : d === 'float16' ? (x: number) => roundHalf(Math.fround(x)) : (x: number) => x;
  if (steps === 1) arr[0] = castScalar(start, d);
  else if (steps > 1) {
    const s0 = r(start),
      e0 = r(end);
    const step = r(r(e0 - s0) / (steps - 1));
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) arr[i] = castScalar(i < half ? r(s0 + r(step * i)) : r(e0 - r(step * (steps - i - 1))), d);
  }
  return finish(Tensor.fromTypedArray(arr, [steps], d), opts);
}

export function logspace(start: number, end: number, steps: number, base = 10, opts: CreationOptions = {}): Tensor {
  const lin = linspace(start, end, steps, { dtype: 'float64' });
  const d = opts.dtype ?? 'float32';
  const arr = allocate(d, steps);
  const src = lin.storage;
  for (let i = 0; i < steps; i++) arr[i] = castScalar(Math.pow(base, src[i]!), d);
  return finish(Tensor.fromTypedArray(arr, [steps], d), opts);
}

/** A contiguous fresh tensor of `shape` (internal helper). */
export function emptyRaw(shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(allocate(dtype, numelOf(shape)), shape, contiguousStrides(shape), 0, dtype);
}

/**
 * PyTorch's legacy constructors (torch.Tensor, torch.FloatTensor, torch.LongTensor ...): sizes give a new tensor of
 * that shape (zero-filled here; PyTorch leaves it uninitialised), a sequence gives its data cast to the type, and no
 * argument gives an empty 1-D tensor.
 */
export function legacyConstructor(dtype: DType): (...args: (number | NestedData)[]) => Tensor {
  return (...args) => {
    if (args.length === 0) return zeros([0], { dtype });
    if (args.every((a) => typeof a === 'number')) {
      const sizes = args as number[];
      if (sizes.some((n) => !Number.isInteger(n) || n < 0))
        throw new TypeError(`new(): sizes must be non-negative integers, got (${sizes.join(', ')})`);
      return zeros(sizes, { dtype });
    }
    if (args.length !== 1) throw new TypeError('new(): expected sizes or one sequence of data');
    const data = args[0]!;
    const cast = (x: NestedData): NestedData =>
      Array.isArray(x) ? x.map(cast) : typeof x === 'number' || typeof x === 'boolean' ? castScalar(Number(x), dtype) : x;
    return tensor(cast(data), { dtype });
  };
}
