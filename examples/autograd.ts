// Tutorial 5.1 and 5.2: the gradient of y = x^2 - 2x + 1 at x = 2 with backward() and with autograd.grad (first and,
// with createGraph, second derivative), then the one-layer network of 5.2.1: z = x·w + b with
// binary_cross_entropy_with_logits, its grad_fn chain, and the gradients of w and b (w, b fixed for reproducibility).
// Run: npx tsx --conditions=board-source examples/autograd.ts
import { pathToFileURL } from 'node:url';
import { nn, tensor } from 'board';

export function main(log: (s: string) => void = console.log): void {
  // 5.1.1 backward()
  let x = tensor(2.0, { requiresGrad: true });
  let y = tensor.pow(x, 2).sub(x.mul(2)).add(1);
  y.backward();
  log(String(x.grad));
  // 5.1.2 autograd.grad, first and second derivative
  x = tensor(2.0, { requiresGrad: true });
  y = tensor.pow(x, 2).sub(x.mul(2)).add(1);
  const [grad1] = tensor.grad(y, x, { createGraph: true });
  log(`在x=2处一阶导数为: ${String(grad1)}`);
  const [grad2] = tensor.grad(grad1!, x, { createGraph: true });
  log(`在x=2处二阶导数为: ${String(grad2)}`);
  // 5.2.1 the computational graph of a one-layer network
  const input = tensor.ones([5]);
  const target = tensor.zeros([3]);
  const w = tensor.arange(15, { dtype: 'float32' }).reshape([5, 3]).div(15).sub(0.5).requiresGrad_(true);
  const b = tensor([0.1, -0.2, 0.3], { requiresGrad: true });
  const z = tensor.matmul(input, w).add(b);
  const loss = nn.functional.binaryCrossEntropyWithLogits(z, target);
  log(`Gradient function for z = ${z.gradFn?.name}`);
  log(`Gradient function for loss = ${loss.gradFn?.name}`);
  loss.backward();
  log(String(w.grad));
  log(String(b.grad));
  // no_grad and detach stop tracking
  const z2 = tensor.noGrad(() => tensor.matmul(input, w).add(b));
  log(String(z2.requiresGrad));
  log(String(tensor.matmul(input, w).add(b).detach().requiresGrad));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
