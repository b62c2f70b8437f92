// Finite-difference checks of every gradient rule (float64), plus second-order checks through createGraph.
import { test, expect } from 'vitest';
import { Tensor, tensor, grad, randn, rand, Generator, ops, slice } from '../../lib/engine/index.ts';

const gen = new Generator(1234);
const r = (...shape: number[]) => randn(shape, { dtype: 'float64', generator: gen });
const pos = (...shape: number[]) => rand(shape, { dtype: 'float64', generator: gen }).add(0.5);

/** Compare autograd gradients of sum(f(xs) * w) with central differences. */
function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], { eps = 1e-6, atol = 1e-6, rtol = 1e-4 } = {}): void {
  const xs = inputs.map((x) => x.detach().clone().requiresGrad_(true));
  const out = f(...xs);
  const w = randn(out.shape, { dtype: 'float64', generator: gen });
  const scalar = (o: Tensor) => o.mul(w).sum();
  const analytic = grad(scalar(out), xs, { allowUnused: true });
  xs.forEach((x, i) => {
    const base = x.detach().clone();
    const data = base.storage as Float64Array;
    const num = new Float64Array(data.length);
    for (let k = 0; k < data.length; k++) {
      const orig = data[k]!;
      data[k] = orig + eps;
      const fp = Number(scalar(f(...xs.map((y, j) => (j === i ? base : y.detach())))).item());
      data[k] = orig - eps;
      const fm = Number(scalar(f(...xs.map((y, j) => (j === i ? base : y.detach())))).item());
      data[k] = orig;
      num[k] = (fp - fm) / (2 * eps);
    }
    const a = analytic[i] ? (analytic[i]!.contiguous().dataSync() as Float64Array) : new Float64Array(data.length);
    for (let k = 0; k < num.length; k++) {
      expect(Math.abs(a[k]! - num[k]!), `input ${i} element ${k}: analytic ${a[k]} numeric ${num[k]}`).toBeLessThanOrEqual(
        atol + rtol * Math.abs(num[k]!),
      );
    }
  });
}

