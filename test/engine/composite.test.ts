// Composite ops (built from primitives): values against hand-computed results, gradients through them.
import { test, expect } from 'vitest';
import { tensor, arange, ones, zeros, grad, ops, Tensor } from '../../lib/engine/index.ts';

const f32 = (x: unknown) => tensor(x as number[], { dtype: 'float32' });

test('einsum and tensordot agree with matmul, transpose, trace, diagonal, outer', () => {
  const a = arange(6).float().view(2, 3),
    b = arange(12).float().view(3, 4);
  expect(ops.einsum('ij,jk->ik', a, b).tolist()).toEqual(a.mm(b).tolist());
  expect(ops.einsum('ij,jk', a, b).tolist()).toEqual(a.mm(b).tolist());
  expect(ops.einsum('ij->ji', a).tolist()).toEqual(a.T.tolist());
  expect(ops.einsum('ii', arange(9).float().view(3, 3)).item()).toBe(12);
  expect(ops.einsum('ii->i', arange(9).float().view(3, 3)).tolist()).toEqual([0, 4, 8]);
  expect(ops.einsum('i,j->ij', f32([1, 2]), f32([3, 4, 5])).tolist()).toEqual([
    [3, 4, 5],
    [6, 8, 10],
  ]);
  expect(ops.einsum('bij,bjk->bik', ones(2, 2, 3), ones(2, 3, 1)).tolist()).toEqual([
    [[3], [3]],
    [[3], [3]],
  ]);
  expect(ops.tensordot(a, b, 1).tolist()).toEqual(a.mm(b).tolist());
  expect(ops.tensordot(ones(2, 3, 4), ones(3, 4, 5), 2).shape).toEqual([2, 5]);
  expect(() => ops.einsum('ij,jk->ik', a)).toThrow(/2 operands in the equation but 1 given/);
});

test('shape composites: movedim, tile, repeatInterleave, take, diag, trace, stacks, unfold, meshgrid', () => {
  expect(ones(2, 3, 4).movedim(0, -1).shape).toEqual([3, 4, 2]);
  expect(f32([1, 2]).tile(2, 2).tolist()).toEqual([
    [1, 2, 1, 2],
    [1, 2, 1, 2],
  ]);
  expect(tensor([1, 2, 3]).repeatInterleave(2).tolist()).toEqual([1, 1, 2, 2, 3, 3]);
  expect(
    tensor([
      [1, 2],
      [3, 4],
    ])
      .repeatInterleave(tensor([1, 2]), 0)
      .tolist(),
  ).toEqual([
    [1, 2],
    [3, 4],
    [3, 4],
  ]);
  expect(
    arange(6)
      .view(2, 3)
      .take(tensor([[0, 5]]))
      .tolist(),
  ).toEqual([[0, 5]]);
  expect(f32([1, 2]).diag(1).tolist()).toEqual([
    [0, 1, 0],
    [0, 0, 2],
    [0, 0, 0],
  ]);
  expect(arange(9).view(3, 3).diag(-1).tolist()).toEqual([3, 7]);
  const sq = arange(9).view(3, 3);
  expect(sq.diagonal().storage).toBe(sq.storage);
  expect(arange(9).view(3, 3).trace().item()).toBe(12);
  expect(ops.hstack([f32([1]), f32([2, 3])]).tolist()).toEqual([1, 2, 3]);
  expect(ops.vstack([f32([1, 2]), f32([3, 4])]).shape).toEqual([2, 2]);
  expect(ops.columnStack([f32([1, 2]), f32([3, 4])]).tolist()).toEqual([
    [1, 3],
    [2, 4],
  ]);
  expect(arange(7).unfold(0, 3, 2).tolist()).toEqual([
    [0, 1, 2],
    [2, 3, 4],
    [4, 5, 6],
  ]);
  const [gx, gy] = ops.meshgrid([f32([1, 2]), f32([3, 4, 5])]);
  expect(gx!.shape).toEqual([2, 3]);
  expect(gy!.tolist()).toEqual([
    [3, 4, 5],
    [3, 4, 5],
  ]);
  expect(
    zeros(2, 3)
      .indexFill(1, tensor([0, 2]), -1)
      .tolist(),
  ).toEqual([
    [-1, 0, -1],
    [-1, 0, -1],
  ]);
  expect(
    zeros(3)
      .maskedScatter(tensor([true, false, true]), f32([7, 8, 9]))
      .tolist(),
  ).toEqual([7, 0, 8]);
});

test('reduction composites: nan-aware, cummax, kthvalue, unique, bincount, histc, aminmax', () => {
  const x = f32([1, NaN, 3]);
  expect(x.nansum().item()).toBe(4);
  expect(x.nanmean().item()).toBe(2);
  const c = f32([1, 3, 2, 3]).cummax(0);
  expect([c.values.tolist(), c.indices.tolist()]).toEqual([
    [1, 3, 3, 3],
    [0, 1, 1, 3],
  ]);
  const k = f32([
    [3, 1, 2],
    [1, 1, 0],
  ]).kthvalue(2, 1);
  expect([k.values.tolist(), k.indices.tolist()]).toEqual([
    [2, 1],
    [2, 0],
  ]);
  const [u, inv, cnt] = tensor([2, 1, 2, 5]).unique({ returnInverse: true, returnCounts: true }) as Tensor[];
  expect([u!.tolist(), inv!.tolist(), cnt!.tolist()]).toEqual([
    [1, 2, 5],
    [1, 0, 1, 2],
    [1, 2, 1],
  ]);
  expect(tensor([0, 1, 1, 3]).bincount(null, 5).tolist()).toEqual([1, 2, 0, 1, 0]);
  expect(f32([1, 2, 1]).histc(4, 0, 3).tolist()).toEqual([0, 2, 1, 0]);
  expect(
    f32([0, 0])
      .logcumsumexp(0)
      .tolist()
      .map((v: number) => +v.toFixed(5)),
  ).toEqual([0, +Math.log(2).toFixed(5)]);
  const mm = f32([
    [1, 5],
    [-2, 3],
  ]).aminmax({ dim: 1 });
  expect([mm.min.tolist(), mm.max.tolist()]).toEqual([
    [1, -2],
    [5, 3],
  ]);
});

test('gradients flow through composites', () => {
  const a = tensor([1, 2, 3], { requiresGrad: true }),
    b = tensor([4, 5, 6], { requiresGrad: true });
  const [ga, gb] = grad(ops.cross(a, b).sum(), [a, b]);
  expect(ga!.tolist()).toEqual([-1, 2, -1]); // b x (1,1,1)
  expect(gb!.tolist()).toEqual([1, -2, 1]);
  const m = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  expect(grad(ops.einsum('ij,ij->', m, m), m)[0]!.tolist()).toEqual([
    [2, 4],
    [6, 8],
  ]);
  expect(grad(m.trace(), m)[0]!.tolist()).toEqual([
    [1, 0],
    [0, 1],
  ]);
  expect(grad(m.lerp(zeros(2, 2), 0.25).sum(), m)[0]!.tolist()).toEqual([
    [0.75, 0.75],
    [0.75, 0.75],
  ]);
  expect(grad(m.kthvalue(1, 1).values.sum(), m)[0]!.tolist()).toEqual([
    [1, 0],
    [1, 0],
  ]);
});
