import { describe, expect, it } from 'vitest';
import { arange, tensor } from '../../lib/engine/index.ts';
import { ConcatDataset, Subset, randomSplit } from '../../lib/data/dataset.ts';
import { TensorDataset } from '../../lib/data/tensor-dataset.ts';

describe('TensorDataset', () => {
  it('returns the i-th row of every tensor', () => {
    const ds = new TensorDataset(arange(12).view(6, 2), arange(6));
    expect(ds.length).toBe(6);
    const [x, y] = ds.getItem(2);
    expect(x.tolist()).toEqual([4, 5]);
    expect(y.item()).toBe(2);
    expect(ds.getItem(-1)[1].item()).toBe(5);
    expect(() => ds.getItem(6)).toThrow(/index 6 is out of range for a dataset of length 6/);
  });

  it('rejects tensors of different lengths, naming both shapes', () => {
    expect(() => new TensorDataset(arange(6).view(3, 2), arange(4))).toThrow(/size mismatch.*\[3, 2\].*\[4\]/);
    expect(() => new TensorDataset(tensor(1))).toThrow(/0-dimensional/);
  });
});

describe('Subset, ConcatDataset, randomSplit', () => {
  const ds = new TensorDataset(arange(10));
  const v = (s: { getItem(i: number): unknown }, i: number) => ((s.getItem(i) as [{ item(): number }])[0]).item();

  it('Subset maps indices', () => {
    const s = new Subset(ds, [9, 3, 5]);
    expect(s.length).toBe(3);
    expect([0, 1, 2].map((i) => v(s, i))).toEqual([9, 3, 5]);
    expect(() => s.getItem(3)).toThrow(/out of range/);
  });

  it('ConcatDataset chains datasets', () => {
    const c = new ConcatDataset([new Subset(ds, [0, 1]), new Subset(ds, [7]), new Subset(ds, [4, 5, 6])]);
    expect(c.length).toBe(6);
    expect(c.cumulativeSizes).toEqual([2, 3, 6]);
    expect([0, 1, 2, 3, 4, 5].map((i) => v(c, i))).toEqual([0, 1, 7, 4, 5, 6]);
    expect(v(c, -1)).toBe(6);
    expect(ds.concat(ds).length).toBe(20);
    expect(() => new ConcatDataset([])).toThrow(/empty/);
  });

  it('randomSplit partitions reproducibly, with counts or fractions', () => {
    const [a, b] = randomSplit(ds, [7, 3], 42);
    expect(a.length + b.length).toBe(10);
    const all = [...a.indices, ...b.indices].sort((x, y) => x - y);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [a2] = randomSplit(ds, [7, 3], 42);
    expect(a2.indices).toEqual(a.indices);
    const parts = randomSplit(ds, [0.5, 0.3, 0.2], 1);
    expect(parts.map((p) => p.length)).toEqual([5, 3, 2]);
    const odd = randomSplit(new TensorDataset(arange(11)), [0.5, 0.5], 1);
    expect(odd.map((p) => p.length)).toEqual([6, 5]);
    expect(() => randomSplit(ds, [5, 4])).toThrow(/sum of input lengths \(9\) does not equal the length of the input dataset \(10\)/);
  });
});
