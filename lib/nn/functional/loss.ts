// Loss functions. Cross-entropy with class targets is one fused node (log-softmax + NLL, grad_fn NllLossBackward0 or
// NllLoss2DBackward0); MSE, SmoothL1, Huber, BCE and BCE-with-logits are fused kernels with PyTorch's node names. The
// rest are composed from engine ops in PyTorch's own order, so their grad_fn names match too.
import { Tensor, customOp, noGrad, zeros, where } from '../../engine/index.ts';
import { nativeKernels, type FloatArray } from '../../engine/kernels/index.ts';
import { floatData, wrap, shapeStr, prod } from './util.ts';

export type Reduction = 'none' | 'mean' | 'sum';

function alloc(like: FloatArray, n: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

function checkReduction(r: string): asserts r is Reduction {
  if (r !== 'none' && r !== 'mean' && r !== 'sum') throw new Error(`${r} is not a valid value for reduction`);
}

/** Broadcast `t` to `shape` (contiguous copy when needed). */
function expandTo(t: Tensor, shape: readonly number[]): Tensor {
  if (t.shape.length === shape.length && t.shape.every((s, i) => s === shape[i])) return t;
  return t.expand([...shape]).contiguous();
}

function broadcastPair(op: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (a.shape.length === b.shape.length && a.shape.every((s, i) => s === b.shape[i])) return [a, b];
  const n = Math.max(a.dim(), b.dim());
  const shape: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a.shape[a.dim() - n + i] ?? 1,
      y = b.shape[b.dim() - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new Error(`${op}: The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`);
    shape.push(Math.max(x, y));
  }
  return [a.expand(shape), b.expand(shape)];
}

/** A 0-dim tensor holding `v` in the dtype of `like`. */
function scalarOf(v: number, like: FloatArray): Tensor {
  const a = alloc(like, 1);
  a[0] = v;
  return wrap(a, []);
}

/**
 * Elementwise loss with a fused reduction: `fwd` writes per-element losses, `bwd` writes d(loss_i)/d(input_i) and
 * d(loss_i)/d(target_i) scaled by the incoming gradient.
 */
function pairwiseLoss(
  name: string,
  op: string,
  input: Tensor,
  target: Tensor,
  reduction: Reduction,
  fwd: (x: FloatArray, y: FloatArray, out: FloatArray) => void,
  bwd: (x: FloatArray, y: FloatArray, g: FloatArray, gScalar: number, dx: FloatArray | null, dy: FloatArray | null) => void,
): Tensor {
  checkReduction(reduction);
  const [a, b] = broadcastPair(op, input, target);
  const shape = a.shape;
  return customOp(
    name,
    [input, target],
    () => {
      const x = floatData(a.contiguous(), op),
        y = floatData(b.contiguous(), op);
      const l = alloc(x, x.length);
      fwd(x, y, l);
      if (reduction === 'none') return wrap(l, shape);
      let s = 0;
      for (let i = 0; i < l.length; i++) s += l[i]!;
      return scalarOf(reduction === 'mean' ? s / l.length : s, x);
    },
    ([gT]) => {
      const x = floatData(a.contiguous(), op),
        y = floatData(b.contiguous(), op);
      const n = x.length;
      let g: FloatArray;
      let gs = 0;
      if (reduction === 'none') g = floatData(gT!.contiguous(), op);
      else {
        g = alloc(x, 0);
        gs = Number(gT!.item()) / (reduction === 'mean' ? n : 1);
      }
      const dx = input.requiresGrad ? alloc(x, n) : null;
      const dy = target.requiresGrad ? alloc(x, n) : null;
      bwd(x, y, g, gs, dx, dy);
      return [dx ? sumToShape(wrap(dx, shape), input.shape) : null, dy ? sumToShape(wrap(dy, shape), target.shape) : null];
    },
    { op, attrs: { reduction } },
  ) as Tensor;
}

/** Reduces a broadcast gradient back to the operand's shape. */
function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.dim() - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.dim(); i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  return g.sum(dims, true).reshape([...shape]);
}

