// The engine's entry module and public surface: Tensor, creation functions, functional ops, autograd, random.
// Import the engine through this file: it loads the method registry (methods.ts) before anything can use a tensor.
//
// Layout (one kind of op per file). Runtime imports only point down this list, so there is no import cycle
// (test/architecture/import-cycles.test.ts checks it); how to add an op: README.md here, or methods.ts's header.
//   dtype.ts        dtypes, storage arrays, torch.result_type promotion
//   layout.ts       shapes, strides, broadcasting, the row iterator and strided copy every kernel uses
//   loops.ts        compiled elementwise loops (one JS expression per op)
//   graph.ts        grad mode, scopes, profiling, GradNode and record(): what ops need to build the autograd graph
//   print.ts        PyTorch's str of a tensor
//   tensor.ts       the core Tensor class: strided storage, autograd fields, metadata (no op imports)
//   creation.ts, random.ts, stdsort.ts (libstdc++/ATen selection order for ties)
//   elementwise.ts  unary/binary/where/clamp/activations, in-place commit (version counters, CopySlices)
//   movement.ts     views (view/reshape/transpose/permute/expand/squeeze/slice/select/diagonal/unfold) and copies
//   reduce.ts       reductions, softmax/cumsum, sort/topk/median
//   indexing.ts     getitem/setitem, index_put, gather/scatter, masked_fill
//   linalg.ts       matmul family over kernels/ sgemm/dgemm (transposes as flags)
//   gradients.ts    THE gradient table: one rule per primitive (closed union), written with differentiable ops
//   autograd.ts     the backward engine, grad(), customOp, namedComposite
//   composite.ts    ops built from primitives (run as one PyTorch-named node via namedComposite)
//   methods.ts      THE method registry: attaches t.add(), t.sum()... to Tensor.prototype and types them
//   index.ts        this file
import './methods.ts';
import * as creation from './creation.ts';
import * as E from './elementwise.ts';
import * as M from './movement.ts';
import * as R from './reduce.ts';
import * as L from './linalg.ts';
import * as I from './indexing.ts';
import * as A from './autograd.ts';
import * as G from './graph.ts';
import * as RND from './random.ts';
import * as X from './composite.ts';
import { Tensor, ensureTensor, withHalfRounding } from './tensor.ts';
import type { TensorMethods } from './methods.ts';
import { printOptions } from './print.ts';
import { arrayMatches, dtypeOfArray, promoteTypes, resultType as dtypeResultType, type DType, type TypedArray } from './dtype.ts';
import * as DEV from './device.ts';
import { contiguousStrides, numelOf } from './layout.ts';

export { Tensor, ensureTensor, type ShapeArg } from './tensor.ts';
export type { DType, TypedArray } from './dtype.ts';
export { DTYPES, isDType, isFloating, promoteTypes, resultType, allocate } from './dtype.ts';
export {
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
  type CreationOptions,
  type NestedData,
} from './creation.ts';
export {
  rand,
  randn,
  randint,
  randperm,
  randLike,
  randnLike,
  randintLike,
  bernoulli,
  multinomial,
  manualSeed,
  initialSeed,
  Generator,
  defaultGenerator,
} from './random.ts';
export {
  GradNode,
  noGrad,
  enableGrad,
  isGradEnabled,
  setGradEnabled,
  pushScope,
  popScope,
  currentScope,
  setProfiling,
  isProfiling,
  type NodeMetadata,
  type BackwardOptions,
} from './graph.ts';
export { backwardAll, grad, customOp, type GradOptions } from './autograd.ts';
export type { TensorMethods } from './methods.ts';
export { slice, type IndexItem, type Slice } from './indexing.ts';
export type { Operand } from './elementwise.ts';
export { printOptions } from './print.ts';
export { Device, device, cuda, checkDevice, CudaUnavailableError, type DeviceLike } from './device.ts';
export { normal } from './random.ts';
export type { NumpyArray, ToTarget } from './methods.ts';
export { LEGACY_TYPE_NAMES } from './methods.ts';

/** torch.where(condition, input, other). */
export const where = E.where;
export const cat = M.cat;
export const concat = M.cat;
export const stack = M.stack;

type MethodName = {
  [K in keyof TensorMethods]: TensorMethods[K] extends (this: Tensor, ...args: never[]) => unknown ? K : never;
}[keyof TensorMethods];
type ArgsOf<F> = F extends (this: Tensor, ...args: infer P) => unknown ? P : never;
type ResultOf<F> = F extends (this: Tensor, ...args: never[]) => infer Ret ? Ret : never;

