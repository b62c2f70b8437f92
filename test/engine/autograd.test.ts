// Autograd semantics the oracle does not pin down: graph structure, retained/released grads, errors, in-place
// rules and version counters, grad(), no-grad modes, custom ops, scopes and profiling metadata.
import { test, expect } from 'vitest';
import {
  tensor,
  ones,
  zeros,
  arange,
  grad,
  noGrad,
  enableGrad,
  isGradEnabled,
  customOp,
  pushScope,
  popScope,
  setProfiling,
  backwardAll,
  slice,
  Tensor,
  ops,
} from '../../lib/engine/index.ts';

test('tutorial graph: gradFn names, nextFunctions with AccumulateGrad, isLeaf, retainGrad', () => {
  const x = tensor(2, { requiresGrad: true }),
    w = tensor(1, { requiresGrad: true });
  const a = x.add(w);
  a.retainGrad();
  const b = w.add(1);
  const y = a.mul(b);
  y.backward();
  expect([x.grad!.item(), w.grad!.item(), a.grad!.item()]).toEqual([2, 5, 2]);
  expect(b.grad).toBeNull();
  expect(y.gradFn!.name).toBe('MulBackward0');
  expect(y.gradFn!.nextFunctions.map(([n, i]) => [n?.name, i])).toEqual([
    ['AddBackward0', 0],
    ['AddBackward0', 0],
  ]);
  expect(b.gradFn!.nextFunctions.map(([n, i]) => [n?.name ?? null, i])).toEqual([
    ['AccumulateGrad', 0],
    [null, 0],
  ]);
  expect(a.gradFn!.nextFunctions[0]![0]!.variable).toBe(x);
  expect([x.isLeaf, a.isLeaf, a.requiresGrad, x.float() === x]).toEqual([true, false, true, true]);
});

test("backward twice without retainGraph raises PyTorch's error; retainGraph accumulates", () => {
  const x = tensor([1.0, 2, 3], { requiresGrad: true });
  const y = x.pow(2).sum();
  y.backward(null, { retainGraph: true });
  y.backward(null, { retainGraph: true });
  expect(Array.from(x.grad!.dataSync())).toEqual([4, 8, 12]);
  x.grad!.zero_();
  y.backward();
  expect(Array.from(x.grad!.dataSync())).toEqual([2, 4, 6]);
  expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
});

test('non-scalar backward needs a gradient; leaves without grad raise', () => {
  const x = tensor([1.0, 2], { requiresGrad: true });
  expect(() => x.mul(2).backward()).toThrow('grad can be implicitly created only for scalar outputs');
  expect(() => tensor([1.0]).sum().backward()).toThrow('element 0 of tensors does not require grad and does not have a grad_fn');
  x.mul(2).backward(tensor([1, 10], { dtype: 'float32' }));
  expect(Array.from(x.grad!.dataSync())).toEqual([2, 20]);
  expect(() => x.mul(2).backward(ones(3))).toThrow(/Mismatch in shape/);
});

test('grad() does not touch .grad, needs allowUnused for unused inputs, supports gradOutputs', () => {
  const x = tensor([1.0, 2], { requiresGrad: true }),
    u = tensor([3.0], { requiresGrad: true });
  const [g] = grad(x.mul(x).sum(), x);
  expect(Array.from(g!.dataSync())).toEqual([2, 4]);
  expect(x.grad).toBeNull();
  expect(() => grad(x.mul(3).sum(), [x, u])).toThrow(/appears to not have been used in the graph/);
  expect(grad(x.mul(3).sum(), [x, u], { allowUnused: true })[1]).toBeNull();
  const [gv] = grad(x.mul(3), x, { gradOutputs: tensor([1, -1], { dtype: 'float32' }) });
  expect(Array.from(gv!.dataSync())).toEqual([3, -3]);
  expect(() => grad(x.sum(), tensor([1.0]))).toThrow(/does not require grad/);
});

test('grad with respect to a non-leaf and backwardAll over several roots', () => {
  const x = tensor([1.0, 2], { requiresGrad: true });
  const h = x.mul(3);
  const [gh] = grad(h.pow(2).sum(), h);
  expect(Array.from(gh!.dataSync())).toEqual([6, 12]);
  const a = x.mul(2),
    b = x.mul(x);
  backwardAll([a.sum(), b.sum()]);
  expect(Array.from(x.grad!.dataSync())).toEqual([4, 6]);
});

