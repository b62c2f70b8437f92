// The engine's public surface: Tensor, creation functions, functional ops, autograd, random.
//
// Layout (one kind of op per file):
//   dtype.ts        dtypes, storage arrays, torch.result_type promotion
//   layout.ts       shapes, strides, broadcasting, the row iterator and strided copy every kernel uses
//   loops.ts        compiled elementwise loops (one JS expression per op)
//   tensor.ts       the Tensor class: strided storage, autograd fields, PyTorch-named methods (delegating)
//   autograd.ts     grad mode, scopes, profiling, GradNode, the backward engine, grad(), customOp, namedComposite
//   gradients.ts    THE gradient table: one rule per primitive (closed union), written with differentiable ops
//   elementwise.ts  unary/binary/where/clamp/activations, in-place commit (version counters, CopySlices)
//   reduce.ts       reductions, softmax/cumsum, sort/topk/median
//   movement.ts     views (view/reshape/transpose/permute/expand/squeeze/slice/select/diagonal/unfold) and copies
//   indexing.ts     getitem/setitem, index_put, gather/scatter, masked_fill
//   linalg.ts       matmul family over kernels/ sgemm/dgemm (transposes as flags)
//   composite.ts    ops built from primitives (run as one PyTorch-named node via namedComposite)
//   creation.ts, random.ts, print.ts (PyTorch's str), stdsort.ts (libstdc++/ATen selection order for ties)
import * as creation from './creation.ts';
import * as E from './elementwise.ts';
import * as M from './movement.ts';
import * as R from './reduce.ts';
import * as L from './linalg.ts';
import * as I from './indexing.ts';
import * as A from './autograd.ts';
import * as RND from './random.ts';
import * as X from './composite.ts';
import { Tensor } from './tensor.ts';
import { printOptions } from './print.ts';
import type { DType } from './dtype.ts';

export { Tensor, ensureTensor, type ShapeArg } from './tensor.ts';
export type { DType, TypedArray } from './dtype.ts';
export { DTYPES, isDType, isFloating, promoteTypes, resultType, allocate } from './dtype.ts';
export {
  tensor, zeros, ones, full, empty, eye, arange, linspace, logspace, zerosLike, onesLike, fullLike, emptyLike,
  type CreationOptions, type NestedData,
} from './creation.ts';
export { rand, randn, randint, randperm, randLike, randnLike, randintLike, bernoulli, multinomial, manualSeed, initialSeed, Generator, defaultGenerator } from './random.ts';
export {
  GradNode, noGrad, enableGrad, backwardAll, isGradEnabled, setGradEnabled, grad, customOp, pushScope, popScope, currentScope,
  setProfiling, isProfiling, type NodeMetadata, type BackwardOptions, type GradOptions,
} from './autograd.ts';
export { slice, type IndexItem, type Slice } from './indexing.ts';
export type { Operand } from './elementwise.ts';
export { printOptions } from './print.ts';

/** torch.where(condition, input, other). */
export const where = E.where;
export const cat = M.cat;
export const concat = M.cat;
export const stack = M.stack;

const fn1 = <K extends keyof Tensor>(k: K) => (t: Tensor, ...rest: any[]): any => (t[k] as any)(...rest);

/**
 * Functional forms, as `torch.xxx(t, ...)`: each takes the tensor first and forwards to the method of the same name.
 */
