import { describe, expect, it } from 'vitest';
import { IndexGenerator } from '../../lib/data/rng.ts';
import { BatchSampler, RandomSampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler } from '../../lib/data/sampler.ts';

const src = (n: number) => ({ length: n });

describe('IndexGenerator', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = new IndexGenerator(42);
    const b = new IndexGenerator(42);
    const c = new IndexGenerator(43);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(sa);
    a.manualSeed(42);
    expect(a.nextUint32()).toBe(sa[0]);
  });

  it('randperm is a permutation and random() stays in [0, 1)', () => {
    const g = new IndexGenerator(7);
    const p = Array.from(g.randperm(1000));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (let i = 0; i < 1000; i++) {
      const r = g.random();
      expect(r >= 0 && r < 1).toBe(true);
    }
  });

  it('randint is roughly uniform', () => {
    const g = new IndexGenerator(1);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) counts[g.randint(10)]++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(250);
    expect(() => g.randint(0)).toThrow(/positive/);
  });
});

describe('samplers', () => {
  it('SequentialSampler visits 0..n-1', () => {
    expect([...new SequentialSampler(src(5))]).toEqual([0, 1, 2, 3, 4]);
  });

  it('RandomSampler reshuffles every epoch, reproducibly for a seed', () => {
    const s1 = new RandomSampler(src(50), { generator: 3 });
    const e1 = [...s1];
    const e2 = [...s1];
    expect([...e1].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(e2).not.toEqual(e1);
    const s2 = new RandomSampler(src(50), { generator: 3 });
    expect([...s2]).toEqual(e1);
    expect([...s2]).toEqual(e2);
  });

  it('RandomSampler with replacement and numSamples', () => {
    const s = new RandomSampler(src(3), { replacement: true, numSamples: 100, generator: 1 });
    const idx = [...s];
    expect(idx).toHaveLength(100);
    expect(s.length).toBe(100);
    expect(new Set(idx)).toEqual(new Set([0, 1, 2]));
    const noRep = [...new RandomSampler(src(4), { numSamples: 10, generator: 1 })];
    expect(noRep).toHaveLength(10);
    expect(() => new RandomSampler(src(4), { numSamples: 0 })).toThrow(/numSamples/);
  });

  it('SubsetRandomSampler permutes the given indices', () => {
    const idx = [...new SubsetRandomSampler([10, 20, 30, 40], 5)];
    expect([...idx].sort((a, b) => a - b)).toEqual([10, 20, 30, 40]);
  });

  it('WeightedRandomSampler follows the weights', () => {
    const s = new WeightedRandomSampler([0, 1, 3], 4000, true, 9);
    const counts = [0, 0, 0];
    for (const i of s) counts[i]++;
    expect(counts[0]).toBe(0);
    expect(counts[2] / counts[1]).toBeGreaterThan(2.5);
    expect(counts[2] / counts[1]).toBeLessThan(3.5);
    const noRep = [...new WeightedRandomSampler([1, 1, 1, 1], 4, false, 2)];
    expect([...noRep].sort()).toEqual([0, 1, 2, 3]);
    expect(() => new WeightedRandomSampler([1, -1], 2)).toThrow(/non-negative/);
  });

  it('BatchSampler keeps or drops the last partial batch', () => {
    expect([...new BatchSampler(new SequentialSampler(src(7)), 3, false)]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect([...new BatchSampler(new SequentialSampler(src(7)), 3, true)]).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(new BatchSampler(new SequentialSampler(src(10000)), 64, true).length).toBe(156);
    expect(new BatchSampler(new SequentialSampler(src(10000)), 64, false).length).toBe(157);
    expect(() => new BatchSampler(new SequentialSampler(src(3)), 0, false)).toThrow(/batchSize/);
  });
});