const unary: Array<[string, (x: Tensor) => Tensor, () => Tensor]> = [
  ['neg', (x) => x.neg(), () => r(3, 4)],
  ['abs', (x) => x.abs(), () => r(3, 4)],
  ['exp', (x) => x.exp(), () => r(3, 4)],
  ['log', (x) => x.log(), () => pos(3, 4)],
  ['log2', (x) => x.log2(), () => pos(5)],
  ['log10', (x) => x.log10(), () => pos(5)],
  ['log1p', (x) => x.log1p(), () => pos(5)],
  ['expm1', (x) => x.expm1(), () => r(5)],
  ['sqrt', (x) => x.sqrt(), () => pos(3, 4)],
  ['rsqrt', (x) => x.rsqrt(), () => pos(3, 4)],
  ['sin', (x) => x.sin(), () => r(5)],
  ['cos', (x) => x.cos(), () => r(5)],
  ['tan', (x) => x.tan(), () => r(5).mul(0.3)],
  ['tanh', (x) => x.tanh(), () => r(5)],
  ['sigmoid', (x) => x.sigmoid(), () => r(5)],
  ['reciprocal', (x) => x.reciprocal(), () => pos(5)],
  ['asin', (x) => x.asin(), () => rand([5], { dtype: 'float64', generator: gen }).sub(0.5)],
  ['acos', (x) => x.acos(), () => rand([5], { dtype: 'float64', generator: gen }).sub(0.5)],
  ['atan', (x) => x.atan(), () => r(5)],
  ['sinh', (x) => x.sinh(), () => r(5)],
  ['cosh', (x) => x.cosh(), () => r(5)],
  ['erf', (x) => x.erf(), () => r(5)],
  ['relu', (x) => x.relu(), () => r(3, 4)],
  ['leakyRelu', (x) => ops.leakyRelu(x, 0.2), () => r(3, 4)],
  ['elu', (x) => ops.elu(x, 0.7), () => r(3, 4)],
  ['gelu', (x) => ops.gelu(x), () => r(3, 4)],
  ['gelu tanh', (x) => ops.gelu(x, 'tanh'), () => r(3, 4)],
  ['softplus', (x) => ops.softplus(x, 2, 1), () => r(3, 4)],
  ['silu', (x) => ops.silu(x), () => r(3, 4)],
  ['hardtanh', (x) => ops.hardtanh(x, -0.5, 0.5), () => r(3, 4)],
  ['clamp', (x) => x.clamp(-0.5, 0.3), () => r(3, 4)],
  ['pow 3', (x) => x.pow(3), () => r(3, 4)],
  ['pow 2.5', (x) => x.pow(2.5), () => pos(4)],
  ['square', (x) => x.square(), () => r(4)],
  ['sum', (x) => x.sum(), () => r(3, 4)],
  ['sum dims', (x) => x.sum([0, 2], true), () => r(2, 3, 4)],
  ['mean', (x) => x.mean(1), () => r(3, 4)],
  ['prod', (x) => x.prod(1), () => r(3, 4)],
  ['prod all', (x) => x.prod(), () => r(2, 3)],
  ['var', (x) => x.var(1), () => r(3, 4)],
  ['std', (x) => x.std(), () => r(3, 4)],
  ['std biased', (x) => x.std([0, 1], { unbiased: false }), () => r(3, 4)],
  ['norm', (x) => x.norm(), () => r(3, 4)],
  ['norm p1', (x) => x.norm(1, 1), () => r(3, 4)],
  ['norm p3', (x) => x.norm(3, 0, true), () => r(3, 4)],
  ['norm inf', (x) => x.norm(Infinity), () => r(3, 4)],
  ['logsumexp', (x) => x.logsumexp(1), () => r(3, 4)],
  ['softmax', (x) => x.softmax(1), () => r(3, 4)],
  ['logSoftmax', (x) => x.logSoftmax(0), () => r(3, 4)],
  ['cumsum', (x) => x.cumsum(1), () => r(3, 4)],
  ['cumprod', (x) => x.cumprod(1), () => r(3, 4)],
  ['cumprod with zero', (x) => x.maskedFill(tensor([false, true, false, false]), 0).cumprod(0), () => r(4, 2).T],
  ['max', (x) => x.max(), () => r(3, 4)],
  ['max dim', (x) => x.max(1).values, () => r(3, 4)],
  ['amin', (x) => x.amin(0), () => r(3, 4)],
  ['median', (x) => x.median(), () => r(3, 5)],
  ['median dim', (x) => x.median(1).values, () => r(3, 5)],
  ['topk', (x) => x.topk(2, 1).values, () => r(3, 5)],
  ['sort', (x) => x.sort(0, true).values, () => r(3, 5)],
  ['view', (x) => x.view(4, 3), () => r(3, 4)],
  ['reshape T', (x) => x.T.reshape(-1), () => r(3, 4)],
  ['transpose', (x) => x.transpose(0, 2), () => r(2, 3, 4)],
  ['permute', (x) => x.permute(2, 0, 1), () => r(2, 3, 4)],
  ['expand', (x) => x.expand(2, 3, 4), () => r(3, 1)],
  ['squeeze', (x) => x.squeeze(1), () => r(3, 1, 2)],
  ['unsqueeze', (x) => x.unsqueeze(-1), () => r(3, 2)],
  ['flatten', (x) => x.flatten(1), () => r(2, 3, 4)],
  ['narrow', (x) => x.narrow(1, 1, 2), () => r(3, 4)],
  ['select', (x) => x.select(1, -1), () => r(3, 4)],
  ['slice step', (x) => x.index(slice(null, null, 2), slice(1, null)), () => r(5, 4)],
  ['index list', (x) => x.index([0, 2, 0]), () => r(3, 4)],
  ['index mask', (x) => x.index(x.gt(0)), () => r(3, 4)],
  ['index two tensors', (x) => x.index(tensor([0, 2]), tensor([1, 3])), () => r(3, 4)],
  ['repeat', (x) => x.repeat(2, 1, 3), () => r(2, 2)],
  ['roll', (x) => x.roll([1, -2], [0, 1]), () => r(3, 4)],
  ['flip', (x) => x.flip([0]), () => r(3, 4)],
  ['tril', (x) => x.tril(), () => r(3, 4)],
  ['unfold overlapping', (x) => x.unfold(1, 3, 1), () => r(2, 5)],
  ['unfold strided', (x) => x.T.unfold(0, 2, 2), () => r(3, 5)],
  ['triu', (x) => x.triu(1), () => r(3, 4)],
  ['split', (x) => x.split(2, 1)[1]!.mul(2), () => r(3, 5)],
  ['chunk+cat', (x) => ops.cat(x.chunk(3, 0).reverse(), 0), () => r(6, 2)],
  ['unbind+stack', (x) => ops.stack(x.unbind(1), 0), () => r(3, 2)],
  [
    'gather',
    (x) =>
      x.gather(
        1,
        tensor([
          [0, 0],
          [1, 0],
        ]),
      ),
    () => r(2, 3),
  ],
  ['indexSelect', (x) => x.indexSelect(1, tensor([2, 0, 2])), () => r(2, 3)],
  ['maskedFill', (x) => x.maskedFill(tensor([true, false, true]), 0.5), () => r(2, 3)],
  ['clone', (x) => x.clone(), () => r(3)],
  ['contiguous', (x) => x.T.contiguous(), () => r(2, 3)],
];
for (const [name, f, make] of unary) test(`gradcheck ${name}`, () => gradcheck(f, [make()]));
test('gradcheck float32 round trip (ToCopyBackward0)', () => gradcheck((x) => x.float().double(), [r(3)], { eps: 1e-3, atol: 1e-3 }));

