// Tensor semantics: views without copies, contiguity, dtype inference and promotion, indexing/setitem,
// error messages that name the op, shapes and dtypes, and typed-array access.
import { test, expect } from 'vitest';
import { tensor, zeros, ones, full, arange, linspace, eye, cat, stack, where, slice, Tensor, ops } from '../../lib/engine/index.ts';

const vals = (t: Tensor) => Array.from(t.dataSync());

test('views share storage and version counter; copies do not', () => {
  const x = arange(12).view(3, 4);
  const views = [
    x.view(12),
    x.T,
    x.transpose(0, 1),
    x.permute(1, 0),
    x.index(1),
    x.index(slice(null, null, 2)),
    x.narrow(1, 1, 2),
    x.unsqueeze(0),
    x.unsqueeze(0).squeeze(0),
    x.flatten(),
    x.reshape(4, 3),
    x.expand(2, 3, 4),
    x.select(1, 2),
    x.split(1)[0]!,
    x.T.mT,
  ];
  for (const v of views) expect(v.storage).toBe(x.storage);
  x.index(slice(null, null, 2)).fill_(-1);
  expect(x.version).toBe(1);
  expect(x.view(12).version).toBe(1);
  expect(vals(x.index(0))).toEqual([-1, -1, -1, -1]);
  expect(x.T.reshape(12).storage).not.toBe(x.storage); // not viewable: copy
  expect(x.clone().storage).not.toBe(x.storage);
  expect(x.contiguous()).toBe(x);
  expect(x.T.isContiguous()).toBe(false);
  expect(x.T.stride()).toEqual([1, 4]);
  expect(x.T.contiguous().isContiguous()).toBe(true);
  expect(() => x.T.view(12)).toThrow(/view size is not compatible.*Use \.reshape/);
});

