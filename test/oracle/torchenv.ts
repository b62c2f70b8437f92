// A `torch`-like environment for pyeval: maps PyTorch names (snake_case, keyword arguments, Python floats)
// onto Board's engine API. Other runners extend it (nn, F, transforms) through `extend`.
import {
  Tensor,
  tensor,
  zeros,
  ones,
  full,
  empty,
  eye,
  arange,
  linspace,
  logspace,
  zerosLike,
  onesLike,
  fullLike,
  emptyLike,
  rand,
  randn,
  randint,
  randperm,
  randLike,
  randnLike,
  manualSeed,
  setGradEnabled,
  isGradEnabled,
  grad,
  backwardAll,
  cat,
  stack,
  where,
  ops,
  GradNode,
  slice,
  Generator,
  printOptions,
  Device,
  device,
  cuda,
  normal,
  tensorNamespace,
  type DType,
  type IndexItem,
  isFloating,
} from '../../lib/engine/index.ts';
import { scalarOperand } from '../../lib/engine/elementwise.ts';
import { formatTensor } from '../../lib/engine/print.ts';
import {
  PyEnv,
  PyFloat,
  PyFunction,
  PySlice,
  PyDict,
  PyRange,
  PyIterator,
  scalarBinop,
  tuple,
  pyStr as pyStrOf,
  type Host,
  type PyContext,
} from './pyeval.ts';
import { formatSpec } from './py/values.ts';

