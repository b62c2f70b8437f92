// F.linear, F.bilinear, F.embedding, F.dropout, F.one_hot-free helpers. linear follows PyTorch's dispatch so the
// grad_fn matches: 2-D input with bias -> addmm (AddmmBackward0), without bias -> mm, N-D -> addmm on a 2-D view then
// view back (ViewBackward0), 1-D -> matmul + bias (AddBackward0).
import { Tensor, customOp, emptyLike, empty, isGradEnabled, leafGradBuffer } from '../../engine/index.ts';
import { gemm, fusedKernels, type FloatArray } from '../../engine/kernels/index.ts';
import { uninitLike } from '../../engine/kernels/alloc.ts';
import { floatData, wrap, shapeStr } from './util.ts';

export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const inF = weight.shape[weight.dim() - 1]!;
  if (input.shape[input.dim() - 1] !== inF) {
    throw new Error(
      `linear: mat1 and mat2 shapes cannot be multiplied (${input.dim() >= 2 ? input.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1}x${input.shape[input.dim() - 1]} and ${inF}x${weight.shape[0]})`,
    );
  }
  if (input.dim() === 2) {
    // Without bias PyTorch runs x.mm(w.t()): MmBackward0 with edges [x, TBackward0], so that graph is built as is.
    if (!bias) return input.mm(weight.t());
    if (
      weight.dim() === 2 &&
      (weight.dtype === 'float32' || weight.dtype === 'float64') &&
      input.dtype === weight.dtype &&
      bias.dtype === weight.dtype &&
      bias.dim() === 1
    ) {
      return fusedLinear(input, weight, bias);
    }
    return bias.addmm(input, weight.t());
  }
  if (input.dim() === 1 || !bias) {
    const out = input.matmul(weight.t());
    return bias ? out.add(bias) : out;
  }
  const lead = input.shape.slice(0, -1);
  const out = bias.addmm(input.reshape([-1, inF]), weight.t());
  return out.view([...lead, weight.shape[0]!]);
}

/**
 * x·Wᵀ + b for 2-D x as one node (AddmmBackward0, as PyTorch names it). Its backward writes dW = gyᵀ·x directly in
 * W's layout: no transposed gradient view to accumulate, no bias broadcast copy.
 * Under create_graph the backward is built from differentiable engine ops instead, so higher-order grads still work.
 */
function fusedLinear(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const [M, K] = x.shape as [number, number];
  const N = w.shape[0]!;
  return customOp(
    'AddmmBackward0',
    [x, w, b],
    () => {
      const xs = floatData(x.contiguous(), 'linear'),
        ws = floatData(w.contiguous(), 'linear');
      const y = uninitLike(xs, M * N); // bias rows, then the GEMM accumulates onto them: every element written
      const bs = floatData(b.contiguous(), 'linear');
      for (let i = 0; i < M; i++) y.set(bs, i * N);
      gemm(false, true, M, N, K, 1, xs, 0, K, ws, 0, K, 1, y, 0, N);
      return wrap(y, [M, N]);
    },
    ([gyT]) => {
      const gy = gyT!;
      if (isGradEnabled()) {
        return [x.requiresGrad ? gy.mm(w) : null, w.requiresGrad ? gy.t().mm(x) : null, b.requiresGrad ? gy.sum(0) : null];
      }
      const g = floatData(gy.contiguous(), 'linear');
      let dx: FloatArray | null = null,
        dw: FloatArray | null = null,
        db: FloatArray | null = null;
      if (x.requiresGrad) {
        dx = uninitLike(g, M * K); // beta = 0: fully written
        gemm(false, false, M, K, N, 1, g, 0, N, floatData(w.contiguous(), 'linear'), 0, K, 0, dx, 0, K);
      }
      // Parameter gradients go straight into .grad where the engine allows it (leafGradBuffer): the GEMM accumulates
      // with beta = 1, so no gradient-sized temporary is allocated and added afterwards.
      if (w.requiresGrad) {
        const sink = leafGradBuffer(w);
        const xs = floatData(x.contiguous(), 'linear');
        if (sink) {
          gemm(true, false, N, K, M, 1, g, 0, N, xs, 0, K, sink.fresh ? 0 : 1, sink.data, 0, K);
          sink.done();
        } else {
          dw = uninitLike(g, N * K);
          gemm(true, false, N, K, M, 1, g, 0, N, xs, 0, K, 0, dw, 0, K);
        }
      }
      if (b.requiresGrad) {
        const sink = leafGradBuffer(b);
        if (sink) {
          sumRows(g, M, N, sink.data, sink.fresh ? 0 : 1);
          sink.done();
        } else {
          db = uninitLike(g, N);
          sumRows(g, M, N, db, 0);
        }
      }
      return [dx ? wrap(dx, [M, K]) : null, dw ? wrap(dw, [N, K]) : null, db ? wrap(db, [N]) : null];
    },
    { op: 'addmm' },
  ) as Tensor;
}