const binary: Array<[string, (a: Tensor, b: Tensor) => Tensor, () => Tensor[]]> = [
  ['add broadcast', (a, b) => a.add(b, { alpha: 0.5 }), () => [r(3, 4), r(4)]],
  ['sub', (a, b) => a.sub(b), () => [r(3, 1), r(1, 4)]],
  ['rsub', (a, b) => a.rsub(b), () => [r(3, 4), r(3, 4)]],
  ['mul', (a, b) => a.mul(b), () => [r(2, 3, 4), r(3, 1)]],
  ['div', (a, b) => a.div(b), () => [r(3, 4), pos(4)]],
  ['pow tensor', (a, b) => a.pow(b), () => [pos(3, 4), r(4)]],
  ['maximum', (a, b) => a.maximum(b), () => [r(3, 4), r(3, 4)]],
  ['minimum', (a, b) => a.minimum(b), () => [r(3, 4), r(4)]],
  ['atan2', (a, b) => a.atan2(b), () => [r(5), r(5)]],
  ['remainder', (a, b) => a.remainder(b), () => [r(5).mul(3), pos(5)]],
  ['where', (a, b) => ops.where(a.gt(0), a, b), () => [r(3, 4), r(4)]],
  ['clamp tensor', (a, b) => a.clamp(b, b.add(1)), () => [r(3, 4), r(4)]],
  ['mm', (a, b) => a.mm(b), () => [r(3, 4), r(4, 2)]],
  ['mm transposed', (a, b) => a.T.mm(b.T), () => [r(4, 3), r(2, 4)]],
  ['mv', (a, b) => a.mv(b), () => [r(3, 4), r(4)]],
  ['bmm', (a, b) => a.bmm(b), () => [r(2, 3, 4), r(2, 4, 2)]],
  ['dot', (a, b) => a.dot(b), () => [r(4), r(4)]],
  ['outer', (a, b) => a.outer(b), () => [r(3), r(4)]],
  ['matmul batched broadcast', (a, b) => a.matmul(b), () => [r(2, 1, 3, 4), r(3, 4, 2)]],
  ['matmul 1d-2d', (a, b) => a.matmul(b), () => [r(4), r(4, 3)]],
  ['matmul 3d-1d', (a, b) => a.matmul(b), () => [r(2, 3, 4), r(4)]],
  ['cat', (a, b) => ops.cat([a, b], 1), () => [r(2, 3), r(2, 1)]],
  ['stack', (a, b) => ops.stack([a, b], -1), () => [r(2, 3), r(2, 3)]],
  [
    'scatter',
    (a, b) =>
      a.scatter(
        1,
        tensor([
          [0, 2],
          [1, 0],
        ]),
        b,
      ),
    () => [r(2, 3), r(2, 2)],
  ],
  [
    'scatterAdd',
    (a, b) =>
      a.scatterAdd(
        0,
        tensor([
          [0, 1, 0],
          [0, 0, 1],
        ]),
        b,
      ),
    () => [r(2, 3), r(2, 3)],
  ],
  ['indexPut accumulate', (a, b) => a.indexPut([tensor([0, 0, 2])], b, true), () => [r(3, 2), r(3, 2)]],
  [
    'setitem',
    (a, b) => {
      const c = a.mul(1);
      c.indexPut_([slice(null, null, 2), 1], b);
      return c;
    },
    () => [r(4, 3), r(2)],
  ],
];
for (const [name, f, make] of binary) test(`gradcheck ${name}`, () => gradcheck(f, make()));