/** torch.float32 etc. */
export class PyDtype {
  private static readonly all = new Map<DType, PyDtype>();
  private constructor(readonly d: DType) {}
  /** One object per dtype, so `x.dtype == torch.float32` is an identity test as in Python. */
  static of(d: DType): PyDtype {
    let v = PyDtype.all.get(d);
    if (!v) {
      v = new PyDtype(d);
      PyDtype.all.set(d, v);
    }
    return v;
  }
  toString(): string {
    return `torch.${this.d}`;
  }
}
const DT: Record<string, DType> = {
  float32: 'float32',
  float: 'float32',
  float64: 'float64',
  double: 'float64',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  float16: 'float16',
  half: 'float16',
  int16: 'int16',
  short: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

/** Python value -> TS argument (floats to numbers, dtypes to strings, slices to Slice). */
export function toTs(v: unknown): any {
  if (v instanceof PyFloat) return v.v;
  if (v instanceof PyDtype) return v.d;
  if (v instanceof PySlice) return slice(toTs(v.start), toTs(v.stop), toTs(v.step));
  if (Array.isArray(v)) return v.map(toTs);
  if (v instanceof PyDict) return Object.fromEntries(v.entries().map(([k, x]) => [String(k), toTs(x)]));
  if (v instanceof PyRange || v instanceof PyIterator) return [...v].map(toTs);
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return NaN;
  return v;
}

/** Python value in an operand position: floats become wrapped float scalars so int tensors promote to float. */
export function toOperand(v: unknown): any {
  if (v instanceof PyFloat) return scalarOperand(v.v, 'float64');
  if (Array.isArray(v)) return tensor(toTs(v));
  return toTs(v);
}

const fn = (name: string, f: (args: unknown[], kw: Record<string, unknown>) => unknown) => new PyFunction(name, f);
const isFloatLit = (v: unknown) => v instanceof PyFloat;

/** Positional parameter names (after self) for methods/functions whose keywords we map by position. */
const PARAMS: Record<string, string[]> = {
  sum: ['dim', 'keepdim'],
  mean: ['dim', 'keepdim'],
  prod: ['dim', 'keepdim'],
  max: ['dim', 'keepdim'],
  min: ['dim', 'keepdim'],
  amax: ['dim', 'keepdim'],
  amin: ['dim', 'keepdim'],
  argmax: ['dim', 'keepdim'],
  argmin: ['dim', 'keepdim'],
  logsumexp: ['dim', 'keepdim'],
  softmax: ['dim'],
  log_softmax: ['dim'],
  cumsum: ['dim'],
  cumprod: ['dim'],
  median: ['dim', 'keepdim'],
  topk: ['k', 'dim', 'largest', 'sorted'],
  sort: ['dim', 'descending'],
  argsort: ['dim', 'descending'],
  all: ['dim', 'keepdim'],
  any: ['dim', 'keepdim'],
  norm: ['p', 'dim', 'keepdim'],
  transpose: ['dim0', 'dim1'],
  swapaxes: ['dim0', 'dim1'],
  squeeze: ['dim'],
  unsqueeze: ['dim'],
  flatten: ['start_dim', 'end_dim'],
  narrow: ['dim', 'start', 'length'],
  split: ['split_size_or_sections', 'dim'],
  chunk: ['chunks', 'dim'],
  roll: ['shifts', 'dims'],
  tril: ['diagonal'],
  triu: ['diagonal'],
  gather: ['dim', 'index'],
  index_select: ['dim', 'index'],
  scatter_add: ['dim', 'index', 'src'],
  scatter_add_: ['dim', 'index', 'src'],
  masked_fill: ['mask', 'value'],
  masked_fill_: ['mask', 'value'],
  clamp: ['min', 'max'],
  clip: ['min', 'max'],
  clamp_: ['min', 'max'],
  select: ['dim', 'index'],
  unbind: ['dim'],
  flip: ['dims'],
  index_add: ['dim', 'index', 'source'],
  index_add_: ['dim', 'index', 'source'],
  pow: ['exponent'],
  movedim: ['source', 'destination'],
  moveaxis: ['source', 'destination'],
  lerp: ['end', 'weight'],
  repeat_interleave: ['repeats', 'dim'],
  diagonal: ['offset', 'dim1', 'dim2'],
  diag: ['diagonal'],
  index_fill: ['dim', 'index', 'value'],
  index_fill_: ['dim', 'index', 'value'],
  index_copy: ['dim', 'index', 'source'],
  index_copy_: ['dim', 'index', 'source'],
  unfold: ['dimension', 'size', 'step'],
  nansum: ['dim', 'keepdim'],
  nanmean: ['dim', 'keepdim'],
  logcumsumexp: ['dim'],
  cummax: ['dim'],
  cummin: ['dim'],
  kthvalue: ['k', 'dim', 'keepdim'],
  dist: ['other', 'p'],
  bincount: ['weights', 'minlength'],
  histc: ['bins', 'min', 'max'],
  cross: ['other', 'dim'],
  isclose: ['other', 'rtol', 'atol', 'equal_nan'],
  nan_to_num: ['nan', 'posinf', 'neginf'],
  addcmul: ['tensor1', 'tensor2'],
  addcdiv: ['tensor1', 'tensor2'],
  addcmul_: ['tensor1', 'tensor2'],
  addcdiv_: ['tensor1', 'tensor2'],
  baddbmm: ['batch1', 'batch2'],
  addmv: ['mat', 'vec'],
  addr: ['vec1', 'vec2'],
  addmm: ['mat1', 'mat2'],
  masked_scatter: ['mask', 'source'],
  take: ['index'],
  hypot: ['other'],
  logaddexp: ['other'],
  masked_select: ['mask'],
  type_as: ['other'],
  count_nonzero: ['dim'],
  new_zeros: ['size'],
  new_ones: ['size'],
  new_full: ['size', 'fill_value'],
  new_empty: ['size'],
  new_tensor: ['data'],
  matmul: ['other'],
  mm: ['mat2'],
  bmm: ['mat2'],
  mv: ['vec'],
  dot: ['other'],
  outer: ['vec2'],
  maximum: ['other'],
  minimum: ['other'],
  eq: ['other'],
  ne: ['other'],
  lt: ['other'],
  le: ['other'],
  gt: ['other'],
  ge: ['other'],
  fmod: ['other'],
  remainder: ['other'],
  floor_divide: ['other'],
  atan2: ['other'],
  where: ['condition', 'other'],
  expand_as: ['other'],
  view_as: ['other'],
  reshape_as: ['other'],
};
/** Methods whose tensor-or-number argument positions are operands (Python floats promote). */
const OPERAND_ARGS = new Set([
  'add',
  'sub',
  'mul',
  'div',
  'rsub',
  'pow',
  'remainder',
  'fmod',
  'floor_divide',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'add_',
  'sub_',
  'mul_',
  'div_',
  'true_divide',
  'multiply',
  'subtract',
  'divide',
  'maximum',
  'minimum',
  'atan2',
]);

function camel(s: string): string {
  return s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Keywords that Board takes in a trailing options object (camelCased), after PARAMS' positional ones. */
const OPTIONS: Record<string, string[]> = {
  addcmul: ['value'],
  addcdiv: ['value'],
  addcmul_: ['value'],
  addcdiv_: ['value'],
  baddbmm: ['beta', 'alpha'],
  addmv: ['beta', 'alpha'],
  addr: ['beta', 'alpha'],
  addmm: ['beta', 'alpha'],
  softmax: ['dtype'],
  log_softmax: ['dtype'],
  aminmax: ['dim', 'keepdim'],
  unique: ['sorted', 'return_inverse', 'return_counts'],
  index_add: ['alpha'],
  index_add_: ['alpha'],
  new_zeros: ['dtype'],
  new_ones: ['dtype'],
  new_full: ['dtype'],
  new_empty: ['dtype'],
  new_tensor: ['dtype'],
};

function positional(name: string, args: unknown[], kw: Record<string, unknown>): unknown[] {
  const params = PARAMS[name] ?? [];
  const out = [...args];
  const rest = { ...kw };
  params.forEach((p, i) => {
    if (p in rest) {
      while (out.length < i) out.push(undefined);
      out[i] = rest[p];
      delete rest[p];
    }
  });
  const optNames = (OPTIONS[name] ?? []).filter((k) => k in rest);
  if (optNames.length) {
    while (out.length < params.length) out.push(undefined);
    out.push(
      Object.fromEntries(
        optNames.map((k) => {
          const v = rest[k];
          delete rest[k];
          return [camel(k), v instanceof PyDtype ? v.d : toTs(v)];
        }),
      ),
    );
  }
  if ('input' in rest) delete rest.input;
  const left = Object.keys(rest).filter((k) => rest[k] !== undefined);
  if (left.length) throw new TypeError(`torchenv: ${name}() got unsupported keyword(s) ${left.join(', ')}`);
  return out;
}

/** Call a Tensor method by its Python name. */
export function callMethod(t: Tensor, name: string, args: unknown[], kw: Record<string, unknown>): unknown {
  const special = METHODS[name];
  if (special) return special(t, args, kw);
  const pos = positional(name, args, kw);
  const conv = OPERAND_ARGS.has(name) ? pos.map(toOperand) : pos.map(toTs);
  const m = (t as any)[camel(name)];
  if (typeof m !== 'function') throw new TypeError(`torchenv: Tensor has no method '${name}' (Board name '${camel(name)}')`);
  return m.apply(t, conv);
}

const dtypeArg = (v: unknown): DType | undefined => (v instanceof PyDtype ? v.d : undefined);

type Method = (t: Tensor, args: unknown[], kw: Record<string, unknown>) => unknown;
const binaryWith =
  (js: 'add' | 'sub' | 'rsub'): Method =>
  (t, a, kw) =>
    (t as any)[js](toOperand(a[0] ?? kw.other), { alpha: toTs(a[1] ?? kw.alpha) });
const METHODS: Record<string, Method> = {
  add: binaryWith('add'),
  sub: binaryWith('sub'),
  rsub: binaryWith('rsub'),
  add_: (t, a, kw) => t.add_(toOperand(a[0] ?? kw.other), { alpha: toTs(a[1] ?? kw.alpha) }),
  sub_: (t, a, kw) => t.sub_(toOperand(a[0] ?? kw.other), { alpha: toTs(a[1] ?? kw.alpha) }),
  div: (t, a, kw) => t.div(toOperand(a[0] ?? kw.other), { roundingMode: toTs(a[1] ?? kw.rounding_mode) }),
  div_: (t, a, kw) => t.div_(toOperand(a[0] ?? kw.other), { roundingMode: toTs(a[1] ?? kw.rounding_mode) }),
  pow: (t, a, kw) => t.pow(toPowExponent(a[0] ?? kw.exponent)),
  to: (t, a, kw) => {
    // to(dtype), to(device), to(device, dtype), to(other), to(device=..., dtype=..., copy=...)
    const target = a[0] instanceof PyDtype ? a[0].d : a[0] instanceof Tensor || a[0] instanceof Device ? a[0] : toTs(a[0]);
    const second = a[1] instanceof PyDtype ? a[1].d : toTs(a[1]);
    if (target === undefined)
      return t.to({ device: toTs(kw.device) as string | undefined, dtype: dtypeArg(kw.dtype), copy: toTs(kw.copy) });
    return t.to(target, second ?? dtypeArg(kw.dtype) ?? toTs(kw.copy));
  },
  type: (t, a, kw) => {
    const d = a[0] ?? kw.dtype;
    return d === undefined ? t.type() : t.type(d instanceof PyDtype ? d.d : String(d));
  },
  std: (t, a, kw) => varStd(t, 'std', a, kw),
  var: (t, a, kw) => varStd(t, 'var', a, kw),
  norm: (t, a, kw) => t.norm(toTs(a[0] ?? kw.p ?? 'fro'), toTs(a[1] ?? kw.dim), toTs(a[2] ?? kw.keepdim ?? false)),
  scatter: (t, a, kw) =>
    t.scatter(toTs(a[0] ?? kw.dim), (a[1] as Tensor) ?? kw.index, toTs(a[2] ?? kw.src ?? kw.value), { reduce: toTs(kw.reduce) }),
  scatter_: (t, a, kw) =>
    t.scatter_(toTs(a[0] ?? kw.dim), (a[1] as Tensor) ?? kw.index, toTs(a[2] ?? kw.src ?? kw.value), { reduce: toTs(kw.reduce) }),
  backward: (t, a, kw) =>
    t.backward((a[0] ?? kw.gradient ?? null) as Tensor | null, { retainGraph: toTs(kw.retain_graph), createGraph: toTs(kw.create_graph) }),
  retain_grad: (t) => {
    t.retainGrad();
    return null;
  },
  register_hook: (t, a) => {
    const f = a[0] as PyFunction;
    return t.registerHook((g) => {
      const r = f.fn([g], {});
      return r instanceof Tensor ? r : undefined;
    });
  },
  requires_grad_: (t, a, kw) => t.requiresGrad_(toTs(a[0] ?? kw.requires_grad ?? true)),
  is_contiguous: (t) => t.isContiguous(),
  stride: (t, a) => (a.length ? t.stride(toTs(a[0])) : t.stride()),
  size: (t, a, kw) => (a.length || kw.dim !== undefined ? t.size(toTs(a[0] ?? kw.dim)) : torchSize(t.shape)),
  item: (t) => {
    const v = t.item();
    return typeof v === 'number' && isFloating(t.dtype) ? new PyFloat(v) : v;
  },
  view: (t, a, kw) =>
    a[0] instanceof PyDtype
      ? (() => {
          throw new TypeError('view(dtype) unsupported');
        })()
      : t.view(...toTs(a.length ? a : [kw.size])),
  reshape: (t, a, kw) => t.reshape(...toTs(a.length ? a : [kw.shape])),
  permute: (t, a, kw) => t.permute(...toTs(a.length ? a : [kw.dims])),
  expand: (t, a, kw) => t.expand(...toTs(a.length ? a : [kw.size])),
  repeat: (t, a, kw) => t.repeat(...toTs(a.length ? a : [kw.repeats])),
  zero_: (t) => t.zero_(),
  fill_: (t, a) => t.fill_(toTs(a[0])),
  uniform_: (t, a, kw) => t.uniform_(toTs(a[0] ?? kw.a ?? kw.from ?? 0), toTs(a[1] ?? kw.b ?? kw.to ?? 1)),
  normal_: (t, a, kw) => t.normal_(toTs(a[0] ?? kw.mean ?? 0), toTs(a[1] ?? kw.std ?? 1)),
  sum: (t, a, kw) => t.sum(toTs(a[0] ?? kw.dim), toTs(a[1] ?? kw.keepdim ?? false), { dtype: dtypeArg(kw.dtype) }),
  masked_fill: (t, a, kw) => t.maskedFill((a[0] ?? kw.mask) as Tensor, toTs(a[1] ?? kw.value)),
  clamp: (t, a, kw) => t.clamp(toTs(a[0] ?? kw.min), toTs(a[1] ?? kw.max)),
  tolist: (t) => t.tolist(),
  numel: (t) => t.numel(),
  dim: (t) => t.dim(),
  data_ptr: (t) => dataPtr(t),
  untyped_storage: (t) => ({ data_ptr: fn('data_ptr', () => dataPtr(t, true)), size: fn('size', () => t.storage.byteLength) }),
  storage: (t) => ({ data_ptr: fn('data_ptr', () => dataPtr(t, true)), size: fn('size', () => t.storage.length) }),
  tile: (t, a, kw) => t.tile(...toTs(a.length ? a : [kw.dims])),
  unique: (t, a, kw) =>
    t.unique({
      sorted: toTs(a[0] ?? kw.sorted),
      returnInverse: toTs(a[1] ?? kw.return_inverse),
      returnCounts: toTs(a[2] ?? kw.return_counts),
    }),
  aminmax: (t, _a, kw) => {
    const r = t.aminmax({ dim: toTs(kw.dim), keepdim: toTs(kw.keepdim) });
    return Object.assign([r.min, r.max], r);
  },
  sum_to_size: (t, a) => t.sumToSize(...toTs(a)),
  new_zeros: (t, a, kw) => t.newZeros(sizeArgs(a.length ? a : [kw.size]), { dtype: dtypeArg(kw.dtype) }),
  new_ones: (t, a, kw) => t.newOnes(sizeArgs(a.length ? a : [kw.size]), { dtype: dtypeArg(kw.dtype) }),
  new_full: (t, a, kw) => t.newFull(toTs(a[0] ?? kw.size), toTs(a[1] ?? kw.fill_value), { dtype: dtypeArg(kw.dtype) }),
  new_tensor: (t, a, kw) => t.newTensor(toTs(a[0] ?? kw.data), { dtype: dtypeArg(kw.dtype) ?? literalDtype(a[0] ?? kw.data) }),
  max: (t, a, kw) => minMax(t, 'max', a, kw),
  min: (t, a, kw) => minMax(t, 'min', a, kw),
  median: (t, a, kw) =>
    a.length || kw.dim !== undefined ? namedTuple(t.median(toTs(a[0] ?? kw.dim), toTs(a[1] ?? kw.keepdim ?? false))) : t.median(),
  sort: (t, a, kw) => namedTuple(t.sort(toTs(a[0] ?? kw.dim ?? -1), toTs(a[1] ?? kw.descending ?? false))),
  topk: (t, a, kw) =>
    namedTuple(t.topk(toTs(a[0] ?? kw.k), toTs(a[1] ?? kw.dim ?? -1), toTs(a[2] ?? kw.largest ?? true), toTs(a[3] ?? kw.sorted ?? true))),
  kthvalue: (t, a, kw) => namedTuple(t.kthvalue(toTs(a[0] ?? kw.k), toTs(a[1] ?? kw.dim ?? -1), toTs(a[2] ?? kw.keepdim ?? false))),
  cummax: (t, a, kw) => namedTuple(t.cummax(toTs(a[0] ?? kw.dim))),
  cummin: (t, a, kw) => namedTuple(t.cummin(toTs(a[0] ?? kw.dim))),
};

/** A stable fake address: storages get distinct 1 GiB-spaced bases, plus the element offset in bytes. */
const storageIds = new WeakMap<object, number>();
let nextStorageId = 1;
function dataPtr(t: Tensor, storageStart = false): number {
  let id = storageIds.get(t.storage.buffer);
  if (id === undefined) {
    id = nextStorageId++;
    storageIds.set(t.storage.buffer, id);
  }
  return id * 2 ** 30 + t.storage.byteOffset + (storageStart ? 0 : t.offset * t.storage.BYTES_PER_ELEMENT);
}

/** torch.return_types: indexable like a tuple, with .values / .indices. */
function namedTuple(r: { values: Tensor; indices: Tensor }): unknown {
  return Object.assign([r.values, r.indices], r);
}

function minMax(t: Tensor, kind: 'max' | 'min', a: unknown[], kw: Record<string, unknown>): unknown {
  const d = a[0] ?? kw.dim;
  if (d instanceof Tensor) return kind === 'max' ? t.maximum(d) : t.minimum(d);
  if (d === undefined) return kind === 'max' ? t.max() : t.min();
  return namedTuple(kind === 'max' ? t.max(toTs(d), toTs(a[1] ?? kw.keepdim ?? false)) : t.min(toTs(d), toTs(a[1] ?? kw.keepdim ?? false)));
}

function toPowExponent(e: unknown): any {
  if (e instanceof PyFloat) return Number.isInteger(e.v) ? scalarOperand(e.v, 'float64') : e.v;
  return toTs(e);
}

function varStd(t: Tensor, kind: 'var' | 'std', a: unknown[], kw: Record<string, unknown>): Tensor {
  let dim: unknown = a[0] ?? kw.dim,
    unbiased: unknown = kw.unbiased,
    keepdim: unknown = kw.keepdim;
  if (typeof a[0] === 'boolean') {
    unbiased = a[0];
    dim = undefined;
  } else {
    if (a[1] !== undefined) unbiased = a[1];
    if (a[2] !== undefined) keepdim = a[2];
  }
  const opts = { unbiased: toTs(unbiased), correction: toTs(kw.correction) };
  return kind === 'var' ? t.var(toTs(dim), opts, toTs(keepdim ?? false)) : t.std(toTs(dim), opts, toTs(keepdim ?? false));
}

/** dtype from Python creation literals: torch.tensor([1., 2]) is float32 even though JS sees 1 and 2. */
function literalDtype(v: unknown): DType | undefined {
  let sawFloat = false,
    sawInt = false,
    sawBool = false,
    sawTensorDtype: DType | undefined;
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x instanceof PyFloat) sawFloat = true;
    else if (typeof x === 'boolean') sawBool = true;
    else if (typeof x === 'number') sawInt = true;
    else if (x instanceof Tensor) sawTensorDtype = x.dtype;
  };
  walk(v);
  if (sawTensorDtype) return undefined;
  if (sawFloat) return 'float32';
  if (sawInt) return 'int64';
  if (sawBool) return 'bool';
  return undefined;
}

