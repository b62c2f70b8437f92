// Finite-difference gradient check for nn ops: compares autograd's gradients of sum(f(inputs) · R), R random, with
// central differences in float64 at a sample of coordinates. Independent of the op's own backward code.
import { Tensor, grad, noGrad, randn, manualSeed } from '../../lib/engine/index.ts';

export function gradcheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  opts: { eps?: number; tol?: number; samples?: number } = {},
): void {
  const eps = opts.eps ?? 1e-6,
    tol = opts.tol ?? 1e-5,
    samples = opts.samples ?? 12;
  manualSeed(1234);
  const out = f(...inputs);
  const R = randn(out.shape, { dtype: 'float64' });
  const objective = () =>
    Number(
      noGrad(() =>
        f(...inputs)
          .mul(R)
          .sum(),
      ).item(),
    );
  const leaves = inputs.filter((t) => t.requiresGrad);
  const grads = grad(out.mul(R).sum(), leaves, { allowUnused: true });
  leaves.forEach((x, li) => {
    if (x.dtype !== 'float64' || !x.isContiguous()) throw new Error('gradcheck: inputs must be contiguous float64');
    const g = grads[li] ? grads[li]!.contiguous().dataSync() : new Float64Array(x.numel());
    const data = x.storage as Float64Array;
    const n = x.numel();
    const idx = n <= samples ? [...Array(n).keys()] : Array.from({ length: samples }, (_, k) => Math.floor(((k + 0.5) * n) / samples));
    for (const i of idx) {
      const j = x.offset + i;
      const orig = data[j]!;
      data[j] = orig + eps;
      const up = objective();
      data[j] = orig - eps;
      const down = objective();
      data[j] = orig;
      const num = (up - down) / (2 * eps);
      const ana = Number(g[i]);
      if (!(Math.abs(num - ana) <= tol * (1 + Math.abs(num)))) {
        throw new Error(`gradcheck: input ${li} element ${i}: autograd ${ana} vs finite difference ${num}`);
      }
    }
  });
}

export function leaf(shape: number[], seed = 0): Tensor {
  manualSeed(seed);
  return randn(shape, { dtype: 'float64' }).requiresGrad_(true);
}
