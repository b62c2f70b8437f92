// nn.utils: gradient clipping and flattening parameters to one vector (torch.nn.utils).
import { Tensor, cat, noGrad } from '../engine/index.ts';

function gradsOf(parameters: Iterable<Tensor> | Tensor): Tensor[] {
  const ps = parameters instanceof Tensor ? [parameters] : [...parameters];
  return ps.map((p) => p.grad).filter((g): g is Tensor => g !== null);
}

/**
 * Scales all gradients in place so their joint norm is at most maxNorm; returns the total norm before clipping
 * (a 0-dim tensor), as torch.nn.utils.clip_grad_norm_. normType may be Infinity.
 */
export function clipGradNorm_(
  parameters: Iterable<Tensor> | Tensor,
  maxNorm: number,
  normType = 2,
  opts: { errorIfNonfinite?: boolean } = {},
): Tensor {
  const grads = gradsOf(parameters);
  return noGrad(() => {
    if (grads.length === 0) return Tensor.fromTypedArray(new Float32Array(1), [], 'float32');
    let total: number;
    if (normType === Infinity) {
      total = 0;
      for (const g of grads) total = Math.max(total, Number(g.abs().max().item()));
    } else {
      let s = 0;
      for (const g of grads) s += Number(g.norm(normType).item()) ** normType;
      total = s ** (1 / normType);
    }
    if (opts.errorIfNonfinite && !Number.isFinite(total)) {
      throw new Error(
        `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`errorIfNonfinite=false\``,
      );
    }
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1) for (const g of grads) g.mul_(coef);
    return grads[0]!.dtype === 'float64'
      ? Tensor.fromTypedArray(new Float64Array([total]), [], 'float64')
      : Tensor.fromTypedArray(new Float32Array([total]), [], 'float32');
  });
}

/** Clamps every gradient element to [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  noGrad(() => {
    for (const g of gradsOf(parameters)) g.clamp_(-clipValue, clipValue);
  });
}

/** All parameters flattened and concatenated into one vector. */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  return cat(
    [...parameters].map((p) => p.reshape([-1])),
    0,
  );
}

/** Copies consecutive slices of `vec` into the parameters (in place, no grad). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (vec.dim() !== 1) throw new Error(`expected a 1-D vector, got shape [${vec.shape.join(', ')}]`);
  noGrad(() => {
    let off = 0;
    for (const p of parameters) {
      const n = p.numel();
      p.copy_(vec.narrow(0, off, n).view(p.shape));
      off += n;
    }
    if (off !== vec.numel()) throw new Error(`vector has ${vec.numel()} elements, parameters need ${off}`);
  });
}