/**
 * The functional form of a Tensor method, `torch.name(t, ...)`: the tensor first, then the method's own arguments,
 * typed from the method (overloaded methods get their overloads spelled out where they are used below).
 */
function functional<K extends MethodName>(name: K): (self: Tensor, ...args: ArgsOf<TensorMethods[K]>) => ResultOf<TensorMethods[K]> {
  return (self, ...args) => {
    ensureTensor(self, name, 'input');
    return Reflect.apply(self[name], self, args) as ResultOf<TensorMethods[K]>;
  };
}
/** max/min/median: the overloads of the method, as functions. */
type ExtremeFn = {
  (x: Tensor): Tensor;
  (x: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  (x: Tensor, other: Tensor): Tensor;
};
type MedianFn = { (x: Tensor): Tensor; (x: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor } };

/**
 * Functional forms, as `torch.xxx(t, ...)`: each takes the tensor first and forwards to the method of the same name.
 */
export const ops = {
  add: E.add,
  sub: E.sub,
  rsub: E.rsub,
  mul: E.mul,
  div: E.div,
  floorDivide: E.floorDivide,
  remainder: E.remainder,
  fmod: E.fmod,
  pow: E.pow,
  atan2: E.atan2,
  maximum: E.maximum,
  minimum: E.minimum,
  clamp: E.clamp,
  clip: E.clamp,
  where: E.where,
  eq: (a: Tensor, b: E.Operand) => E.compare('eq', a, b),
  ne: (a: Tensor, b: E.Operand) => E.compare('ne', a, b),
  lt: (a: Tensor, b: E.Operand) => E.compare('lt', a, b),
  le: (a: Tensor, b: E.Operand) => E.compare('le', a, b),
  gt: (a: Tensor, b: E.Operand) => E.compare('gt', a, b),
  ge: (a: Tensor, b: E.Operand) => E.compare('ge', a, b),
  logicalAnd: functional('logicalAnd'),
  logicalOr: functional('logicalOr'),
  logicalXor: functional('logicalXor'),
  logicalNot: functional('logicalNot'),
  neg: functional('neg'),
  abs: functional('abs'),
  sign: functional('sign'),
  floor: functional('floor'),
  ceil: functional('ceil'),
  round: functional('round'),
  trunc: functional('trunc'),
  exp: functional('exp'),
  expm1: functional('expm1'),
  log: functional('log'),
  log2: functional('log2'),
  log10: functional('log10'),
  log1p: functional('log1p'),
  sqrt: functional('sqrt'),
  rsqrt: functional('rsqrt'),
  square: functional('square'),
  sin: functional('sin'),
  cos: functional('cos'),
  tan: functional('tan'),
  tanh: functional('tanh'),
  asin: functional('asin'),
  acos: functional('acos'),
  atan: functional('atan'),
  sinh: functional('sinh'),
  cosh: functional('cosh'),
  erf: functional('erf'),
  sigmoid: functional('sigmoid'),
  relu: functional('relu'),
  reciprocal: functional('reciprocal'),
  isnan: functional('isnan'),
  isinf: functional('isinf'),
  isfinite: functional('isfinite'),
  leakyRelu: E.leakyRelu,
  elu: E.elu,
  gelu: E.gelu,
  softplus: E.softplus,
  silu: E.silu,
  hardtanh: E.hardtanh,
  sum: functional('sum'),
  mean: functional('mean'),
  prod: functional('prod'),
  max: functional('max') as ExtremeFn,
  min: functional('min') as ExtremeFn,
  amax: functional('amax'),
  amin: functional('amin'),
  argmax: functional('argmax'),
  argmin: functional('argmin'),
  var: functional('var'),
  std: functional('std'),
  norm: functional('norm'),
  logsumexp: functional('logsumexp'),
  softmax: functional('softmax'),
  logSoftmax: functional('logSoftmax'),
  cumsum: functional('cumsum'),
  cumprod: functional('cumprod'),
  median: functional('median') as MedianFn,
  topk: functional('topk'),
  sort: functional('sort'),
  argsort: functional('argsort'),
  all: functional('all'),
  any: functional('any'),
  vectorNorm: (x: Tensor, ord: number = 2, dim?: number | number[] | null, keepdim = false) =>
    R.norm(x, ord, dim, keepdim, 'LinalgVectorNormBackward0'),
  matmul: L.matmul,
  mm: L.mm,
  bmm: L.bmm,
  mv: L.mv,
  dot: L.dot,
  outer: L.outer,
  addmm: L.addmm,
  t: M.t,
  transpose: M.transpose,
  permute: M.permute,
  reshape: M.reshape,
  view: M.view,
  flatten: M.flatten,
  squeeze: M.squeeze,
  unsqueeze: M.unsqueeze,
  narrow: M.narrow,
  select: M.select,
  split: M.split,
  chunk: M.chunk,
  unbind: M.unbind,
  cat: M.cat,
  stack: M.stack,
  repeat: M.repeat,
  roll: M.roll,
  flip: M.flip,
  tril: M.tril,
  triu: M.triu,
  clone: M.clone,
  gather: I.gather,
  scatter: I.scatter,
  scatterAdd: I.scatterAdd,
  indexSelect: I.indexSelect,
  maskedFill: I.maskedFill,
  nonzero: I.nonzero,
  expand: M.expand,
  diagonal: M.diagonal,
  lerp: X.lerp,
  addcmul: X.addcmul,
  addcdiv: X.addcdiv,
  exp2: X.exp2,
  hypot: X.hypot,
  logaddexp: X.logaddexp,
  isclose: X.isclose,
  nanToNum: X.nanToNum,
  movedim: X.movedim,
  moveaxis: X.movedim,
  tile: X.tile,
  repeatInterleave: X.repeatInterleave,
  take: X.take,
  diag: X.diag,
  trace: X.trace,
  atleast1d: X.atleast1d,
  atleast2d: X.atleast2d,
  atleast3d: X.atleast3d,
  hstack: X.hstack,
  vstack: X.vstack,
  dstack: X.dstack,
  columnStack: X.columnStack,
  broadcastTensors: X.broadcastTensors,
  meshgrid: X.meshgrid,
  indexFill: X.indexFill,
  indexCopy: X.indexCopy,
  maskedScatter: X.maskedScatter,
  unfold: M.unfold,
  nansum: X.nansum,
  nanmean: X.nanmean,
  logcumsumexp: X.logcumsumexp,
  stdMean: X.stdMean,
  varMean: X.varMean,
  aminmax: X.aminmax,
  dist: X.dist,
  kthvalue: X.kthvalue,
  cummax: (x: Tensor, dim: number) => X.cumextreme('cummax', x, dim),
  cummin: (x: Tensor, dim: number) => X.cumextreme('cummin', x, dim),
  unique: X.unique,
  bincount: X.bincount,
  histc: X.histc,
  msort: X.msort,
  baddbmm: X.baddbmm,
  addmv: X.addmv,
  addr: X.addr,
  cross: X.cross,
  tensordot: X.tensordot,
  einsum: X.einsum,
  indexAdd: X.indexAdd,
  maskedSelect: X.maskedSelect,
  mish: X.mish,
  hardsigmoid: X.hardsigmoid,
  hardswish: X.hardswish,
  celu: X.celu,
  softsign: X.softsign,
  tanhshrink: X.tanhshrink,
};
// Every functional op rounds its float16 results to half on the way out, as the Tensor methods do (settleHalf).
roundHalfResults(ops as unknown as Record<string, unknown>);

/** Replace each plain function of `record` (not classes: their names start with a capital) by its half-rounding form. */
function roundHalfResults(record: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(record))
    if (typeof v === 'function' && !/^[A-Z]/.test(k)) record[k] = withHalfRounding(v as (...a: never[]) => unknown);
}

