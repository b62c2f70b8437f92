import { expect, test } from 'vitest';
import { nn, tensor } from 'board';

const f32 = (d: number[]) => tensor(d, { dtype: 'float32' });

test('clipGradNorm_ scales gradients to the max norm and returns the norm before clipping', () => {
  const a = f32([1, 1]).requiresGrad_();
  const b = f32([1]).requiresGrad_();
  a.grad = f32([3, 0]);
  b.grad = f32([4]);
  const n = nn.utils.clipGradNorm_([a, b], 1);
  expect(Number(n.item())).toBeCloseTo(5, 5);
  expect(a.grad.tolist()[0]).toBeCloseTo(0.6, 5);
  expect(b.grad.tolist()[0]).toBeCloseTo(0.8, 5);
  expect(Number(nn.utils.clipGradNorm_([a, b], 10, Infinity).item())).toBeCloseTo(0.8, 5);
  expect(b.grad.tolist()[0]).toBeCloseTo(0.8, 5);
});

test('clipGradValue_ and parameter vectors', () => {
  const lin = new nn.Linear(2, 2);
  lin
    .call(f32([10, -10]).reshape([1, 2]))
    .sum()
    .backward();
  nn.utils.clipGradValue_(lin.parameters(), 0.5);
  for (const p of lin.parameters()) for (const v of p.grad!.tolist().flat()) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
  const vec = nn.utils.parametersToVector(lin.parameters());
  expect(vec.shape).toEqual([6]);
  nn.utils.vectorToParameters(f32([1, 2, 3, 4, 5, 6]), lin.parameters());
  expect(lin.weight.tolist()).toEqual([
    [1, 2],
    [3, 4],
  ]);
  expect(lin.bias!.tolist()).toEqual([5, 6]);
});

test('ReLU(inplace=True) overwrites its input and still backpropagates', () => {
  const a = f32([-1, 2, -3]).requiresGrad_();
  const h = a.mul(2);
  const out = new nn.ReLU(true).call(h);
  expect(out).toBe(h);
  expect(h.tolist()).toEqual([0, 4, 0]);
  out.sum().backward();
  expect(a.grad!.tolist()).toEqual([0, 2, 0]);
});