export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return pairwiseLoss(
    'MseLossBackward0',
    'mse_loss',
    input,
    target,
    reduction,
    (x, y, l) => {
      for (let i = 0; i < x.length; i++) {
        const d = x[i]! - y[i]!;
        l[i] = d * d;
      }
    },
    (x, y, g, gs, dx, dy) => {
      const full = g.length > 0;
      for (let i = 0; i < x.length; i++) {
        const v = 2 * (x[i]! - y[i]!) * (full ? g[i]! : gs);
        if (dx) dx[i] = v;
        if (dy) dy[i] = -v;
      }
    },
  );
}

export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkReduction(reduction);
  return applyReduction(input.sub(target).abs(), reduction);
}

export function smoothL1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean', beta = 1.0): Tensor {
  if (beta < 0) throw new Error('smooth_l1_loss does not support negative values for beta.');
  // beta = 0 is the L1 loss, but PyTorch still records SmoothL1LossBackward0 (sign(0) = 0 at the kink)
  return pairwiseLoss(
    'SmoothL1LossBackward0',
    'smooth_l1_loss',
    input,
    target,
    reduction,
    (x, y, l) => {
      for (let i = 0; i < x.length; i++) {
        const z = Math.abs(x[i]! - y[i]!);
        l[i] = z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta;
      }
    },
    (x, y, g, gs, dx, dy) => {
      const full = g.length > 0;
      for (let i = 0; i < x.length; i++) {
        const d = x[i]! - y[i]!;
        const gi = full ? g[i]! : gs;
        const v = d < -beta ? -gi : d > beta ? gi : beta === 0 ? 0 : (d * gi) / beta;
        if (dx) dx[i] = v;
        if (dy) dy[i] = -v;
      }
    },
  );
}

export function huberLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean', delta = 1.0): Tensor {
  return pairwiseLoss(
    'HuberLossBackward0',
    'huber_loss',
    input,
    target,
    reduction,
    (x, y, l) => {
      for (let i = 0; i < x.length; i++) {
        const z = Math.abs(x[i]! - y[i]!);
        l[i] = z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
      }
    },
    (x, y, g, gs, dx, dy) => {
      const full = g.length > 0;
      for (let i = 0; i < x.length; i++) {
        const d = x[i]! - y[i]!;
        const gi = full ? g[i]! : gs;
        const v = d < -delta ? -delta * gi : d > delta ? delta * gi : d * gi;
        if (dx) dx[i] = v;
        if (dy) dy[i] = -v;
      }
    },
  );
}

export function binaryCrossEntropy(input: Tensor, target: Tensor, weight: Tensor | null = null, reduction: Reduction = 'mean'): Tensor {
  if (input.shape.length !== target.shape.length || input.shape.some((s, i) => s !== target.shape[i])) {
    throw new Error(
      `Using a target size (${shapeStr(target.shape)}) that is different to the input size (${shapeStr(input.shape)}) is deprecated. Please ensure they have the same size.`,
    );
  }
  const xs = floatData(input, 'binary_cross_entropy');
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i]! >= 0 && xs[i]! <= 1)) throw new Error('all elements of input should be between 0 and 1');
  }
  const w = weight ? floatData(expandTo(weight, input.shape), 'binary_cross_entropy') : null;
  return pairwiseLoss(
    'BinaryCrossEntropyBackward0',
    'binary_cross_entropy',
    input,
    target,
    reduction,
    (x, y, l) => {
      for (let i = 0; i < x.length; i++) {
        const lx = Math.max(Math.log(x[i]!), -100),
          l1x = Math.max(Math.log(1 - x[i]!), -100);
        l[i] = -(w ? w[i]! : 1) * (y[i]! * lx + (1 - y[i]!) * l1x);
      }
    },
    (x, y, g, gs, dx, dy) => {
      const full = g.length > 0;
      for (let i = 0; i < x.length; i++) {
        const gi = (full ? g[i]! : gs) * (w ? w[i]! : 1);
        const xi = x[i]!;
        if (dx) dx[i] = (gi * (xi - y[i]!)) / Math.max((1 - xi) * xi, 1e-12);
        if (dy) dy[i] = gi * (Math.max(Math.log(1 - xi), -100) - Math.max(Math.log(xi), -100));
      }
    },
  );
}