/**
 * torch.from_numpy: a tensor over the array's own memory (writes through either are seen by both), from a
 * NumpyArray (t.numpy()'s form: data, shape, element strides) or a typed array with a shape.
 */
export function fromNumpy(
  arr: { data: TypedArray; shape: readonly number[]; strides?: readonly number[]; dtype?: DType } | TypedArray,
  shape?: readonly number[],
): Tensor {
  const a = ArrayBuffer.isView(arr) ? { data: arr as TypedArray, shape: shape ?? [(arr as TypedArray).length] } : arr;
  const d = ('dtype' in a && a.dtype) || dtypeOfArray(a.data);
  if (!arrayMatches(a.data, d)) throw new TypeError(`fromNumpy: a ${a.data.constructor.name} cannot hold dtype ${d}`);
  const strides = ('strides' in a && a.strides) || contiguousStrides(a.shape);
  let last = 0;
  a.shape.forEach((n, i) => {
    if (n > 0) last += (n - 1) * strides[i]!;
  });
  if (numelOf(a.shape) > 0 && last >= a.data.length)
    throw new RangeError(
      `fromNumpy: shape [${a.shape.join(', ')}] with strides [${strides.join(', ')}] reaches element ${last}, the array has ${a.data.length}`,
    );
  return Tensor.fromTypedArray(a.data, [0], d)._view([...a.shape], [...strides], 0);
}

