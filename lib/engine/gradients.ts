// The gradient table: one rule per primitive, written with differentiable tensor ops (so createGraph
// gives higher-order gradients), except a few activations whose derivative factor comes from a raw loop.
// Adding a primitive means one forward in an ops file and one entry here; the Primitive union is closed,
// so a primitive without a rule does not compile.
import type { DType } from './dtype.ts';
import type { Tensor } from './tensor.ts';
import { unaryRaw, binaryRaw, where } from './elementwise.ts';
import { zeros } from './creation.ts';
import { sumToShape, prodBackward, cumprodBackward } from './reduce.ts';
import { cat, stack, diagonal, diagonalBackward, unfoldBackward, stridedScatterAdd } from './movement.ts';
import { indexBackward, indexPutValueGrad } from './indexing.ts';
import { isGradEnabled } from './graph.ts';

export interface GradCtx {
  inShapes: number[][];
  inDtypes: (DType | null)[];
  outShapes: number[][];
  saved: (Tensor | null)[];
  grads: (Tensor | null)[];
  attrs: Record<string, any>;
}

export type Rule = (g: Tensor, c: GradCtx) => (Tensor | null)[];

const s = (c: GradCtx, i: number): Tensor => c.saved[i]!;
const zerosOf = (c: GradCtx, i: number, g: Tensor): Tensor => zeros(c.inShapes[i]!, { dtype: g.dtype });

/** Gradient of an op whose inputs were broadcast: reduce g back to each input's shape. */
const toIn = (g: Tensor, c: GradCtx, i: number): Tensor => sumToShape(g, c.inShapes[i]!);