export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {},
): Tensor {
  const reduction = opts.reduction ?? 'mean';
  if (input.shape.length !== target.shape.length || input.shape.some((s, i) => s !== target.shape[i])) {
    throw new Error(`Target size (${shapeStr(target.shape)}) must be the same as input size (${shapeStr(input.shape)})`);
  }
  const op = 'binary_cross_entropy_with_logits';
  const w = opts.weight ? floatData(expandTo(opts.weight, input.shape), op) : null;
  const pw = opts.posWeight ? floatData(expandTo(opts.posWeight, input.shape), op) : null;
  return pairwiseLoss(
    'BinaryCrossEntropyWithLogitsBackward0',
    op,
    input,
    target,
    reduction,
    (x, y, l) => {
      for (let i = 0; i < x.length; i++) {
        const xi = x[i]!,
          yi = y[i]!;
        const sp = Math.max(-xi, 0) + Math.log(Math.exp(-Math.max(-xi, 0)) + Math.exp(-xi - Math.max(-xi, 0))); // softplus(-x)
        const lw = pw ? 1 + (pw[i]! - 1) * yi : 1;
        l[i] = ((1 - yi) * xi + lw * sp) * (w ? w[i]! : 1);
      }
    },
    (x, y, g, gs, dx, dy) => {
      const full = g.length > 0;
      for (let i = 0; i < x.length; i++) {
        const xi = x[i]!,
          yi = y[i]!;
        const gi = (full ? g[i]! : gs) * (w ? w[i]! : 1);
        const sig = 1 / (1 + Math.exp(-xi));
        const lw = pw ? 1 + (pw[i]! - 1) * yi : 1;
        if (dx) dx[i] = gi * (1 - yi - lw * (1 - sig));
        if (dy) {
          const sp = Math.max(-xi, 0) + Math.log1p(Math.exp(-Math.abs(xi)));
          dy[i] = gi * (-xi + (pw ? pw[i]! - 1 : 0) * sp);
        }
      }
    },
  );
}

// ---- NLL and cross-entropy -----------------------------------------------------------------------------------

interface ClassLayout {
  N: number;
  C: number;
  S: number;
  outShape: number[];
}

function classLayout(op: string, input: Tensor, target: Tensor): ClassLayout {
  if (input.dim() < 1) throw new Error(`${op}: input must have at least one dimension`);
  if (input.dim() === 1) {
    if (target.dim() !== 0)
      throw new Error(
        `${op}: for an unbatched input of shape ${shapeStr(input.shape)} the target must be 0-D, got ${shapeStr(target.shape)}`,
      );
    return { N: 1, C: input.shape[0]!, S: 1, outShape: [] };
  }
  const N = input.shape[0]!,
    C = input.shape[1]!;
  const spatial = input.shape.slice(2);
  const want = [N, ...spatial];
  if (target.shape.length !== want.length || target.shape.some((s, i) => s !== want[i])) {
    throw new Error(`${op}: Expected target size ${shapeStr(want)}, got ${shapeStr(target.shape)}`);
  }
  return { N, C, S: prod(spatial), outShape: want };
}

export interface NllOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/**
 * Shared forward/backward of nll_loss on log-probabilities (`logSoftmaxFirst` = false) or cross-entropy on logits
 * (true: the log-softmax is fused into the same node and its backward is softmax − onehot).
 */