test('gradcheck addmm with alpha/beta', () =>
  gradcheck((c, a, b) => ops.addmm(c, a, b, { alpha: 0.5, beta: 2 }), [r(4), r(3, 2), r(2, 4)]));

test('second derivatives through createGraph match finite differences of the first derivative', () => {
  const fs: Array<(x: Tensor) => Tensor> = [
    (x) => x.pow(3).sum(),
    (x) => x.exp().mul(x).sum(),
    (x) => x.sin().mul(x.cos()).sum(),
    (x) => x.tanh().pow(2).sum(),
    (x) => x.sigmoid().log().sum(),
    (x) =>
      x
        .softmax(0)
        .mul(tensor([1, 2, 3], { dtype: 'float64' }))
        .sum(),
    (x) => x.div(x.norm()).sum(),
    (x) => x.outer(x).mm(x.unsqueeze(1)).sum(),
    (x) => ops.gelu(x).sum(),
    (x) => ops.gelu(x, 'tanh').sum(),
    (x) => ops.softplus(x, 2, 1).mul(x).sum(),
    (x) => ops.silu(x).sum(),
    (x) => ops.elu(x, 0.5).mul(x).sum(),
    (x) => x.hypot(x.mul(2).add(1)).sum(),
    (x) => ops.lerp(x, x.sin(), 0.3).pow(2).sum(),
    (x) => x.logsumexp(0),
    (x) => x.std(),
    (x) => x.prod(),
  ];
  for (const f of fs) {
    const x0 = r(3);
    gradcheck(
      (x) => {
        const xr = x.requiresGrad ? x : x.detach().requiresGrad_(true);
        return grad(f(xr), xr, { createGraph: true })[0]!;
      },
      [x0],
    );
  }
});

test('tutorial: second derivative of x^2 - 2x + 1 is 2', () => {
  const x = tensor(2.0, { requiresGrad: true });
  const y = x.pow(2).sub(x.mul(2)).add(1);
  const [dy] = grad(y, x, { createGraph: true });
  expect(dy!.item()).toBe(2);
  expect(dy!.requiresGrad).toBe(true);
  const [d2y] = grad(dy!, x);
  expect(d2y!.item()).toBe(2);
  expect(x.grad).toBeNull();
});