export const GRADIENTS = {
  // -- elementwise
  neg: (g) => [g.neg()],
  abs: (g, c) => [g.mul(unaryRaw('dAbs', s(c, 0), g.dtype))],
  relu: (g, c) => [g.mul(unaryRaw('dRelu', s(c, 0), g.dtype))],
  passthrough: (g) => [g],
  zeroGrad: (g) => [g.mul(0)],
  zeroGrad2: (g, c) => [c.inDtypes[0] ? zerosOf(c, 0, g) : null, c.inDtypes[1] ? zerosOf(c, 1, g) : null],
  exp: (g, c) => [g.mul(s(c, 0))],
  expm1: (g, c) => [g.mul(s(c, 0).add(1))],
  log: (g, c) => [g.div(s(c, 0))],
  log2: (g, c) => [g.div(s(c, 0).mul(Math.LN2))],
  log10: (g, c) => [g.div(s(c, 0).mul(Math.LN10))],
  log1p: (g, c) => [g.div(s(c, 0).add(1))],
  sqrt: (g, c) => [g.div(s(c, 0).mul(2))],
  rsqrt: (g, c) => [g.mul(s(c, 0).pow(3)).mul(-0.5)],
  sin: (g, c) => [g.mul(s(c, 0).cos())],
  cos: (g, c) => [g.mul(s(c, 0).sin()).neg()],
  tan: (g, c) => [g.mul(s(c, 0).mul(s(c, 0)).add(1))],
  tanh: (g, c) => [g.mul(s(c, 0).mul(s(c, 0)).rsub(1))],
  sigmoid: (g, c) => [g.mul(s(c, 0).mul(s(c, 0).rsub(1)))],
  reciprocal: (g, c) => [g.mul(s(c, 0).mul(s(c, 0))).neg()],
  asin: (g, c) => [g.mul(s(c, 0).mul(s(c, 0)).rsub(1).rsqrt())],
  acos: (g, c) => [g.mul(s(c, 0).mul(s(c, 0)).rsub(1).rsqrt()).neg()],
  atan: (g, c) => [g.div(s(c, 0).mul(s(c, 0)).add(1))],
  sinh: (g, c) => [g.mul(s(c, 0).cosh())],
  cosh: (g, c) => [g.mul(s(c, 0).sinh())],
  erf: (g, c) => [
    g.mul(
      s(c, 0)
        .mul(s(c, 0))
        .neg()
        .exp()
        .mul(2 / Math.sqrt(Math.PI)),
    ),
  ],
  leakyRelu: (g, c) => [g.mul(unaryRaw('dLeakyRelu', s(c, 0), g.dtype, c.attrs.slope))],
  // Smooth activations: a raw derivative loop normally; differentiable expressions under createGraph.
  elu: (g, c) => [
    g.mul(isGradEnabled() ? where(s(c, 0).gt(0), 1, s(c, 0).exp().mul(c.attrs.alpha)) : unaryRaw('dElu', s(c, 0), g.dtype, c.attrs.alpha)),
  ],
  gelu: (g, c) => [
    g.mul(
      isGradEnabled()
        ? geluDerivative(s(c, 0), c.attrs.approximate)
        : unaryRaw(c.attrs.approximate === 'tanh' ? 'dGeluTanh' : 'dGelu', s(c, 0), g.dtype),
    ),
  ],
  softplus: (g, c) => {
    const { beta, threshold } = c.attrs as { beta: number; threshold: number };
    if (!isGradEnabled()) return [g.mul(unaryRaw('dSoftplus', s(c, 0), g.dtype, beta, threshold))];
    const bx = s(c, 0).mul(beta);
    return [g.mul(where(bx.gt(threshold), 1, bx.sigmoid()))];
  },
  silu: (g, c) => {
    if (!isGradEnabled()) return [g.mul(unaryRaw('dSilu', s(c, 0), g.dtype))];
    const x = s(c, 0),
      sg = x.sigmoid();
    return [g.mul(sg.mul(x.mul(sg.rsub(1)).add(1)))];
  },
  hardtanh: (g, c) => [g.mul(unaryRaw('dHardtanh', s(c, 0), g.dtype, c.attrs.min, c.attrs.max))],
  clamp: (g, c) => [g.mul(unaryRaw('clampMask', s(c, 0), g.dtype, c.attrs.min, c.attrs.max))],
  clampTensor: (g, c) => {
    const x = s(c, 0),
      lo = c.saved[1],
      hi = c.saved[2];
    let keep = g;
    const res: (Tensor | null)[] = [null, null, null];
    if (lo) {
      const below = x.lt(lo);
      keep = keep.maskedFill(below, 0);
      res[1] = toIn(g.mul(below.to(g.dtype)), c, 1);
    }
    if (hi) {
      const above = x.gt(hi);
      keep = keep.maskedFill(above, 0);
      res[2] = toIn(g.mul(above.to(g.dtype)), c, 2);
    }
    res[0] = toIn(keep, c, 0);
    return res;
  },
  powScalar: (g, c) => {
    const e: number = c.attrs.exponent;
    if (e === 0) return [g.mul(0)];
    return [
      g.mul(
        s(c, 0)
          .pow(e - 1)
          .mul(e),
      ),
    ];
  },
  pow: (g, c) => {
    const a = s(c, 0),
      b = s(c, 1);
    return [toIn(g.mul(b).mul(a.pow(b.sub(1))), c, 0), toIn(g.mul(binaryRaw('powExpGrad', a, b, g.dtype)), c, 1)];
  },
  add: (g, c) => [toIn(g, c, 0), toIn(c.attrs.alpha === 1 ? g : g.mul(c.attrs.alpha), c, 1)],
  rsub: (g, c) => [toIn(g.mul(-c.attrs.alpha), c, 0), c.inShapes.length > 1 ? toIn(g, c, 1) : null],
  mul: (g, c) => [c.saved[1] ? toIn(g.mul(s(c, 1)), c, 0) : null, c.saved[0] ? toIn(g.mul(s(c, 0)), c, 1) : null],
  div: (g, c) => {
    const b = s(c, 1);
    return [toIn(g.div(b), c, 0), c.saved[0] ? toIn(g.mul(s(c, 0)).div(b.mul(b)).neg(), c, 1) : null];
  },
  remainder: (g, c) => {
    const a = s(c, 0),
      b = s(c, 1);
    const q = a.div(b, { roundingMode: c.attrs.fmod ? 'trunc' : 'floor' });
    return [toIn(g, c, 0), c.inShapes.length > 1 ? toIn(g.mul(q).neg(), c, 1) : null];
  },
  atan2: (g, c) => {
    const a = s(c, 0),
      b = s(c, 1);
    const den = a.mul(a).add(b.mul(b));
    return [toIn(g.mul(b).div(den), c, 0), toIn(g.mul(a).neg().div(den), c, 1)];
  },
  maximum: (g, c) => {
    const m = binaryRaw('maxTieMask', s(c, 0), s(c, 1), g.dtype),
      r = binaryRaw('maxTieMask', s(c, 1), s(c, 0), g.dtype);
    return [toIn(g.mul(m), c, 0), toIn(g.mul(r), c, 1)];
  },
  minimum: (g, c) => {
    const m = binaryRaw('minTieMask', s(c, 0), s(c, 1), g.dtype),
      r = binaryRaw('minTieMask', s(c, 1), s(c, 0), g.dtype);
    return [toIn(g.mul(m), c, 0), toIn(g.mul(r), c, 1)];
  },
  where: (g, c) => {
    const cond = s(c, 0);
    return [toIn(g.maskedFill(cond.logicalNot(), 0), c, 0), toIn(g.maskedFill(cond, 0), c, 1)];
  },
  toCopy: (g, c) => [g.to(c.inDtypes[0]!)],

  // -- movement
  reshape: (g, c) => [g.reshape(c.inShapes[0]!)],
  transpose: (g, c) => [g.transpose(c.attrs.dim0, c.attrs.dim1)],
  permute: (g, c) => {
    const dims: number[] = c.attrs.dims;
    const inv = new Array<number>(dims.length);
    dims.forEach((d, i) => {
      inv[d] = i;
    });
    return [g.permute(inv)];
  },
  expand: (g, c) => [sumToShape(g, c.inShapes[0]!)],
  slice: (g, c) => [g.sliceBackward(c.inShapes[0]!, c.attrs.dim, c.attrs.start, c.attrs.step)],
  sliceBackward: (g, c) => [g.slice(c.attrs.dim, c.attrs.start, c.attrs.start + c.attrs.step * (c.attrs.len - 1) + 1, c.attrs.step)],
  asStrided: (g, c) => [stridedScatterAdd(g.detach(), c.inShapes[0]!, c.attrs.strides, c.attrs.offset)],
  unfold: (g, c) => [unfoldBackward(g.detach(), c.inShapes[0]!, c.attrs.dim, c.attrs.size, c.attrs.step)],
  diagonal: (g, c) => [diagonalBackward(g, c.inShapes[0]!, c.attrs.offset, c.attrs.dim1, c.attrs.dim2)],
  diagonalBackward: (g, c) => [diagonal(g, c.attrs.offset, c.attrs.dim1, c.attrs.dim2)],
  select: (g, c) => [g.unsqueeze(c.attrs.dim).sliceBackward(c.inShapes[0]!, c.attrs.dim, c.attrs.index, 1)],
  cat: (g, c) => {
    const dim: number = c.attrs.dim;
    let start = 0;
    return c.inShapes.map((sh) => {
      const len = sh.length === 1 && sh[0] === 0 && c.inShapes[0]!.length !== 1 ? 0 : sh[dim]!;
      const part = len === 0 && sh.length !== g.dim() ? null : g.narrow(dim, start, len);
      start += len;
      return part;
    });
  },
  stack: (g, c) => c.inShapes.map((_, i) => g.select(c.attrs.dim, i)),
  unbind: (_g, c) => [
    stack(
      c.grads.map((gi, i) => gi ?? zeros(c.outShapes[i]!, { dtype: c.inDtypes[0]! })),
      c.attrs.dim,
    ),
  ],
  split: (_g, c) => {
    const parts = c.grads.map((gi, i) => gi ?? zeros(c.outShapes[i]!, { dtype: c.inDtypes[0]! }));
    return [cat(parts, c.attrs.dim)];
  },
  repeat: (g, c) => {
    const reps: number[] = c.attrs.repeats,
      inShape = c.inShapes[0]!;
    const lead = reps.length - inShape.length;
    const split: number[] = [],
      sumDims: number[] = [];
    for (let i = 0; i < reps.length; i++) {
      const size = i < lead ? 1 : inShape[i - lead]!;
      sumDims.push(split.length);
      split.push(reps[i]!, size);
    }
    return [g.reshape(split).sum(sumDims).reshape(inShape)];
  },
  roll: (g, c) => [
    g.roll(
      (c.attrs.shifts as number[]).map((x) => -x),
      c.attrs.dims,
    ),
  ],
  tril: (g, c) => [g.tril(c.attrs.diagonal)],
  triu: (g, c) => [g.triu(c.attrs.diagonal)],
  flip: (g, c) => [g.flip(c.attrs.dims)],

  // -- indexing
  index: (g, c) => [indexBackward(g, c.inShapes[0]!, c.attrs.indices)],
  // (index and mask arguments are not differentiable inputs: they are saved, not edges, as in PyTorch)
  indexSelect: (g, c) => [zeros(c.inShapes[0]!, { dtype: g.dtype }).indexAdd(c.attrs.dim, s(c, 0), g)],
  gather: (g, c) => [zeros(c.inShapes[0]!, { dtype: g.dtype }).scatterAdd(c.attrs.dim, s(c, 0), g)],
  scatter: (g, c) => [g.scatter(c.attrs.dim, s(c, 0), 0), c.inShapes.length > 1 ? g.gather(c.attrs.dim, s(c, 0)) : null],
  scatterAdd: (g, c) => [g, g.gather(c.attrs.dim, s(c, 0))],
  maskedFill: (g, c) => [toIn(g.maskedFill(s(c, 0), 0), c, 0)],
  indexPut: (g, c) => {
    const idx = c.attrs.indices as (Tensor | null)[];
    return [c.attrs.accumulate ? g : g.indexPut(idx, 0), indexPutValueGrad(g, idx, c.inShapes[1]!)];
  },

  copySlices: (g, c) => {
    // Base: g outside the written region; written values: g inside it (as the view's geometry).
    const { shape, strides, offset } = c.attrs as { shape: number[]; strides: number[]; offset: number };
    const outside = g.detach().contiguous().clone();
    outside._view(shape, strides, offset).zero_();
    const gc = g.detach().contiguous();
    const inside = gc._view(shape, strides, gc.offset + offset).contiguous();
    return [outside, sumToShape(inside, c.inShapes[1]!)];
  },

  // -- reductions
  sum: (g, c) => [expandBack(g, c)],
  mean: (g, c) => [expandBack(g, c).div(c.attrs.count)],
  prod: (g, c) => {
    const x = s(c, 0);
    // Under createGraph (and without zeros) prod / x keeps the graph; otherwise the exact raw loop handles zeros.
    if (isGradEnabled() && !x.eq(0).any().item()) {
      const out = c.attrs.keepdim ? s(c, 1) : unsqueezeAll(s(c, 1), c.attrs.dims);
      return [expandBack(g, c).mul(out.div(x))];
    }
    return [expandBack(g, c).mul(prodBackward(x, c.attrs.dims))];
  },
  maxAll: (g, c) => {
    // Evenly among all elements equal to the result (NaN counts as equal to a NaN result).
    const x = s(c, 0),
      out = s(c, 1);
    const mask = (Number.isNaN(Number(out.item())) ? x.isnan() : x.eq(out)).to(g.dtype);
    return [mask.mul(g.div(mask.sum()))];
  },
  amax: (g, c) => {
    const dims: number[] = c.attrs.dims;
    const out = c.attrs.keepdim ? s(c, 1) : unsqueezeAll(s(c, 1), dims);
    const mask = s(c, 0).eq(out).to(g.dtype);
    return [mask.mul(expandBack(g, c).div(mask.sum(dims, true)))];
  },
  indexedReduce: (g, c) => {
    // max(dim)/min(dim)/median(dim)/topk/sort: the whole gradient goes to the returned indices.
    const dim: number = c.attrs.dim;
    let gv = g,
      idx = s(c, 0);
    if (!c.attrs.keepdim && c.inShapes[0]!.length > 0) {
      gv = gv.unsqueeze(dim);
      idx = idx.unsqueeze(dim);
    }
    if (c.inShapes[0]!.length === 0) return [gv.reshape([])];
    return [zeros(c.inShapes[0]!, { dtype: g.dtype }).scatter(dim, idx, gv)];
  },
  var: (g, c) => {
    const x = s(c, 0);
    const centered = x.sub(x.mean(c.attrs.dims, true));
    return [
      expandBack(g, c)
        .mul(centered)
        .mul(2 / c.attrs.denom),
    ];
  },
  std: (g, c) => {
    const x = s(c, 0),
      out = c.attrs.keepdim ? s(c, 1) : unsqueezeAll(s(c, 1), c.attrs.dims);
    const centered = x.sub(x.mean(c.attrs.dims, true));
    // Where std is 0 (all equal) PyTorch's std_backward gives 0, not 0/0.
    return [expandBack(g, c).mul(centered).div(out.mul(c.attrs.denom)).maskedFill(out.eq(0), 0)];
  },
  norm: (g, c) => {
    const x = s(c, 0),
      p: number = c.attrs.p;
    const out = c.attrs.keepdim ? s(c, 1) : unsqueezeAll(s(c, 1), c.attrs.dims);
    const ge = expandBack(g, c);
    if (p === 0) return [null]; // the 0-"norm" counts nonzeros: PyTorch returns no gradient
    if (p === 1) return [ge.mul(x.sign())];
    if (p === Infinity || p === -Infinity) {
      const mask = x.abs().eq(out).to(g.dtype);
      return [ge.mul(x.sign()).mul(mask).div(mask.sum(c.attrs.dims, true))];
    }
    if (p === 2) return [ge.mul(x).div(out).maskedFill(out.eq(0), 0)];
    return [
      ge
        .mul(x)
        .mul(x.abs().pow(p - 2))
        .div(out.pow(p - 1))
        .maskedFill(out.eq(0), 0),
    ];
  },
  logsumexp: (g, c) => {
    const out = c.attrs.keepdim ? s(c, 1) : unsqueezeAll(s(c, 1), c.attrs.dims);
    return [expandBack(g, c).mul(s(c, 0).sub(out).exp())];
  },
  softmax: (g, c) => {
    const y = s(c, 0);
    return [y.mul(g.sub(g.mul(y).sum(c.attrs.dim, true)))];
  },
  logSoftmax: (g, c) => [g.sub(s(c, 0).exp().mul(g.sum(c.attrs.dim, true)))],
  cumprod: (g, c) => [cumprodBackward(s(c, 0), g, c.attrs.dim)],
  cumsum: (g, c) => [g.flip([c.attrs.dim]).cumsum(c.attrs.dim).flip([c.attrs.dim])],

  // -- linear algebra
  mm: (g, c) => [c.saved[1] ? g.mm(s(c, 1).t()) : null, c.saved[0] ? s(c, 0).t().mm(g) : null],
  mv: (g, c) => [c.saved[1] ? g.unsqueeze(1).mul(s(c, 1)) : null, c.saved[0] ? s(c, 0).t().mv(g) : null],
  bmm: (g, c) => [c.saved[1] ? g.bmm(s(c, 1).mT) : null, c.saved[0] ? s(c, 0).mT.bmm(g) : null],
  addmm: (g, c) => {
    const { alpha, beta } = c.attrs as { alpha: number; beta: number };
    const ga = c.saved[1] ? g.mm(s(c, 1).t()) : null,
      gb = c.saved[0] ? s(c, 0).t().mm(g) : null;
    return [toIn(beta === 1 ? g : g.mul(beta), c, 0), ga && alpha !== 1 ? ga.mul(alpha) : ga, gb && alpha !== 1 ? gb.mul(alpha) : gb];
  },
  dot: (g, c) => [g.mul(s(c, 1)), g.mul(s(c, 0))],

  // -- composites run as one named node (namedComposite): attrs.backward is autograd.ts's compositeBackward, carried
  // by the node so this table needs no import of the backward engine (which imports this table).
  composite: (_g, c) => c.attrs.backward(c.grads, c.attrs),

  // -- user-defined fused ops (customOp)
  custom: (_g, c) => c.attrs.fn(c.grads, c.attrs.outputs),
} satisfies Record<string, Rule>;