function nllCore(op: string, input: Tensor, target: Tensor, o: NllOptions, logSoftmaxFirst: boolean): Tensor {
  const reduction = o.reduction ?? 'mean';
  checkReduction(reduction);
  const ignore = o.ignoreIndex ?? -100;
  if (target.dtype !== 'int64' && target.dtype !== 'int32' && target.dtype !== 'uint8') {
    throw new Error(`${op}: expected target of an integer dtype (class indices), got ${target.dtype}`);
  }
  const { N, C, S, outShape } = classLayout(op, input, target);
  const w = o.weight ? floatData(o.weight, op) : null;
  if (w && w.length !== C)
    throw new Error(
      `${op}: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${shapeStr(o.weight!.shape)}`,
    );
  const t = target.dataSync();
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c !== ignore && (c < 0 || c >= C)) throw new Error(`${op}: Target ${c} is out of bounds.`);
  }
  // PyTorch runs every input with spatial dims through nll_loss2d (3-D and >4-D inputs viewed as [N, C, 1, S]).
  const name = input.dim() >= 3 ? 'NllLoss2DBackward0' : 'NllLossBackward0';
  const viewBack = reduction === 'none' && (input.dim() === 3 || input.dim() > 4);
  let logp: FloatArray | null = null;
  let totalWeight = 0;
  const out = customOp(
    name,
    [input, o.weight ?? null],
    () => {
      const x = floatData(input, op);
      let lp = x;
      const nat = nativeKernels();
      if (logSoftmaxFirst && nat && x instanceof Float32Array) {
        lp = alloc(x, x.length);
        nat.logSoftmax(x, lp as Float32Array, N, C, S);
      } else if (logSoftmaxFirst) {
        lp = alloc(x, x.length);
        for (let n = 0; n < N; n++) {
          for (let s = 0; s < S; s++) {
            const base = n * C * S + s;
            let mx = -Infinity;
            for (let c = 0; c < C; c++) {
              const v = x[base + c * S]!;
              if (v > mx) mx = v;
            }
            let sum = 0;
            for (let c = 0; c < C; c++) sum += Math.exp(x[base + c * S]! - mx);
            const lse = mx + Math.log(sum);
            for (let c = 0; c < C; c++) lp[base + c * S] = x[base + c * S]! - lse;
          }
        }
      }
      logp = lp;
      const per = alloc(x, N * S);
      let total = 0;
      totalWeight = 0;
      for (let n = 0; n < N; n++) {
        for (let s = 0; s < S; s++) {
          const c = t[n * S + s]!;
          if (c === ignore) {
            per[n * S + s] = 0;
            continue;
          }
          const wc = w ? w[c]! : 1;
          const l = -wc * lp[n * C * S + c * S + s]!;
          per[n * S + s] = l;
          total += l;
          totalWeight += wc;
        }
      }
      if (reduction === 'none') return wrap(per, viewBack ? [N, 1, S] : outShape);
      return scalarOf(reduction === 'sum' ? total : total / totalWeight, x);
    },
    ([gT]) => {
      if (!input.requiresGrad) return [null, null];
      const lp = logp!;
      const dx = alloc(lp, lp.length);
      const gFull = reduction === 'none' ? floatData(gT!.contiguous(), op) : null;
      const gs = gFull ? 0 : Number(gT!.item()) / (reduction === 'mean' ? totalWeight : 1);
      const nat = nativeKernels();
      if (
        nat &&
        lp instanceof Float32Array &&
        (!w || w instanceof Float32Array) &&
        (!gFull || gFull instanceof Float32Array) &&
        Number.isInteger(ignore) &&
        Math.abs(ignore) < 2 ** 31
      ) {
        // Targets were range-checked in the forward pass, so they fit an Int32Array.
        nat.crossEntropyBackward(
          lp,
          Int32Array.from(t as ArrayLike<number>),
          w as Float32Array | null,
          gFull as Float32Array | null,
          gs,
          ignore,
          dx as Float32Array,
          N,
          C,
          S,
          logSoftmaxFirst,
        );
        return [wrap(dx, input.shape), null];
      }
      for (let n = 0; n < N; n++) {
        for (let s = 0; s < S; s++) {
          const c = t[n * S + s]!;
          if (c === ignore) continue;
          const gi = (gFull ? gFull[n * S + s]! : gs) * (w ? w[c]! : 1);
          const base = n * C * S + s;
          if (logSoftmaxFirst) {
            // d/dx of −log_softmax(x)[c] is softmax(x) − onehot(c)
            for (let k = 0; k < C; k++) dx[base + k * S] += gi * Math.exp(lp[base + k * S]!);
          }
          dx[base + c * S] -= gi;
        }
      }
      return [wrap(dx, input.shape), null];
    },
    { op, attrs: { reduction, ignoreIndex: ignore } },
  ) as Tensor;
  return viewBack ? out.view(outShape) : out;
}