const creationOpts = (kw: Record<string, unknown>) => ({
  dtype: dtypeArg(kw.dtype),
  requiresGrad: toTs(kw.requires_grad),
  generator: kw.generator as Generator | undefined,
  device: toTs(kw.device) as string | Device | undefined,
});
const sizeArgs = (a: unknown[]) => (a.length === 1 && Array.isArray(a[0]) ? toTs(a[0]) : toTs(a)) as number[];

/** Torch functions that are not plain `input.method(...)` calls. */
function torchFunctions(): Record<string, PyFunction> {
  const F = (name: string, f: (a: unknown[], kw: Record<string, unknown>) => unknown) => fn(name, f);
  const gradCtx = (on: boolean): PyContext => {
    let prev = true;
    return {
      enter: () => {
        prev = isGradEnabled();
        setGradEnabled(on);
      },
      exit: () => setGradEnabled(prev),
    };
  };
  return {
    pow: F('pow', (a, kw) => {
      const base = a[0] ?? kw.input,
        e = a[1] ?? kw.exponent;
      return base instanceof Tensor ? callMethod(base, 'pow', [e], {}) : ops.pow(toOperand(base), e as Tensor);
    }),
    tensor: F('tensor', (a, kw) => {
      const data = a[0];
      if (data instanceof Tensor) return tensor(data, creationOpts(kw));
      const dtype = dtypeArg(kw.dtype) ?? literalDtype(data) ?? 'float32';
      return tensor(toTs(data), { dtype, requiresGrad: toTs(kw.requires_grad), device: toTs(kw.device) as string | Device | undefined });
    }),
    zeros: F('zeros', (a, kw) => zeros(sizeArgs(a), creationOpts(kw))),
    ones: F('ones', (a, kw) => ones(sizeArgs(a), creationOpts(kw))),
    empty: F('empty', (a, kw) => empty(sizeArgs(a), creationOpts(kw))),
    rand: F('rand', (a, kw) => rand(sizeArgs(a), creationOpts(kw))),
    randn: F('randn', (a, kw) => randn(sizeArgs(a), creationOpts(kw))),
    randint: F('randint', (a, kw) =>
      a.length === 2
        ? randint(toTs(a[0]), toTs(a[1]) as number[], creationOpts(kw))
        : randint(toTs(a[0]), toTs(a[1]), toTs(a[2] ?? kw.size), creationOpts(kw)),
    ),
    randperm: F('randperm', (a, kw) => randperm(toTs(a[0]), creationOpts(kw))),
    full: F('full', (a, kw) => {
      const v = a[1] ?? kw.fill_value;
      return full(toTs(a[0] ?? kw.size), toTs(v), {
        dtype: dtypeArg(kw.dtype) ?? (isFloatLit(v) ? 'float32' : undefined),
        requiresGrad: toTs(kw.requires_grad),
      });
    }),
    zeros_like: F('zeros_like', (a, kw) => zerosLike(a[0] as Tensor, creationOpts(kw))),
    ones_like: F('ones_like', (a, kw) => onesLike(a[0] as Tensor, creationOpts(kw))),
    empty_like: F('empty_like', (a, kw) => emptyLike(a[0] as Tensor, creationOpts(kw))),
    full_like: F('full_like', (a, kw) => fullLike(a[0] as Tensor, toTs(a[1] ?? kw.fill_value), creationOpts(kw))),
    rand_like: F('rand_like', (a, kw) => randLike(a[0] as Tensor, creationOpts(kw))),
    randn_like: F('randn_like', (a, kw) => randnLike(a[0] as Tensor, creationOpts(kw))),
    eye: F('eye', (a, kw) => eye(toTs(a[0]), toTs(a[1] ?? kw.m), creationOpts(kw))),
    arange: F('arange', (a, kw) => {
      const nums = [a[0] ?? kw.start, a[1] ?? kw.end, a[2] ?? kw.step].filter((x) => x !== undefined);
      const dtype = dtypeArg(kw.dtype) ?? (nums.some(isFloatLit) ? 'float32' : undefined);
      const n = toTs(nums) as number[];
      const o = { dtype, requiresGrad: toTs(kw.requires_grad) };
      return n.length === 1 ? arange(n[0]!, o) : n.length === 2 ? arange(n[0]!, n[1]!, o) : arange(n[0]!, n[1]!, n[2]!, o);
    }),
    linspace: F('linspace', (a, kw) => linspace(toTs(a[0] ?? kw.start), toTs(a[1] ?? kw.end), toTs(a[2] ?? kw.steps), creationOpts(kw))),
    logspace: F('logspace', (a, kw) =>
      logspace(toTs(a[0] ?? kw.start), toTs(a[1] ?? kw.end), toTs(a[2] ?? kw.steps), toTs(a[3] ?? kw.base ?? 10), creationOpts(kw)),
    ),
    cat: F('cat', (a, kw) => cat(a[0] as Tensor[], toTs(a[1] ?? kw.dim ?? 0))),
    concat: F('concat', (a, kw) => cat(a[0] as Tensor[], toTs(a[1] ?? kw.dim ?? 0))),
    stack: F('stack', (a, kw) => stack(a[0] as Tensor[], toTs(a[1] ?? kw.dim ?? 0))),
    where: F('where', (a, kw) =>
      a.length === 1
        ? (a[0] as Tensor).nonzero().unbind(1)
        : where(a[0] as Tensor, toOperand(a[1] ?? kw.input), toOperand(a[2] ?? kw.other)),
    ),
    t: F('t', (a) => (a[0] as Tensor).t()),
    einsum: F('einsum', (a) => ops.einsum(a[0] as string, ...((Array.isArray(a[1]) ? a[1] : a.slice(1)) as Tensor[]))),
    tensordot: F('tensordot', (a, kw) => ops.tensordot(a[0] as Tensor, a[1] as Tensor, toTs(a[2] ?? kw.dims ?? 2))),
    hstack: F('hstack', (a) => ops.hstack(a[0] as Tensor[])),
    vstack: F('vstack', (a) => ops.vstack(a[0] as Tensor[])),
    dstack: F('dstack', (a) => ops.dstack(a[0] as Tensor[])),
    column_stack: F('column_stack', (a) => ops.columnStack(a[0] as Tensor[])),
    atleast_1d: F('atleast_1d', (a) => ops.atleast1d(a[0] as Tensor)),
    atleast_2d: F('atleast_2d', (a) => ops.atleast2d(a[0] as Tensor)),
    atleast_3d: F('atleast_3d', (a) => ops.atleast3d(a[0] as Tensor)),
    meshgrid: F('meshgrid', (a, kw) => ops.meshgrid((Array.isArray(a[0]) ? a[0] : a) as Tensor[], toTs(kw.indexing ?? 'ij'))),
    broadcast_tensors: F('broadcast_tensors', (a) => ops.broadcastTensors(...(a as Tensor[]))),
    std_mean: F('std_mean', (a, kw) =>
      ops.stdMean(
        a[0] as Tensor,
        toTs(a[1] ?? kw.dim),
        { unbiased: toTs(kw.unbiased), correction: toTs(kw.correction) },
        toTs(kw.keepdim ?? false),
      ),
    ),
    var_mean: F('var_mean', (a, kw) =>
      ops.varMean(
        a[0] as Tensor,
        toTs(a[1] ?? kw.dim),
        { unbiased: toTs(kw.unbiased), correction: toTs(kw.correction) },
        toTs(kw.keepdim ?? false),
      ),
    ),
    cross: F('cross', (a, kw) => ops.cross(a[0] as Tensor, a[1] as Tensor, toTs(a[2] ?? kw.dim))),
    lerp: F('lerp', (a, kw) => ops.lerp(a[0] as Tensor, a[1] as Tensor, toOperand(a[2] ?? kw.weight))),
    outer: F('outer', (a) => ops.outer(a[0] as Tensor, a[1] as Tensor)),
    addmm: F('addmm', (a, kw) => ops.addmm(a[0] as Tensor, a[1] as Tensor, a[2] as Tensor, { beta: toTs(kw.beta), alpha: toTs(kw.alpha) })),
    rsub: F('rsub', (a, kw) => ops.rsub(toOperand(a[0]), toOperand(a[1] ?? kw.other), { alpha: toTs(kw.alpha) })),
    manual_seed: F('manual_seed', (a) => manualSeed(toTs(a[0]))),
    Generator: F('Generator', () => new Generator()),
    set_printoptions: F('set_printoptions', (_a, kw) => {
      if (kw.profile === 'default')
        Object.assign(printOptions, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
      for (const [k, v] of Object.entries(kw)) if (k !== 'profile') (printOptions as Record<string, unknown>)[camel(k)] = toTs(v);
    }),
    no_grad: F('no_grad', () => gradCtx(false)),
    enable_grad: F('enable_grad', () => gradCtx(true)),
    inference_mode: F('inference_mode', (a) => gradCtx(a.length ? !toTs(a[0]) : false)),
    set_grad_enabled: F('set_grad_enabled', (a) => {
      // Works both as a call (switches immediately) and as a context manager (restores on exit).
      const prev = isGradEnabled();
      setGradEnabled(Boolean(toTs(a[0])));
      return { enter: () => undefined, exit: () => setGradEnabled(prev) };
    }),
    is_grad_enabled: F('is_grad_enabled', () => isGradEnabled()),
    is_tensor: F('is_tensor', (a) => a[0] instanceof Tensor),
    numel: F('numel', (a) => (a[0] as Tensor).numel()),
  };
}

/** The `torch.nn.functional` subset the engine implements. */
export function functionalNamespace(): Record<string, PyFunction> {
  return {
    relu: fn('relu', (a) => (a[0] as Tensor).relu()),
    leaky_relu: fn('leaky_relu', (a, kw) => ops.leakyRelu(a[0] as Tensor, toTs(a[1] ?? kw.negative_slope ?? 0.01))),
    elu: fn('elu', (a, kw) => ops.elu(a[0] as Tensor, toTs(a[1] ?? kw.alpha ?? 1))),
    gelu: fn('gelu', (a, kw) => ops.gelu(a[0] as Tensor, toTs(kw.approximate ?? 'none'))),
    softplus: fn('softplus', (a, kw) => ops.softplus(a[0] as Tensor, toTs(a[1] ?? kw.beta ?? 1), toTs(a[2] ?? kw.threshold ?? 20))),
    silu: fn('silu', (a) => ops.silu(a[0] as Tensor)),
    hardtanh: fn('hardtanh', (a, kw) => ops.hardtanh(a[0] as Tensor, toTs(a[1] ?? kw.min_val ?? -1), toTs(a[2] ?? kw.max_val ?? 1))),
    sigmoid: fn('sigmoid', (a) => (a[0] as Tensor).sigmoid()),
    tanh: fn('tanh', (a) => (a[0] as Tensor).tanh()),
    softmax: fn('softmax', (a, kw) => (a[0] as Tensor).softmax(toTs(a[1] ?? kw.dim), { dtype: dtypeArg(kw.dtype) })),
    log_softmax: fn('log_softmax', (a, kw) => (a[0] as Tensor).logSoftmax(toTs(a[1] ?? kw.dim), { dtype: dtypeArg(kw.dtype) })),
    mish: fn('mish', (a) => ops.mish(a[0] as Tensor)),
    hardswish: fn('hardswish', (a) => ops.hardswish(a[0] as Tensor)),
    hardsigmoid: fn('hardsigmoid', (a) => ops.hardsigmoid(a[0] as Tensor)),
    celu: fn('celu', (a, kw) => ops.celu(a[0] as Tensor, toTs(a[1] ?? kw.alpha ?? 1))),
    softsign: fn('softsign', (a) => ops.softsign(a[0] as Tensor)),
    tanhshrink: fn('tanhshrink', (a) => ops.tanhshrink(a[0] as Tensor)),
  };
}

/** Parameter names of a JS function (from its source); '{}' marks a destructured options parameter. */
function paramNames(f: Function): string[] {
  const src = f.toString();
  const open = src.indexOf('(');
  let depth = 0,
    i = open,
    cur = '';
  const parts: string[] = [];
  for (; i < src.length; i++) {
    const ch = src[i]!;
    if ('([{'.includes(ch)) {
      depth++;
      if (depth === 1) continue;
    }
    if (')]}'.includes(ch)) {
      depth--;
      if (depth === 0) break;
    }
    if (ch === ',' && depth === 1) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts.map((p) => (p.trim().startsWith('{') ? '{}' : (/^\s*\.{0,3}([A-Za-z_$][\w$]*)/.exec(p)?.[1] ?? '?')));
}

/**
 * Call a Board function with Python arguments: keywords go to the parameter of the same (camelCased) name,
 * or into its trailing options object (a parameter named opts/options or destructured).
 */
export function callWithKeywords(f: Function, args: unknown[], kw: Record<string, unknown>): unknown {
  const names = paramNames(f);
  const out: unknown[] = args.map((a) => (a instanceof PyDtype ? a.d : toTs(a)));
  const optsAt = names.findIndex((n) => n === '{}' || n === 'opts' || n === 'options');
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kw)) {
    const c = camel(k),
      at = names.indexOf(c);
    const val = v instanceof PyDtype ? v.d : toTs(v);
    if (at >= 0 && at !== optsAt) {
      while (out.length < at) out.push(undefined);
      out[at] = val;
    } else if (optsAt >= 0) opts[c] = val;
    else throw new TypeError(`torchenv: ${f.name}() has no parameter for keyword '${k}'`);
  }
  if (Object.keys(opts).length) {
    while (out.length < optsAt) out.push(undefined);
    out[optsAt] = { ...((out[optsAt] as object) ?? {}), ...opts };
  }
  return f(...out);
}