export const ops = {
  add: E.add, sub: E.sub, rsub: E.rsub, mul: E.mul, div: E.div, floorDivide: E.floorDivide, remainder: E.remainder,
  fmod: E.fmod, pow: E.pow, atan2: E.atan2, maximum: E.maximum, minimum: E.minimum, clamp: E.clamp, clip: E.clamp,
  where: E.where, eq: (a: Tensor, b: E.Operand) => E.compare('eq', a, b), ne: (a: Tensor, b: E.Operand) => E.compare('ne', a, b),
  lt: (a: Tensor, b: E.Operand) => E.compare('lt', a, b), le: (a: Tensor, b: E.Operand) => E.compare('le', a, b),
  gt: (a: Tensor, b: E.Operand) => E.compare('gt', a, b), ge: (a: Tensor, b: E.Operand) => E.compare('ge', a, b),
  logicalAnd: fn1('logicalAnd'), logicalOr: fn1('logicalOr'), logicalXor: fn1('logicalXor'), logicalNot: fn1('logicalNot'),
  neg: fn1('neg'), abs: fn1('abs'), sign: fn1('sign'), floor: fn1('floor'), ceil: fn1('ceil'), round: fn1('round'), trunc: fn1('trunc'),
  exp: fn1('exp'), expm1: fn1('expm1'), log: fn1('log'), log2: fn1('log2'), log10: fn1('log10'), log1p: fn1('log1p'),
  sqrt: fn1('sqrt'), rsqrt: fn1('rsqrt'), square: fn1('square'), sin: fn1('sin'), cos: fn1('cos'), tan: fn1('tan'), tanh: fn1('tanh'),
  asin: fn1('asin'), acos: fn1('acos'), atan: fn1('atan'), sinh: fn1('sinh'), cosh: fn1('cosh'), erf: fn1('erf'),
  sigmoid: fn1('sigmoid'), relu: fn1('relu'), reciprocal: fn1('reciprocal'), isnan: fn1('isnan'), isinf: fn1('isinf'), isfinite: fn1('isfinite'),
  leakyRelu: E.leakyRelu, elu: E.elu, gelu: E.gelu, softplus: E.softplus, silu: E.silu, hardtanh: E.hardtanh,
  sum: fn1('sum'), mean: fn1('mean'), prod: fn1('prod'), max: fn1('max'), min: fn1('min'), amax: fn1('amax'), amin: fn1('amin'),
  argmax: fn1('argmax'), argmin: fn1('argmin'), var: fn1('var'), std: fn1('std'), norm: fn1('norm'), logsumexp: fn1('logsumexp'),
  softmax: fn1('softmax'), logSoftmax: fn1('logSoftmax'), cumsum: fn1('cumsum'), cumprod: fn1('cumprod'), median: fn1('median'),
  topk: fn1('topk'), sort: fn1('sort'), argsort: fn1('argsort'), all: fn1('all'), any: fn1('any'),
  vectorNorm: (x: Tensor, ord: number = 2, dim?: number | number[] | null, keepdim = false) => R.norm(x, ord, dim, keepdim, 'LinalgVectorNormBackward0'),
  matmul: L.matmul, mm: L.mm, bmm: L.bmm, mv: L.mv, dot: L.dot, outer: L.outer, addmm: L.addmm,
  t: M.t, transpose: M.transpose, permute: M.permute, reshape: M.reshape, view: M.view, flatten: M.flatten, squeeze: M.squeeze,
  unsqueeze: M.unsqueeze, narrow: M.narrow, select: M.select, split: M.split, chunk: M.chunk, unbind: M.unbind, cat: M.cat,
  stack: M.stack, repeat: M.repeat, roll: M.roll, flip: M.flip, tril: M.tril, triu: M.triu, clone: M.clone,
  gather: I.gather, scatter: I.scatter, scatterAdd: I.scatterAdd, indexSelect: I.indexSelect, maskedFill: I.maskedFill, nonzero: I.nonzero,
  expand: M.expand, diagonal: M.diagonal,
  lerp: X.lerp, addcmul: X.addcmul, addcdiv: X.addcdiv, exp2: X.exp2, hypot: X.hypot, logaddexp: X.logaddexp, isclose: X.isclose,
  nanToNum: X.nanToNum, movedim: X.movedim, moveaxis: X.movedim, tile: X.tile, repeatInterleave: X.repeatInterleave, take: X.take,
  diag: X.diag, trace: X.trace, atleast1d: X.atleast1d, atleast2d: X.atleast2d, atleast3d: X.atleast3d, hstack: X.hstack,
  vstack: X.vstack, dstack: X.dstack, columnStack: X.columnStack, broadcastTensors: X.broadcastTensors, meshgrid: X.meshgrid,
  indexFill: X.indexFill, indexCopy: X.indexCopy, maskedScatter: X.maskedScatter, unfold: M.unfold, nansum: X.nansum,
  nanmean: X.nanmean, logcumsumexp: X.logcumsumexp, stdMean: X.stdMean, varMean: X.varMean, aminmax: X.aminmax, dist: X.dist,
  kthvalue: X.kthvalue, cummax: (x: Tensor, dim: number) => X.cumextreme('cummax', x, dim), cummin: (x: Tensor, dim: number) => X.cumextreme('cummin', x, dim),
  unique: X.unique, bincount: X.bincount, histc: X.histc, msort: X.msort, baddbmm: X.baddbmm, addmv: X.addmv, addr: X.addr,
  cross: X.cross, tensordot: X.tensordot, einsum: X.einsum, indexAdd: X.indexAdd, maskedSelect: X.maskedSelect,
  mish: X.mish, hardsigmoid: X.hardsigmoid, hardswish: X.hardswish, celu: X.celu, softsign: X.softsign, tanhshrink: X.tanhshrink,
};

/**
 * The `tensor` export of 'board': callable as torch.tensor (`tensor([[1, 2], [3, 4]])`) and a namespace of
 * everything else (`tensor.zeros([2, 3])`, `tensor.matmul(a, b)`, `tensor.noGrad(() => ...)`).
 */
export const tensorNamespace = Object.assign(
  (data: creation.NestedData | Tensor, opts?: creation.CreationOptions) => creation.tensor(data, opts),
  {
    Tensor, ...ops,
    tensor: creation.tensor, zeros: creation.zeros, ones: creation.ones, full: creation.full, empty: creation.empty, eye: creation.eye,
    arange: creation.arange, linspace: creation.linspace, logspace: creation.logspace, zerosLike: creation.zerosLike,
    onesLike: creation.onesLike, fullLike: creation.fullLike, emptyLike: creation.emptyLike,
    fromTypedArray: (arr: Parameters<typeof Tensor.fromTypedArray>[0], shape: readonly number[], dtype?: DType) => Tensor.fromTypedArray(arr, shape, dtype),
    rand: RND.rand, randn: RND.randn, randint: RND.randint, randperm: RND.randperm, randLike: RND.randLike, randnLike: RND.randnLike,
    bernoulli: RND.bernoulli, multinomial: RND.multinomial, manualSeed: RND.manualSeed, Generator: RND.Generator,
    noGrad: A.noGrad, enableGrad: A.enableGrad, isGradEnabled: A.isGradEnabled, grad: A.grad, customOp: A.customOp,
    pushScope: A.pushScope, popScope: A.popScope, setProfiling: A.setProfiling, slice: I.slice, printOptions,
  },
);