export function nllLoss(input: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  return nllCore('nll_loss', input, target, opts, false);
}

export interface CrossEntropyOptions extends NllOptions {
  labelSmoothing?: number;
}

/** A scalar division recorded as DivBackward1 (PyTorch's C++ `tensor / int`). */
function divScalar(t: Tensor, s: number): Tensor {
  return customOp(
    'DivBackward1',
    [t],
    () => t.div(s),
    ([g]) => [g!.div(s)],
    { op: 'div' },
  ) as Tensor;
}

export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  const eps = opts.labelSmoothing ?? 0;
  if (eps < 0 || eps > 1) throw new Error(`label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const classDim = input.dim() === 1 ? 0 : 1;
  const C = input.shape[classDim]!;
  const weight = opts.weight ?? null;
  const weightView = (): Tensor => {
    const shape = new Array<number>(input.dim()).fill(1);
    shape[classDim] = C;
    return weight!.view(shape);
  };
  if (target.dtype === 'float32' || target.dtype === 'float64') {
    // probability targets
    if (target.shape.length !== input.shape.length || target.shape.some((s, i) => s !== input.shape[i])) {
      throw new Error(
        `cross_entropy: probability targets must have the input's shape ${shapeStr(input.shape)}, got ${shapeStr(target.shape)}`,
      );
    }
    let tgt = target;
    if (eps > 0) tgt = target.mul(1 - eps).add(eps / C);
    const logp = input.logSoftmax(classDim);
    let prodT = logp.mul(tgt);
    if (weight) prodT = prodT.mul(weightView());
    if (reduction === 'mean') return divScalar(prodT.sum().neg(), input.numel() / C);
    if (reduction === 'sum') return prodT.sum().neg();
    return prodT.sum(classDim).neg();
  }
  if (eps === 0) return nllCore('cross_entropy', input, target, opts, true);
  // label smoothing with class-index targets: (1 − ε)·nll + ε/C · smooth, as PyTorch composes it
  const ignore = opts.ignoreIndex ?? -100;
  const logp = input.logSoftmax(classDim);
  const nll = nllCore('nll_loss', logp, target, opts, false);
  let smooth = weight ? logp.mul(weightView()).sum(classDim).neg() : logp.sum(classDim).neg();
  const ignoreMask = target.eq(ignore);
  smooth = smooth.maskedFill(ignoreMask, 0);
  let ret: Tensor;
  if (reduction === 'mean') {
    if (weight) {
      const t = target.dataSync();
      const w = weight.dataSync();
      let ws = 0;
      for (let i = 0; i < t.length; i++) if (t[i] !== ignore) ws += w[t[i]!]!;
      ret = smooth.sum().div(scalarOf(ws, floatData(input, 'cross_entropy')));
    } else {
      let cnt = 0;
      const t = target.dataSync();
      for (let i = 0; i < t.length; i++) if (t[i] !== ignore) cnt++;
      ret = smooth.sum().div(scalarOf(cnt, floatData(input, 'cross_entropy')));
    }
  } else if (reduction === 'sum') {
    ret = smooth.sum();
  } else {
    ret = smooth;
  }
  return nll.mul(1 - eps).add(ret.mul(eps / C));
}

// ---- composite losses ------------------------------------------------------------------------------------------

export function applyReduction(t: Tensor, reduction: Reduction): Tensor {
  checkReduction(reduction);
  if (reduction === 'mean') return t.mean();
  if (reduction === 'sum') return t.sum();
  return t;
}

/** x·log(y) with 0 where x = 0 (torch.xlogy). */
function xlogy(x: Tensor, y: Tensor): Tensor {
  if (!x.requiresGrad && !y.requiresGrad) {
    return noGrad(() => where(x.eq(0), zeros([], { dtype: x.dtype }), x.mul(y.log())));
  }
  return where(x.eq(0), zeros([], { dtype: x.dtype }), x.mul(y.log()));
}

export function klDiv(input: Tensor, target: Tensor, reduction: Reduction | 'batchmean' = 'mean', logTarget = false): Tensor {
  const out = logTarget ? target.exp().mul(target.sub(input)) : xlogy(target, target).sub(target.mul(input));
  if (reduction === 'batchmean') {
    const s = out.sum();
    return input.dim() === 0 ? s : s.div(input.shape[0]!);
  }
  return applyReduction(out, reduction);
}