/** F.xxx from Board's nn.functional for names the engine's own F subset lacks. */
export function withFallback(own: Record<string, PyFunction>, lib: Record<string, unknown>): Record<string, PyFunction> {
  return new Proxy(own, {
    has: (t, k) => k in t || (typeof k === 'string' && typeof lib[camel(k)] === 'function'),
    get: (t, k) => {
      if (typeof k !== 'string' || k in t) return (t as Record<string | symbol, unknown>)[k];
      const f = lib[camel(k)];
      return typeof f === 'function' ? fn(k, (a, kw) => callWithKeywords(f as Function, a, kw)) : undefined;
    },
  });
}

/** Build the namespace objects and host for pyeval. */
export function createTorchEnv(extend?: (env: PyEnv, torch: Record<string, unknown>) => void): PyEnv {
  const torchFunctionsCache = torchFunctions();
  const torch: Record<string, unknown> = { ...torchFunctionsCache };
  for (const [k, d] of Object.entries(DT)) torch[k] = PyDtype.of(d);
  torch.inf = new PyFloat(Infinity);
  torch.nan = new PyFloat(NaN);
  // torch.Tensor: the type (isinstance, type(x) == torch.Tensor) and the legacy constructor torch.Tensor(2, 3)
  torch.Tensor = Object.assign(
    fn('Tensor', (a) => (tensorNamespace.Tensor as unknown as (...x: unknown[]) => Tensor)(...a.map(toTs))),
    { __ctor__: Tensor },
  );
  for (const n of [
    'FloatTensor',
    'DoubleTensor',
    'HalfTensor',
    'LongTensor',
    'IntTensor',
    'ShortTensor',
    'CharTensor',
    'ByteTensor',
    'BoolTensor',
  ] as const) {
    torch[n] = fn(n, (a) => (tensorNamespace[n] as (...x: unknown[]) => Tensor)(...a.map(toTs)));
  }
  torch.promote_types = fn('promote_types', (a) => PyDtype.of(tensorNamespace.promoteTypes(toTs(a[0]) as DType, toTs(a[1]) as DType)));
  torch.result_type = fn('result_type', (a) => PyDtype.of(tensorNamespace.resultType(toOperand(a[0]), toOperand(a[1]))));
  torch.device = fn('device', (a, kw) => device(String(a[0] ?? kw.type), toTs(a[1] ?? kw.index)));
  torch.cuda = { is_available: fn('is_available', () => cuda.isAvailable()), device_count: fn('device_count', () => cuda.deviceCount()) };
  torch.normal = fn('normal', (a, kw) => {
    const mean = a[0] ?? kw.mean,
      std = a[1] ?? kw.std ?? 1,
      size = a[2] ?? kw.size;
    const opts = {
      generator: kw.generator as Generator | undefined,
      dtype: dtypeArg(kw.dtype),
      device: toTs(kw.device) as string | undefined,
    };
    const m = mean instanceof Tensor ? mean : Number(toTs(mean)),
      sd = std instanceof Tensor ? std : Number(toTs(std));
    if (size !== undefined) return normal(m as number, sd as number, toTs(size) as number[], opts);
    return m instanceof Tensor
      ? normal(m, sd, opts)
      : sd instanceof Tensor
        ? normal(m, sd, opts)
        : (normal as unknown as (x: number, y: number, o: object) => Tensor)(m, sd, opts);
  });
  torch.autograd = {
    grad: fn('grad', (a, kw) =>
      grad(asList(a[0] ?? kw.outputs), asList(a[1] ?? kw.inputs), {
        gradOutputs: kw.grad_outputs == null ? undefined : (asList(kw.grad_outputs) as Tensor[]),
        retainGraph: toTs(kw.retain_graph),
        createGraph: toTs(kw.create_graph),
        allowUnused: toTs(kw.allow_unused),
      }),
    ),
    set_grad_enabled: torchFunctionsCache.set_grad_enabled,
    functional: {
      jacobian: fn('jacobian', (a, kw) => jacobian(a[0] as PyFunction, a[1] as Tensor | Tensor[], Boolean(toTs(kw.create_graph)))),
      hessian: fn('hessian', (a) => {
        const f = a[0] as PyFunction,
          x = a[1] as Tensor;
        const g = new PyFunction('grad_of', (args) => grad(f.fn([args[0]], {}) as Tensor, args[0] as Tensor, { createGraph: true })[0]);
        return jacobian(g, x, false);
      }),
    },
    backward: fn('backward', (a, kw) =>
      backwardAll(asList(a[0] ?? kw.tensors), asList(a[1] ?? kw.grad_tensors ?? []) as Tensor[], {
        retainGraph: toTs(kw.retain_graph),
        createGraph: toTs(kw.create_graph),
      }),
    ),
  };
  torch.linalg = {
    vector_norm: fn('vector_norm', (a, kw) =>
      ops.vectorNorm(a[0] as Tensor, toTs(a[1] ?? kw.ord ?? 2), toTs(a[2] ?? kw.dim), toTs(a[3] ?? kw.keepdim ?? false)),
    ),
    norm: fn('norm', (a, kw) =>
      ops.vectorNorm(a[0] as Tensor, toTs(a[1] ?? kw.ord ?? 2), toTs(a[2] ?? kw.dim), toTs(a[3] ?? kw.keepdim ?? false)),
    ),
    matrix_norm: fn('matrix_norm', (a, kw) => {
      const ord = toTs(a[1] ?? kw.ord ?? 'fro');
      if (ord !== 'fro') throw new TypeError(`linalg.matrix_norm: ord=${ord} not supported`);
      return ops.vectorNorm(a[0] as Tensor, 2, toTs(a[2] ?? kw.dim ?? [-2, -1]), toTs(a[3] ?? kw.keepdim ?? false));
    }),
    cross: fn('cross', (a, kw) => ops.cross(a[0] as Tensor, a[1] as Tensor, toTs(a[2] ?? kw.dim ?? -1))),
  };
  const F = functionalNamespace();
  const env = new PyEnv(host(torch));
  env.vars.set('torch', torch);
  env.vars.set('F', F);
  torch.nn = { functional: F };
  // torch's modules for `import torch` / `import torch.nn.functional as F`
  env.modules.set('torch', torch);
  env.modules.set('torch.nn.functional', F);
  env.modules.set('torch.autograd', torch.autograd);

  extend?.(env, torch);
  return env;
}