/** out[j] = beta·out[j] + Σ_i g[i·N + j] over an [M, N] matrix (beta 0 or 1): a bias gradient, in C or WebAssembly SIMD. */
function sumRows(g: FloatArray, M: number, N: number, out: FloatArray, beta: 0 | 1): void {
  const nat = fusedKernels();
  if (nat && g instanceof Float32Array && out instanceof Float32Array) return nat.sumRows(g, M, N, out, beta);
  if (beta === 0) out.fill(0, 0, N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out[j] += g[i * N + j]!;
}

/** y_k = x1ᵀ W_k x2 + b_k over the last dims of x1 and x2. */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const [out, in1, in2] = weight.shape as [number, number, number];
  if (input1.shape[input1.dim() - 1] !== in1 || input2.shape[input2.dim() - 1] !== in2) {
    throw new Error(
      `bilinear: input1 ${shapeStr(input1.shape)} and input2 ${shapeStr(input2.shape)} do not match weight ${shapeStr(weight.shape)}`,
    );
  }
  const lead = input1.shape.slice(0, -1);
  const x1 = input1.reshape([-1, in1]);
  const x2 = input2.reshape([-1, in2]);
  // (B, in1) @ (in1, out·in2) -> (B, out, in2), times x2 broadcast over out, summed over in2
  const w = weight.permute([1, 0, 2]).reshape([in1, out * in2]);
  let y = x1.mm(w).view([-1, out, in2]).mul(x2.unsqueeze(1)).sum(2);
  // PyTorch's _trilinear ends in a reshape to the output shape: its graph without bias ends in ReshapeAliasBackward0
  if (!bias) return y.reshape([...lead, out]);
  if (lead.length !== 1) y = y.view([...lead, out]);
  return y.add(bias);
}

export interface EmbeddingOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
}

/** Row lookup; the weight gradient is a scatter-add that skips paddingIdx (EmbeddingBackward0). */
export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  const op = 'embedding';
  if (input.dtype !== 'int64' && input.dtype !== 'int32')
    throw new Error(
      `${op}: Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${input.dtype} instead`,
    );
  const [num, dim] = weight.shape as [number, number];
  let pad = opts.paddingIdx ?? null;
  if (pad !== null && pad < 0) pad += num;
  const idx = input.dataSync();
  for (let i = 0; i < idx.length; i++) {
    if (idx[i]! < 0 || idx[i]! >= num) throw new Error(`${op}: index out of range in self (index ${idx[i]}, num_embeddings ${num})`);
  }
  if (opts.maxNorm !== undefined && opts.maxNorm !== null) renormRows(weight, idx, opts.maxNorm, opts.normType ?? 2);
  return customOp(
    'EmbeddingBackward0',
    [weight],
    () => {
      const w = floatData(weight, op);
      const out = (w instanceof Float32Array ? new Float32Array(idx.length * dim) : new Float64Array(idx.length * dim)) as FloatArray;
      for (let i = 0; i < idx.length; i++) out.set(w.subarray(idx[i]! * dim, idx[i]! * dim + dim), i * dim);
      return wrap(out, [...input.shape, dim]);
    },
    ([gy]) => {
      const g = floatData(gy!.contiguous(), op);
      const dw = (g instanceof Float32Array ? new Float32Array(num * dim) : new Float64Array(num * dim)) as FloatArray;
      for (let i = 0; i < idx.length; i++) {
        const r = idx[i]!;
        if (r === pad) continue;
        const o = r * dim,
          s = i * dim;
        for (let j = 0; j < dim; j++) dw[o + j] += g[s + j]!;
      }
      return [wrap(dw, weight.shape)];
    },
    { op, attrs: { paddingIdx: pad } },
  ) as Tensor;
}

/** max_norm: rows referenced by `idx` with norm > maxNorm are rescaled in place (no grad), as PyTorch. */
function renormRows(weight: Tensor, idx: ArrayLike<number>, maxNorm: number, p: number): void {
  const dim = weight.shape[1]!;
  const w = (weight.storage as FloatArray).subarray(weight.offset, weight.offset + weight.numel());
  const seen = new Set<number>();
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    if (seen.has(r)) continue;
    seen.add(r);
    let n = 0;
    for (let j = 0; j < dim; j++) n += Math.abs(w[r * dim + j]!) ** p;
    n = n ** (1 / p);
    if (n > maxNorm) {
      const scale = maxNorm / (n + 1e-7);
      for (let j = 0; j < dim; j++) w[r * dim + j] = w[r * dim + j]! * scale;
    }
  }
  weight._bumpVersion();
}

/** Zeroes elements with probability p and scales the rest by 1/(1−p) in training (MulBackward0); identity otherwise. */
export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  if (p < 0 || p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0 || input.numel() === 0) return input;
  if (p === 1) return input.mul(0);
  const mask = emptyLike(input)
    .bernoulli_(1 - p)
    .div_(1 - p);
  return input.mul(mask);
}

/** Zeroes whole channels (dims ≥ 2 share one draw per (N, C)). */
export function dropoutNd(input: Tensor, p = 0.5, training = true): Tensor {
  if (p < 0 || p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  const shape = input.shape.map((s, i) => (i < 2 ? s : 1));
  const m = empty(shape, { dtype: input.dtype })
    .bernoulli_(1 - p)
    .div_(1 - p);
  return input.mul(m);
}