/** max(x, m) recorded as ClampMinBackward0 (PyTorch's clamp_min); the gradient passes where x >= m. */
function clampMin(x: Tensor, m: number): Tensor {
  let mask: Tensor | null = null;
  return customOp(
    'ClampMinBackward0',
    [x],
    () => {
      mask = x.ge(m);
      return x.clampMin(m);
    },
    ([g]) => [g!.mul(mask!)],
    { op: 'clamp_min' },
  ) as Tensor;
}

export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, margin = 0, reduction: Reduction = 'mean'): Tensor {
  const out = clampMin(target.neg().mul(input1.sub(input2)).add(margin), 0);
  return applyReduction(out, reduction);
}

export function hingeEmbeddingLoss(input: Tensor, target: Tensor, margin = 1.0, reduction: Reduction = 'mean'): Tensor {
  const zerosT = zeros([], { dtype: input.dtype });
  const marginClamp = clampMin(input.neg().add(margin), 0);
  const outMargin = where(target.ne(1), marginClamp, zerosT);
  const outSelf = where(target.ne(-1), input, zerosT);
  return applyReduction(outMargin.add(outSelf), reduction);
}

/** log(1 + exp(−y·x)), fused (SoftMarginLossBackward0). */
export function softMarginLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return pairwiseLoss(
    'SoftMarginLossBackward0',
    'soft_margin_loss',
    input,
    target,
    reduction,
    (x, y, l) => {
      for (let i = 0; i < x.length; i++) {
        const z = -y[i]! * x[i]!;
        l[i] = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      }
    },
    (x, y, g, gs, dx, dy) => {
      const full = g.length > 0;
      for (let i = 0; i < x.length; i++) {
        const gi = full ? g[i]! : gs;
        const s = 1 / (1 + Math.exp(y[i]! * x[i]!)); // sigmoid(−y·x)
        if (dx) dx[i] = -gi * y[i]! * s;
        if (dy) dy[i] = -gi * x[i]! * s;
      }
    },
  );
}

export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, margin = 0, reduction: Reduction = 'mean'): Tensor {
  const dim = input1.dim() - 1;
  const EPS = 1e-12;
  const prodSum = input1.mul(input2).sum(dim);
  const mag1 = input1.mul(input1).sum(dim).add(EPS);
  const mag2 = input2.mul(input2).sum(dim).add(EPS);
  const denom = mag1.mul(mag2).sqrt();
  const cos = prodSum.div(denom);
  const z = zeros([], { dtype: cos.dtype });
  const pos = cos.rsub(1);
  const neg = clampMin(cos.sub(margin), 0);
  const out = where(target.eq(1), pos, z).add(where(target.eq(-1), neg, z));
  return applyReduction(out, reduction);
}

export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  opts: { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction } = {},
): Tensor {
  const { margin = 1.0, p = 2, eps = 1e-6, swap = false, reduction = 'mean' } = opts;
  const dist = (a: Tensor, b: Tensor) =>
    a
      .sub(b)
      .add(eps)
      .norm(p, a.dim() - 1);
  const dPos = dist(anchor, positive);
  let dNeg = dist(anchor, negative);
  if (swap) dNeg = dNeg.minimum(dist(positive, negative));
  return applyReduction(clampMin(dPos.sub(dNeg).add(margin), 0), reduction);
}

export function poissonNllLoss(
  input: Tensor,
  target: Tensor,
  opts: { logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction } = {},
): Tensor {
  const { logInput = true, full = false, eps = 1e-8, reduction = 'mean' } = opts;
  let loss = logInput ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(eps).log()));
  if (full) {
    const t = target;
    const stirling = noGrad(() => {
      const s = t
        .mul(t.log())
        .sub(t)
        .add(
          t
            .mul(2 * Math.PI)
            .log()
            .mul(0.5),
        );
      return where(t.gt(1), s, zeros([], { dtype: t.dtype }));
    });
    loss = loss.add(stirling);
  }
  return applyReduction(loss, reduction);
}