function asList(v: unknown): Tensor[] {
  return (Array.isArray(v) ? v : [v]) as Tensor[];
}

/** torch.autograd.functional.jacobian for one tensor input: J[out..., in...], one grad() per output element. */
function jacobian(f: PyFunction, x: Tensor | Tensor[], createGraph: boolean): Tensor {
  if (Array.isArray(x)) throw new TypeError('jacobian: several inputs are not supported');
  const xi = x.detach().requiresGrad_(true);
  const y = f.fn([xi], {}) as Tensor;
  const flat = y.reshape([-1]);
  const rows: Tensor[] = [];
  for (let k = 0; k < flat.shape[0]!; k++) {
    const [g] = grad(flat.index(k), xi, { retainGraph: true, createGraph, allowUnused: true });
    rows.push(g ?? x.detach().mul(0));
  }
  return stack(rows, 0).reshape([...y.shape, ...x.shape]);
}

/** Python's str() for the values snippets print (host objects format through the host's str hook). */
export function pyStr(v: unknown): string {
  return pyStrOf(v);
}

/** torch.Size: a tuple that prints as torch.Size([2, 3]). */
export function torchSize(shape: readonly number[]): readonly number[] {
  const s = [...shape];
  Object.defineProperty(s, '__repr__', { value: () => `torch.Size([${s.join(', ')}])`, enumerable: false });
  return tuple(s);
}

