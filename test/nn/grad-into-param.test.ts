// Fused linear and convolution backward passes write parameter gradients straight into `.grad` during a plain
// backward() (engine/autograd.ts leafGradBuffer). These tests pin the cases where that must be invisible: a second
// backward accumulates, hooks still see (and may replace) the gradient, autograd.grad leaves `.grad` alone,
// create_graph keeps a differentiable gradient, and a `.grad` that is a non-contiguous view or was set by the user is
// respected. They run on the current backend (BOARD_BACKEND) and, where the addon is built, on the native one.
import { afterAll, describe, expect, it } from 'vitest';
import { nn, Tensor } from '../../lib/index.ts';
import { grad, manualSeed, randn } from '../../lib/engine/index.ts';
import { gemmBackend, setGemmBackend, type GemmBackend } from '../../lib/engine/kernels/index.ts';
import { nativeAddon } from '../../lib/engine/kernels/native.ts';

const initial = gemmBackend();
afterAll(() => setGemmBackend(initial));
const backends: GemmBackend[] = [...new Set<GemmBackend>([initial, ...(nativeAddon() ? ['native' as const] : [])])];

const arr = (t: Tensor | null) => Array.from(t!.dataSync() as Float32Array);
function close(a: number[], b: number[], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!))));
}

/** A small linear + conv model and a loss over it. */
function setup() {
  manualSeed(3);
  const lin = new nn.Linear(7, 5);
  const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
  const x = randn([4, 7]),
    img = randn([2, 2, 5, 5]);
  const loss = () =>
    (lin.call(x) as Tensor)
      .pow(2)
      .sum()
      .add((conv.call(img) as Tensor).pow(2).sum());
  return { lin, conv, loss, params: [lin.weight, lin.bias!, conv.weight, conv.bias!] };
}

describe.each(backends)('parameter gradients written in place on the %s backend', (be) => {
  it('a second backward() adds to .grad (same tensor object), and equals twice the first', () => {
    setGemmBackend(be);
    const { loss, params } = setup();
    loss().backward();
    const first = params.map((p) => arr(p.grad));
    const objs = params.map((p) => p.grad);
    loss().backward();
    params.forEach((p, i) => {
      expect(p.grad).toBe(objs[i]);
      close(
        arr(p.grad),
        first[i]!.map((v) => 2 * v),
      );
    });
  });

  it('hooks on a parameter see the gradient and can replace it', () => {
    setGemmBackend(be);
    const { loss, lin, conv } = setup();
    loss().backward();
    const ref = [arr(lin.weight.grad), arr(conv.weight.grad)];
    lin.weight.grad = null;
    conv.weight.grad = null;
    const seen: number[][] = [];
    lin.weight.registerHook((g) => void seen.push(arr(g)));
    conv.weight.registerHook((g) => g.mul(3));
    loss().backward();
    close(seen[0]!, ref[0]!);
    close(arr(lin.weight.grad), ref[0]!);
    close(
      arr(conv.weight.grad),
      ref[1]!.map((v) => 3 * v),
    );
  });

  it('autograd.grad returns the gradients and leaves .grad untouched', () => {
    setGemmBackend(be);
    const { loss, params } = setup();
    loss().backward();
    const before = params.map((p) => arr(p.grad));
    const gs = grad(loss(), params);
    params.forEach((p, i) => {
      close(arr(gs[i]!), before[i]!);
      expect(arr(p.grad)).toEqual(before[i]);
    });
  });

  it('create_graph gives a .grad with history; a non-contiguous or user-set .grad is still accumulated into correctly', () => {
    setGemmBackend(be);
    const { loss, params, lin } = setup();
    loss().backward();
    const ref = params.map((p) => arr(p.grad));
    params.forEach((p) => (p.grad = null));
    loss().backward(null, { createGraph: true });
    expect(lin.weight.grad!.requiresGrad).toBe(true);
    params.forEach((p, i) => close(arr(p.grad!.detach()), ref[i]!));
    // A transposed view as .grad (not contiguous): the engine must add through its strides.
    params.forEach((p) => (p.grad = null));
    lin.weight.grad = randn([7, 5]).mul(0).add(1).t();
    loss().backward();
    close(
      arr(lin.weight.grad),
      ref[0]!.map((v) => v + 1),
    );
  });
});
