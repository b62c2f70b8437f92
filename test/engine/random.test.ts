// Seeded generators: deterministic streams, independence of explicit generators, distribution sanity.
import { test, expect } from 'vitest';
import { manualSeed, rand, randn, randint, randperm, Generator, zeros, bernoulli, multinomial, tensor } from '../../lib/engine/index.ts';

test('manualSeed makes the global stream repeat; explicit generators are independent of it', () => {
  manualSeed(42);
  const a = [rand(5).tolist(), randn(3).tolist(), randint(0, 10, [4]).tolist(), randperm(6).tolist()];
  manualSeed(42);
  const b = [rand(5).tolist(), randn(3).tolist(), randint(0, 10, [4]).tolist(), randperm(6).tolist()];
  expect(b).toEqual(a);
  manualSeed(43);
  expect(rand(5).tolist()).not.toEqual(a[0]);
  const g1 = new Generator(7),
    g2 = new Generator(7);
  manualSeed(1);
  const x = rand(4, { generator: g1 }).tolist();
  rand(100); // the global stream does not disturb g2
  expect(rand(4, { generator: g2 }).tolist()).toEqual(x);
  expect(g1.initialSeed()).toBe(7);
});

test('distributions: ranges, moments, permutation, in-place fills', () => {
  const g = new Generator(0);
  const u = rand(20000, { generator: g });
  const ud = u.dataSync();
  expect(Math.min(...ud)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...ud)).toBeLessThan(1);
  expect(Number(u.mean().item())).toBeCloseTo(0.5, 1);
  const n = randn([20000], { generator: g });
  expect(Number(n.mean().item())).toBeCloseTo(0, 1);
  expect(Number(n.std().item())).toBeCloseTo(1, 1);
  const r = randint(3, 7, [1000], { generator: g });
  expect(r.dtype).toBe('int64');
  expect(Math.min(...r.dataSync())).toBe(3);
  expect(Math.max(...r.dataSync())).toBe(6);
  expect([...randperm(10, { generator: g }).dataSync()].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const z = zeros(1000).uniform_(-2, -1, { generator: g });
  expect(Math.max(...z.dataSync())).toBeLessThan(-1);
  expect(z.version).toBe(1);
  const b = bernoulli(tensor([0, 1, 0, 1], { dtype: 'float32' }), { generator: g });
  expect(b.tolist()).toEqual([0, 1, 0, 1]);
  const m = multinomial(tensor([0, 0, 1, 0], { dtype: 'float32' }), 2, true, { generator: g });
  expect(m.tolist()).toEqual([2, 2]);
  expect(() => randint(5, 5, [1])).toThrow(/less than 'to'/);
});