/** How the host shows its own objects. */
function hostRepr(v: unknown): string | undefined {
  if (v instanceof Device) return v.repr();
  return hostStr(v);
}

function hostStr(v: unknown): string | undefined {
  if (v instanceof Tensor) return v.toString();
  if (v instanceof PyDtype) return v.toString();
  if (v instanceof GradNode) return `<${v.name} object>`;
  if (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { toString?: unknown }).toString === 'function' &&
    (v as object).toString !== Object.prototype.toString
  )
    return String(v);
  return undefined;
}

/** PyTorch's exception class for an engine error: index/dimension range errors are IndexError, the rest RuntimeError. */
function errorType(err: Error): string | undefined {
  if (err.name === 'AssertionError') return 'AssertionError';
  if (/out of range|out of bounds/i.test(err.message) && !/Mismatch/.test(err.message)) return 'IndexError';
  if (err instanceof TypeError && /^torchenv:|not a function|Cannot read prop/.test(err.message)) return 'TypeError';
  if (err instanceof TypeError) return 'TypeError';
  return 'RuntimeError';
}

/** A JS method called with Python arguments: keywords become a trailing camelCased options object; Python callables become JS functions. */
function jsMethod(obj: object, f: Function, name: string): PyFunction {
  const arg = (x: unknown) => (x instanceof PyFunction ? (...xs: unknown[]) => x.fn(xs, {}) : toTs(x));
  return fn(name, (a, kw) =>
    f.apply(obj, [
      ...a.map(arg),
      ...(Object.keys(kw).length ? [Object.fromEntries(Object.entries(kw).map(([k, x]) => [camel(k), arg(x)]))] : []),
    ]),
  );
}