/**
 * torch.result_type(a, b): the dtype an arithmetic op of a and b computes in. Numbers act as Python scalars
 * (integral ones as ints); pass a 0-dim tensor made by tensor(x, { dtype: 'float64' }) for a float scalar like 2.0.
 */
export function resultTypeOf(a: Tensor | number | boolean, b: Tensor | number | boolean): DType {
  const operand = (x: Tensor | number | boolean) =>
    x instanceof Tensor
      ? { dtype: x.dtype, dim: x.dim(), wrapped: x._wrapped }
      : { dtype: (typeof x === 'boolean' ? 'bool' : Number.isInteger(x) ? 'int64' : 'float64') as DType, dim: 0, wrapped: true };
  return dtypeResultType([operand(a), operand(b)]);
}

/** PyTorch's dtype names and aliases (torch.float16 / torch.half ...) as constants: `tensor.zeros(2, { dtype: tensor.half })`. */
export const DTYPE_CONSTANTS = {
  float32: 'float32',
  float: 'float32',
  float64: 'float64',
  double: 'float64',
  float16: 'float16',
  half: 'float16',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  short: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
} as const satisfies Record<string, DType>;

/** torch.Tensor as a function (torch.Tensor(2, 3), torch.Tensor([1, 2])): the class, callable as the float32 legacy constructor. */
const callableTensor = new Proxy(Tensor, {
  apply: (_target, _this, args: (number | creation.NestedData)[]) => creation.legacyConstructor('float32')(...args),
}) as typeof Tensor & ((...args: (number | creation.NestedData)[]) => Tensor);

/**
 * The `tensor` export of 'board': callable as torch.tensor (`tensor([[1, 2], [3, 4]])`) and a namespace of
 * everything else (`tensor.zeros([2, 3])`, `tensor.matmul(a, b)`, `tensor.noGrad(() => ...)`).
 */
export const tensorNamespace = Object.assign(
  (data: creation.NestedData | Tensor, opts?: creation.CreationOptions) => creation.tensor(data, opts),
  {
    ...ops,
    Tensor: callableTensor,
    FloatTensor: creation.legacyConstructor('float32'),
    DoubleTensor: creation.legacyConstructor('float64'),
    LongTensor: creation.legacyConstructor('int64'),
    IntTensor: creation.legacyConstructor('int32'),
    ByteTensor: creation.legacyConstructor('uint8'),
    BoolTensor: creation.legacyConstructor('bool'),
    HalfTensor: creation.legacyConstructor('float16'),
    promoteTypes,
    resultType: resultTypeOf,
    ShortTensor: creation.legacyConstructor('int16'),
    CharTensor: creation.legacyConstructor('int8'),
    ...DTYPE_CONSTANTS,
    device: DEV.device,
    Device: DEV.Device,
    cuda: DEV.cuda,
    normal: RND.normal,
    fromNumpy,
    tensor: creation.tensor,
    zeros: creation.zeros,
    ones: creation.ones,
    full: creation.full,
    empty: creation.empty,
    eye: creation.eye,
    arange: creation.arange,
    linspace: creation.linspace,
    logspace: creation.logspace,
    zerosLike: creation.zerosLike,
    onesLike: creation.onesLike,
    fullLike: creation.fullLike,
    emptyLike: creation.emptyLike,
    fromTypedArray: (arr: Parameters<typeof Tensor.fromTypedArray>[0], shape: readonly number[], dtype?: DType) =>
      Tensor.fromTypedArray(arr, shape, dtype),
    rand: RND.rand,
    randn: RND.randn,
    randint: RND.randint,
    randperm: RND.randperm,
    randLike: RND.randLike,
    randnLike: RND.randnLike,
    bernoulli: RND.bernoulli,
    multinomial: RND.multinomial,
    manualSeed: RND.manualSeed,
    Generator: RND.Generator,
    noGrad: G.noGrad,
    enableGrad: G.enableGrad,
    isGradEnabled: G.isGradEnabled,
    grad: A.grad,
    customOp: A.customOp,
    pushScope: G.pushScope,
    popScope: G.popScope,
    setProfiling: G.setProfiling,
    slice: I.slice,
    printOptions,
  },
);
roundHalfResults(tensorNamespace as unknown as Record<string, unknown>);