test('dataSync returns the storage for contiguous tensors, a row-major copy otherwise; fromTypedArray wraps', () => {
  const arr = new Float32Array([1, 2, 3, 4, 5, 6]);
  const t = Tensor.fromTypedArray(arr, [2, 3]);
  expect(t.storage).toBe(arr);
  expect(t.dataSync()).toBe(arr);
  expect(Array.from(t.T.dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
  expect(t.index(1).dataSync().buffer).toBe(arr.buffer);
  expect(() => Tensor.fromTypedArray(arr, [4, 2])).toThrow(/needs 8 elements/);
  expect(Tensor.fromTypedArray(new Int32Array(2), [2]).dtype).toBe('int32');
  expect(Tensor.fromTypedArray(new Float64Array(2), [2], 'int64').dtype).toBe('int64');
});

test('dtype inference and creation rules', () => {
  expect(tensor([1, 2]).dtype).toBe('int64');
  expect(tensor([1, 2.5]).dtype).toBe('float32');
  expect(tensor([true, 2]).dtype).toBe('int64');
  expect(tensor([true, false]).dtype).toBe('bool');
  expect(tensor([]).dtype).toBe('float32');
  expect(tensor([]).shape).toEqual([0]);
  expect(tensor([1, 2], { requiresGrad: true }).dtype).toBe('float32');
  expect(full([2], 7).dtype).toBe('int64');
  expect(full([2], true).dtype).toBe('bool');
  expect(ops.add(full([2], 1.5), 0).dtype).toBe('float32');
  expect(vals(full([2], 2.7, { dtype: 'int64' }))).toEqual([2, 2]);
  expect(vals(arange(0, 1, 0.25))).toEqual([0, 0.25, 0.5, 0.75]);
  expect(arange(1, 10, 2).dtype).toBe('int64');
  expect(arange(10, 0, -3).shape).toEqual([4]);
  expect(vals(linspace(-1, 1, 5))).toEqual([-1, -0.5, 0, 0.5, 1]);
  expect(vals(eye(2, 3))).toEqual([1, 0, 0, 0, 1, 0]);
  expect(zeros(2, 3).shape).toEqual([2, 3]);
  expect(zeros([2, 3], { dtype: 'int32' }).dtype).toBe('int32');
  expect(() => tensor([[1, 2], [3]])).toThrow(/expected sequence of length 2/);
  expect(
    tensor([
      [1.5, 2],
      [3, 4],
    ]).tolist(),
  ).toEqual([
    [1.5, 2],
    [3, 4],
  ]);
  expect(tensor(3.5).item()).toBe(3.5);
  expect(tensor([true]).item()).toBe(true);
  expect(() => ones(2).item()).toThrow(/2 elements cannot be converted to Scalar/);
  expect(vals(tensor([1.7, -1.7, 2.5]).long())).toEqual([1, -1, 2]);
  expect(vals(tensor([0.5, 0, -1]).bool())).toEqual([1, 0, 1]);
});

test('type promotion: categories, 0-dim tensors, Python numbers', () => {
  const i64 = tensor([1, 2]),
    i32 = tensor([1, 2], { dtype: 'int32' }),
    f32 = tensor([1.5]),
    f64 = tensor([1.5], { dtype: 'float64' });
  expect(i64.add(0.5).dtype).toBe('float32');
  expect(i64.add(2).dtype).toBe('int64');
  expect(i32.add(2).dtype).toBe('int32');
  expect(i32.add(tensor(2)).dtype).toBe('int32');
  expect(i32.add(i64).dtype).toBe('int64');
  expect(f32.add(tensor(0.1, { dtype: 'float64' })).dtype).toBe('float32');
  expect(f32.add(f64).dtype).toBe('float64');
  expect(i64.add(tensor(1.5, { dtype: 'float64' })).dtype).toBe('float64');
  expect(tensor([true]).add(tensor([true])).dtype).toBe('bool');
  expect(tensor([1, 2], { dtype: 'uint8' }).add(300).dtype).toBe('uint8');
  expect(i64.div(2).dtype).toBe('float32');
  expect(vals(tensor([-7]).div(2, { roundingMode: 'floor' }))).toEqual([-4]);
  expect(Object.is(tensor([-0.5]).div(1, { roundingMode: 'trunc' }).item(), -0)).toBe(true);
  expect(vals(tensor([-3, 3]).remainder(2))).toEqual([1, 1]);
  expect(vals(tensor([-3, 3]).fmod(2))).toEqual([-1, 1]);
  expect(vals(tensor([0.5, 1.5, 2.5, -0.5]).round())).toEqual([0, 2, 2, -0]);
  expect(i64.eq(1.0).dtype).toBe('bool');
  expect(tensor([0.1]).eq(0.1).item()).toBe(true); // the scalar is cast to float32 before comparing
});

test('indexing: ints, negative, steps, newaxis, ellipsis, index tensors, masks, setitem', () => {
  const x = arange(24).view(2, 3, 4);
  expect(x.index(-1, 1).tolist()).toEqual([16, 17, 18, 19]);
  expect(x.index('...', 0).shape).toEqual([2, 3]);
  expect(x.index(null, 0).shape).toEqual([1, 3, 4]);
  expect(x.index(0, slice(null, null, 2), slice(-3, -1)).tolist()).toEqual([
    [1, 2],
    [9, 10],
  ]);
  expect(x.index(0, slice(5, 100)).shape).toEqual([0, 4]);
  expect(x.index(tensor([1, 0, 1])).shape).toEqual([3, 3, 4]);
  expect(x.index(0, [0, 2], [1, 3]).tolist()).toEqual([1, 11]);
  expect(x.index(slice(null), tensor([0, 2]), 1).tolist()).toEqual([
    [1, 9],
    [13, 21],
  ]);
  // non-adjacent advanced indices put the broadcast dims first
  expect(x.index(tensor([0, 1]), slice(null), tensor([0, 3])).shape).toEqual([2, 3]);
  expect(x.index(x.gt(20)).tolist()).toEqual([21, 22, 23]);
  expect(() => x.index(0, 0, 0, 0)).toThrow(/too many indices/);
  expect(() => x.index(5)).toThrow(/index 5 is out of bounds for dimension 0 with size 2/);
  const y = zeros(3, 4);
  y.indexPut_([slice(null), 1], 5);
  y.indexPut_([y.eq(5).logicalNot().logicalAnd(zeros(3, 4).eq(0))], 1);
  y.indexPut_([tensor([0, 2]), tensor([3, 3])], tensor([7, 8], { dtype: 'float32' }));
  expect(y.tolist()).toEqual([
    [1, 5, 1, 7],
    [1, 5, 1, 1],
    [1, 5, 1, 8],
  ]);
  expect(y.version).toBe(3);
});

test('errors name the op, the shapes and the dtypes', () => {
  expect(() => ones(2, 3).add(ones(4))).toThrow(
    'add: The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1 (shapes [2, 3] and [4] cannot be broadcast together)',
  );
  expect(() => ones(2, 3).mm(ones(2, 3))).toThrow('mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)');
  expect(() => ones(2, 3).mm(ones(3, 2, { dtype: 'float64' }))).toThrow(
    'mm: expected scalar type Float but found Double (operands float32 [2, 3] and float64 [3, 2])',
  );
  expect(() => ones(2, 3).view(4, 2)).toThrow("shape '[4, 2]' is invalid for input of size 6");
  expect(() => cat([ones(2, 3), ones(2, 4)])).toThrow(/Sizes of tensors must match except in dimension 0.*\[2, 3\], \[2, 4\]/);
  expect(() => stack([ones(2), ones(3)])).toThrow('stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1');
  expect(() => ones(2).sum(3)).toThrow('Dimension out of range (expected to be in range of [-1, 0], but got 3)');
  expect(() => arange(3).mean()).toThrow(
    'mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long',
  );
  expect(() => arange(3).add_(0.5)).toThrow("result type Float can't be cast to the desired output type Long");
  expect(() => ones(2, 3).expand(4, 3)).toThrow(/expanded size of the tensor \(4\) must match the existing size \(2\)/);
  expect(() => ones(3).add_(ones(2, 3))).toThrow("output with shape [3] doesn't match the broadcast shape [2, 3]");
  expect(() => ones(2).gather(0, tensor([0], { dtype: 'int32' }))).toThrow(/Expected dtype int64 for index/);
});

test('where, cat and stack promote; chunk and split sizes', () => {
  expect(where(tensor([true, false]), 1, 2.5).dtype).toBe('float32');
  expect(vals(where(tensor([true, false]), tensor([1, 2]), 0))).toEqual([1, 0]);
  expect(cat([tensor([1]), tensor([1.5])]).dtype).toBe('float32');
  expect(cat([zeros(0), ones(2, 2)]).shape).toEqual([2, 2]);
  expect(
    arange(6)
      .chunk(4)
      .map((t) => t.shape[0]),
  ).toEqual([2, 2, 2]);
  expect(
    arange(5)
      .split([2, 3])
      .map((t) => t.shape[0]),
  ).toEqual([2, 3]);
  expect(() => arange(5).split([2, 2])).toThrow(/split_with_sizes expects split_sizes to sum exactly to 5/);
});

test('reductions: ties, NaN, unbiased std, sort/topk order', () => {
  const t = tensor(
    [
      [1, 3, 3, 2],
      [5, 5, 0, 5],
    ],
    { dtype: 'float32' },
  );
  expect(t.max(1).indices.tolist()).toEqual([1, 0]);
  expect(t.argmin(1).tolist()).toEqual([0, 2]);
  expect(tensor([1, NaN, 3]).max().item()).toBeNaN();
  expect(tensor([1, NaN, 3]).argmax().item()).toBe(1);
  expect(tensor([2.0], { dtype: 'float32' }).std().item()).toBeNaN();
  expect(tensor([1.0, 2, 3, 4], { dtype: 'float32' }).var().item()).toBeCloseTo(5 / 3, 6);
  expect(tensor([1.0, 2, 3, 4], { dtype: 'float32' }).var(0, { unbiased: false }).item()).toBeCloseTo(1.25, 6);
  expect(tensor([3, 1, 2]).sort().values.tolist()).toEqual([1, 2, 3]);
  expect(tensor([1.0, NaN, 0]).sort().values.tolist()).toEqual([0, 1, NaN]);
  expect(tensor([4, 1, 3, 2]).median().item()).toBe(2);
  expect(
    tensor([[-Infinity, -Infinity]])
      .softmax(1)
      .isnan()
      .all()
      .item(),
  ).toBe(true);
  expect(tensor([true, false]).sum().dtype).toBe('int64');
  expect(tensor([1.0, 0, 2]).prod().item()).toBe(0);
});

test('in-place arithmetic writes into the tensor itself: aliasing, broadcasting, dtype rules, versions', () => {
  const x = tensor([1, 2, 3], { dtype: 'float32' });
  const storage = x.storage;
  x.add_(x);
  expect(x.tolist()).toEqual([2, 4, 6]);
  x.mul_(0.5).sub_(tensor([1, 1, 1], { dtype: 'float32' }), { alpha: 2 });
  expect(x.tolist()).toEqual([-1, 0, 1]);
  expect(x.storage).toBe(storage);
  expect(x.version).toBe(3);
  const m = zeros(2, 3);
  m.add_(tensor([1, 2, 3], { dtype: 'float32' })).div_(2);
  expect(m.tolist()).toEqual([
    [0.5, 1, 1.5],
    [0.5, 1, 1.5],
  ]);
  m.T.mul_(2); // non-contiguous self takes the general path
  expect(m.tolist()).toEqual([
    [1, 2, 3],
    [1, 2, 3],
  ]);
  const v = m.index(0);
  v.add_(m.index(1)); // overlapping storage, different offsets
  expect(m.tolist()).toEqual([
    [2, 4, 6],
    [1, 2, 3],
  ]);
  const i = tensor([1, 2]);
  i.add_(3);
  expect(i.tolist()).toEqual([4, 5]);
  expect(() => i.mul_(1.5)).toThrow("result type Float can't be cast to the desired output type Long");
});

test('writing in place into an expanded (overlapping) view is refused as in PyTorch', () => {
  const e = zeros(3).expand(2, 3);
  expect(() => e.add_(1)).toThrow(/more than one element of the written-to tensor refers to a single memory location/);
  expect(ones(1, 3).expand(1, 3).add_(1).tolist()).toEqual([[2, 2, 2]]);
});