function host(torch: Record<string, unknown>): Host {
  return {
    iter(obj) {
      if (obj instanceof Tensor) {
        if (obj.dim() === 0) throw new TypeError('iteration over a 0-d tensor');
        return obj.unbind(0);
      }
      return undefined;
    },
    len(obj) {
      if (obj instanceof Tensor) {
        if (obj.dim() === 0) throw new TypeError('len() of a 0-d tensor');
        return obj.shape[0]!;
      }
      const l = (obj as { length?: unknown }).length;
      return typeof l === 'number' ? l : undefined;
    },
    truthy(obj) {
      if (obj instanceof Tensor) {
        if (obj.numel() !== 1)
          throw new Error(`Boolean value of Tensor with ${obj.numel() === 0 ? 'no values' : 'more than one value'} is ambiguous`);
        return Boolean(obj.item());
      }
      return undefined;
    },
    str: hostStr,
    repr: hostRepr,
    format(obj, spec) {
      if (obj instanceof Tensor) {
        if (obj.dim() === 0) {
          const v = obj.item();
          return formatSpec(typeof v === 'number' && isFloating(obj.dtype) ? new PyFloat(v) : v, spec);
        }
        if (spec) throw new TypeError('unsupported format string passed to Tensor.__format__');
        return obj.toString();
      }
      return undefined;
    },
    toNumber(obj) {
      if (obj instanceof Tensor) {
        if (obj.numel() !== 1) throw new Error(`a Tensor with ${obj.numel()} elements cannot be converted to Scalar`);
        return Number(obj.item());
      }
      return undefined;
    },
    isinstance(obj, cls) {
      if (cls === Tensor) return obj instanceof Tensor;
      if (typeof cls === 'function') return obj instanceof (cls as new () => unknown);
      const ctor = (cls as { __ctor__?: unknown } | null)?.__ctor__;
      if (typeof ctor === 'function') return obj instanceof (ctor as new () => unknown);
      return undefined;
    },
    typeOf(obj) {
      if (obj instanceof GradNode) return { __name__: obj.name };
      if (obj instanceof Tensor) return torch.Tensor;
      return undefined;
    },
    errorType,
    call(obj, args, kw) {
      const m = obj as { call?: unknown; forward?: unknown };
      if (typeof m.call === 'function' && typeof m.forward === 'function') {
        // keywords go to forward's parameter of the same (camelCased) name
        const out = args.map((a) => (a instanceof PyFloat ? a.v : toTs(a)));
        const names = paramNames(m.forward as Function);
        for (const [k, v] of Object.entries(kw)) {
          const at = names.indexOf(camel(k));
          if (at < 0) throw new TypeError(`torchenv: forward() of ${(obj as object).constructor.name} has no parameter '${k}'`);
          while (out.length < at) out.push(undefined);
          out[at] = toTs(v);
        }
        return { value: (m.call as Function).apply(obj, out) };
      }
      return undefined;
    },
    getattr(obj, name) {
      if (obj instanceof Tensor) return tensorAttr(obj, name);
      if (obj instanceof GradNode) {
        if (name === 'next_functions') return obj.nextFunctions.map(([n, i]) => [n, i]);
        if (name === 'name') return fn('name', () => obj.name);
        if (name === 'metadata') return obj.metadata;
        if (name === 'variable') return obj.variable;
      }
      if (obj instanceof PyDtype) {
        if (name === 'is_floating_point') return isFloating(obj.d);
      }
      if (typeof obj === 'object' && obj !== null && name in obj) {
        const v = (obj as Record<string, unknown>)[name];
        // a library object's method (module.to, loader.forward ...) takes Python arguments; namespace objects hold PyFunctions
        return typeof v === 'function' && Object.getPrototypeOf(obj) !== Object.prototype ? jsMethod(obj, v as Function, name) : v;
      }
      // a plain record the library returned (state_dict()) reads like a Python dict
      if (
        typeof obj === 'object' &&
        obj !== null &&
        Object.getPrototypeOf(obj) === Object.prototype &&
        ['items', 'keys', 'values', 'get'].includes(name)
      ) {
        const d = PyDict.fromObject(obj);
        return fn(name, (a) =>
          name === 'items'
            ? d.entries().map(([k, v]) => tuple([k, v]))
            : name === 'keys'
              ? d.keys()
              : name === 'values'
                ? d.values()
                : d.has(a[0])
                  ? d.get(a[0])
                  : (a[1] ?? null),
        );
      }
      // torch.xxx(input, ...) is input.xxx(...) for every op that is also a method.
      if (obj === torch)
        return fn(name, (a, kw) =>
          callMethod((a[0] ?? kw.input) as Tensor, name, a.slice(1), Object.fromEntries(Object.entries(kw).filter(([k]) => k !== 'input'))),
        );
      if (typeof obj === 'object' && obj !== null && camel(name) in obj) {
        const v = (obj as Record<string, unknown>)[camel(name)];
        return typeof v === 'function' ? jsMethod(obj, v as Function, name) : v;
      }
      throw new TypeError(`torchenv: no attribute '${name}' on ${obj === torch ? 'torch' : pyStr(obj).slice(0, 60)}`);
    },
    setattr(obj, name, value) {
      if (obj instanceof Tensor) {
        if (name === 'requires_grad') {
          obj.requiresGrad = Boolean(value);
          return;
        }
        if (name === 'grad') {
          obj.grad = value as Tensor | null;
          return;
        }
        if (name === 'data') {
          obj.data = value as Tensor;
          return;
        }
      }
      (obj as Record<string, unknown>)[camel(name)] = value;
    },
    getitem(obj, index) {
      if (obj instanceof Tensor) return obj.index(...index.map(indexItem));
      if (typeof obj === 'string' || Array.isArray(obj)) {
        const i = index[0];
        if (i instanceof PySlice) {
          const n = obj.length;
          const norm = (x: unknown, d: number) => {
            if (x == null) return d;
            let v = Number(toTs(x));
            if (v < 0) v += n;
            return Math.min(Math.max(v, 0), n);
          };
          return obj.slice(norm(i.start, 0), norm(i.stop, n));
        }
        const k = Number(toTs(i));
        return (obj as ArrayLike<unknown>)[k < 0 ? obj.length + k : k];
      }
      if (typeof obj === 'object' && obj !== null && 'values' in obj && 'indices' in obj) {
        const k = Number(toTs(index[0]));
        return k === 0 ? (obj as { values: unknown }).values : (obj as { indices: unknown }).indices;
      }
      if (typeof obj === 'object' && obj !== null) return (obj as Record<string, unknown>)[String(toTs(index[0]))];
      throw new TypeError('torchenv: object is not subscriptable');
    },
    setitem(obj, index, value) {
      if (obj instanceof Tensor) {
        obj.indexPut_(index.map(indexItem), toOperand(value));
        return;
      }
      if (Array.isArray(obj)) {
        obj[Number(toTs(index[0]))] = value;
        return;
      }
      (obj as Record<string, unknown>)[String(toTs(index[0]))] = value;
    },
    inplace(op, target, value) {
      if (!(target instanceof Tensor)) return undefined;
      const v = toOperand(value);
      switch (op) {
        case '+':
          return target.add_(v);
        case '-':
          return target.sub_(v);
        case '*':
          return target.mul_(v);
        case '/':
          return target.div_(v);
      }
      return undefined;
    },
    binop(op, a, b) {
      if ((a instanceof Device || b instanceof Device) && (op === '==' || op === '!=')) {
        const same = String(a) === String(b);
        return op === '==' ? same : !same;
      }
      if (a instanceof Tensor || b instanceof Tensor) return tensorBinop(op, a, b);
      return scalarBinop(op, a, b);
    },
    unop(op, a) {
      if (a instanceof Tensor) {
        if (op === '-') return a.neg();
        if (op === '+') return a;
        if (op === '~') return a.logicalNot();
      }
      if (a instanceof Tensor && op === 'abs') return a.abs();
      if (a instanceof Tensor && op === 'round') return a.round();
      if (op === '-') return a instanceof PyFloat ? new PyFloat(-a.v) : -(a as number);
      if (op === '+') return a;
      if (op === '~') return ~(a as number);
      throw new TypeError(`torchenv: unary ${op}`);
    },
  };
}