export type Primitive = keyof typeof GRADIENTS;

/** d gelu / dx as tensor ops (exact: Phi(x) + x phi(x); tanh form: its derivative). */
function geluDerivative(x: Tensor, approximate: string): Tensor {
  if (approximate === 'tanh') {
    const k = 0.7978845608028654,
      a = 0.044715;
    const t = x.add(x.pow(3).mul(a)).mul(k).tanh();
    return t
      .add(1)
      .mul(0.5)
      .add(
        x
          .mul(t.mul(t).rsub(1))
          .mul(
            x
              .mul(x)
              .mul(3 * a)
              .add(1),
          )
          .mul(0.5 * k),
      );
  }
  return x
    .mul(Math.SQRT1_2)
    .erf()
    .add(1)
    .mul(0.5)
    .add(x.mul(x.mul(x).mul(-0.5).exp()).mul(0.3989422804014327));
}

/** Re-insert reduced dims (when keepdim was false) and expand g back to the input's shape. */
function expandBack(g: Tensor, c: GradCtx): Tensor {
  const dims: number[] = c.attrs.dims;
  const gk = c.attrs.keepdim ? g : unsqueezeAll(g, dims);
  return gk.expand(c.inShapes[0]!);
}

function unsqueezeAll(t: Tensor, dims: number[]): Tensor {
  let r = t;
  for (const d of [...dims].sort((a, b) => a - b)) r = r.unsqueeze(d);
  return r;
}