test('noGrad / enableGrad / requiresGrad_ / detach', () => {
  const x = tensor([1.0, 2], { requiresGrad: true });
  const y = noGrad(() => x.mul(2));
  expect([y.requiresGrad, y.gradFn, y.isLeaf]).toEqual([false, null, true]);
  expect(noGrad(() => enableGrad(() => x.mul(2))).requiresGrad).toBe(true);
  expect(noGrad(() => isGradEnabled())).toBe(false);
  expect(isGradEnabled()).toBe(true);
  const d = x.detach();
  expect([d.requiresGrad, d.storage === x.storage]).toEqual([false, true]);
  d.add_(1);
  expect(Array.from(x.dataSync())).toEqual([2, 3]);
  expect(() => x.mul(2).requiresGrad_(false)).toThrow(/only change requires_grad flags of leaf variables/);
  expect(() => arange(3).requiresGrad_()).toThrow(/floating point/);
  const z = zeros(2).requiresGrad_();
  expect(z.requiresGrad).toBe(true);
});

test("in-place ops: version counters, PyTorch's modified-by-inplace error, leaf refusal", () => {
  const x = tensor([1.0, 2, 3], { requiresGrad: true });
  expect(() => x.add_(1)).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
  expect(() => x.index(0).mul_(2)).toThrow('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  noGrad(() => x.mul_(2));
  expect(x.version).toBe(1);
  const a = x.exp();
  a.add_(1);
  expect(() => a.sum().backward()).toThrow(
    /modified by an inplace operation: \[torch\.FloatTensor \[3\]\], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead/,
  );
  // Ops that do not save the modified tensor are fine.
  const b = x.mul(2);
  b.add_(1);
  b.sum().backward();
  expect(Array.from(x.grad!.dataSync())).toEqual([2, 2, 2]);
  expect(b.gradFn!.name).toBe('AddBackward0');
});

test('in-place through a view rebases the base (CopySlices)', () => {
  const x = tensor([1.0, 2, 3], { requiresGrad: true });
  const h = x.mul(2);
  h.index(0).mul_(10);
  expect(Array.from(h.dataSync())).toEqual([20, 4, 6]);
  expect(h.gradFn!.name).toBe('CopySlices');
  h.sum().backward();
  expect(Array.from(x.grad!.dataSync())).toEqual([20, 2, 2]);
  const buf = zeros(3);
  const w = tensor([5.0], { requiresGrad: true });
  buf.indexPut_([slice(1, 2)], w.mul(3));
  buf.sum().backward();
  expect(Array.from(w.grad!.dataSync())).toEqual([3]);
});

test('setitem on a non-leaf is differentiable for both sides', () => {
  const x = tensor(
      [
        [1.0, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    ),
    v = tensor([7.0, 8], { requiresGrad: true });
  const h = x.mul(1);
  h.indexPut_([1], v);
  h.mul(
    tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32' },
    ),
  )
    .sum()
    .backward();
  expect(Array.from(x.grad!.dataSync())).toEqual([1, 2, 0, 0]);
  expect(Array.from(v.grad!.dataSync())).toEqual([3, 4]);
});

test('non-leaf grads are released unless retained; leaf grads accumulate in place', () => {
  const w = tensor([0.5, -0.5], { requiresGrad: true });
  w.mul(3).sum().backward();
  const first = w.grad!;
  w.mul(w).sum().backward();
  expect(w.grad).toBe(first);
  expect(Array.from(w.grad!.dataSync())).toEqual([4, 2]);
  const h = w.mul(2);
  h.sum().backward();
  expect(h.grad).toBeNull();
});

test('customOp records a named node, runs backward, and is inert without grad', () => {
  const x = tensor([1.0, -2], { requiresGrad: true });
  const y = customOp(
    'SquareBackward0',
    [x],
    () => x.mul(x),
    ([g]) => [g!.mul(x).mul(2)],
    { op: 'square', attrs: { k: 1 } },
  ) as Tensor;
  expect(y.gradFn!.name).toBe('SquareBackward0');
  expect(y.gradFn!.metadata.op).toBe('square');
  expect(y.gradFn!.metadata.attrs).toEqual({ k: 1 });
  y.sum().backward();
  expect(Array.from(x.grad!.dataSync())).toEqual([2, -4]);
  const z = noGrad(() =>
    customOp(
      'SquareBackward0',
      [x],
      () => x.mul(x),
      () => [null],
    ),
  ) as Tensor;
  expect(z.gradFn).toBeNull();
  // multi-output
  const [p, q] = customOp(
    'TwoBackward0',
    [x],
    () => [x.mul(2), x.mul(3)],
    ([gp, gq]) => [gp!.mul(2).add(gq!.mul(3))],
  ) as Tensor[];
  x.grad = null;
  p!.sum().add(q!.sum()).backward();
  expect(Array.from(x.grad!.dataSync())).toEqual([5, 5]);
});

test('node metadata: op, shapes, dtypes, scope, and timings when profiling', () => {
  const w = ones([3, 2], { requiresGrad: true });
  pushScope('Net');
  pushScope('Linear[0]');
  setProfiling(true);
  try {
    const o = tensor([[1, 2, 3.5]])
      .matmul(w)
      .sum();
    popScope();
    popScope();
    const mm = o.gradFn!.nextFunctions[0]![0]!;
    expect(mm.name).toBe('MmBackward0');
    expect(mm.metadata).toMatchObject({
      op: 'mm',
      inputShapes: [
        [1, 3],
        [3, 2],
      ],
      inputDtypes: ['float32', 'float32'],
      outputShape: [1, 2],
      outputDtype: 'float32',
      scope: 'Net/Linear[0]',
    });
    expect(mm.metadata.forwardMs).toBeGreaterThanOrEqual(0);
    o.backward();
    expect(mm.metadata.backwardMs).toBeGreaterThanOrEqual(0);
  } finally {
    setProfiling(false);
  }
  const plain = ones([2], { requiresGrad: true }).mul(2);
  expect(plain.gradFn!.metadata.forwardMs).toBeUndefined();
  expect(plain.gradFn!.metadata.scope).toBe('');
});

test('grad dtype follows the input: a float64 0-dim operand of a float32 op gets a float64 grad', () => {
  const a = tensor([1.0, 2], { requiresGrad: true }),
    b = tensor(0.5, { dtype: 'float64', requiresGrad: true });
  const y = a.mul(b);
  expect(y.dtype).toBe('float32');
  y.sum().backward();
  expect(b.grad!.dtype).toBe('float64');
  expect(b.grad!.item()).toBe(3);
});

test('registerHook on leaves and non-leaves can observe and replace gradients; remove() unregisters', () => {
  const x = tensor([1.0, 2], { requiresGrad: true });
  const seen: number[][] = [];
  const h = x.mul(3);
  const handle = h.registerHook((g) => {
    seen.push(Array.from(g.dataSync()));
    return g.mul(10);
  });
  x.registerHook((g) => {
    seen.push(Array.from(g.dataSync()));
  });
  h.sum().backward();
  expect(seen).toEqual([
    [1, 1],
    [30, 30],
  ]);
  expect(Array.from(x.grad!.dataSync())).toEqual([30, 30]);
  handle.remove();
  const h2 = x.mul(1);
  h2.sum().backward();
  expect(Array.from(x.grad!.dataSync())).toEqual([31, 31]);
  expect(() => tensor([1.0]).registerHook(() => undefined)).toThrow(/doesn't require gradient/);
});

test('unbind is one node (UnbindBackward0) whose backward stacks the gradients', () => {
  const x = tensor(
    [
      [1.0, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  const [a, b] = x.unbind(1);
  expect(a!.gradFn!.name).toBe('UnbindBackward0');
  expect(a!.gradFn).toBe(b!.gradFn);
  a!.mul(2).sum().backward();
  expect(x.grad!.tolist()).toEqual([
    [2, 0],
    [2, 0],
  ]);
});

test("non-differentiable arguments are not edges; invalid gradient shapes raise PyTorch's error", () => {
  const a = tensor([1.0, 2], { requiresGrad: true }),
    b = tensor([3.0, 4], { requiresGrad: true });
  const w = ops.where(tensor([true, false]), a, b);
  expect(w.gradFn!.nextFunctions.length).toBe(2);
  const x = zeros([2, 3], { requiresGrad: true }).mul(1),
    src = ones([2, 3], { requiresGrad: true });
  const sc = x.scatter(1, tensor([[0, 1]]), src);
  expect(sc.gradFn!.nextFunctions.length).toBe(2);
  expect(() => sc.sum().backward()).toThrow(
    'Function ScatterBackward0 returned an invalid gradient at index 1 - got [1, 2] but expected shape compatible with [2, 3]',
  );
  // A broadcastable gradient from a custom op is summed back to the input's shape.
  const p = tensor([1.0, 2], { requiresGrad: true });
  const y = customOp(
    'BroadcastGradBackward0',
    [p],
    () => p.mul(2),
    ([g]) => [g!.expand(3, 2)],
  ) as Tensor;
  y.sum().backward();
  expect(p.grad!.tolist()).toEqual([3, 3]);
});

test('a view whose base changed in place gets a regenerated AsStridedBackward0 history', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(2);
  const v = y.index(0),
    w = y.index(slice(1, null));
  expect(v.gradFn!.name).toBe('SelectBackward0');
  y.mul_(3);
  expect(v.gradFn!.name).toBe('AsStridedBackward0');
  expect(v.item()).toBe(6);
  v.add(w.sum()).backward();
  expect(x.grad!.tolist()).toEqual([6, 6, 6]);
  // After an in-place op through a view, the base has CopySlices and the view reads through it.
  const h = x.mul(1);
  const s = h.index(1);
  s.mul_(5);
  expect(s.gradFn!.name).toBe('AsStridedBackward0');
  expect(h.gradFn!.name).toBe('CopySlices');
});