function indexItem(i: unknown): IndexItem {
  if (i instanceof PySlice) return slice(toTs(i.start), toTs(i.stop), toTs(i.step));
  if (i === null) return null;
  if (i === '...' || (typeof i === 'object' && i !== null && 'ellipsis' in i)) return '...';
  if (typeof i === 'boolean') return tensor(i);
  return toTs(i) as IndexItem;
}

function tensorBinop(op: string, a: unknown, b: unknown): unknown {
  const swap = !(a instanceof Tensor);
  const t = (swap ? b : a) as Tensor,
    o = swap ? a : b;
  const operand = toOperand(o);
  switch (op) {
    case '+':
      return t.add(operand);
    case '-':
      return swap ? t.rsub(operand) : t.sub(operand);
    case '*':
      return t.mul(operand);
    case '/':
      // Python's __rtruediv__ is reciprocal() * other (grad_fn MulBackward0).
      return swap ? t.reciprocal().mul(operand) : t.div(operand);
    case '//':
      return swap ? ops.floorDivide(operand, t) : t.floorDivide(operand);
    case '%':
      return swap ? ops.remainder(operand, t) : t.remainder(operand);
    case '**':
      return swap ? t.rpow(toOperand(o)) : t.pow(toPowExponent(o));
    case '@':
      return (a as Tensor).matmul(b as Tensor);
    case '==':
      return t.eq(operand);
    case '!=':
      return t.ne(operand);
    case '<':
      return swap ? t.gt(operand) : t.lt(operand);
    case '>':
      return swap ? t.lt(operand) : t.gt(operand);
    case '<=':
      return swap ? t.ge(operand) : t.le(operand);
    case '>=':
      return swap ? t.le(operand) : t.ge(operand);
    case '&':
      return t.logicalAnd(operand);
    case '|':
      return t.logicalOr(operand);
  }
  throw new TypeError(`torchenv: tensor operator ${op}`);
}

function tensorAttr(t: Tensor, name: string): unknown {
  switch (name) {
    case 'T':
      return t.T;
    case 'mT':
      return t.mT;
    case 'shape':
      return torchSize(t.shape);
    case 'grad':
      return t.grad;
    case 'grad_fn':
      return t.gradFn;
    case 'is_leaf':
      return t.isLeaf;
    case 'requires_grad':
      return t.requiresGrad;
    case 'dtype':
      return PyDtype.of(t.dtype);
    case 'data':
      return t.data;
    case 'device':
      return device('cpu');
    case 'ndim':
      return t.dim();
    case 'retains_grad':
      return t.retainsGrad;
    case '_version':
      return t.version;
    case '_base':
      return t._base;
    case 'is_cuda':
      return false;
  }
  return fn(name, (a, kw) => callMethod(t, name, a, kw));
}

export { PyFloat, formatTensor };
