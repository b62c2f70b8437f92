import { expect, test } from 'vitest';
import type { HistogramEntry } from '../../lib/store/types.ts';
import { percentiles, rebin, sampleSteps } from '../../app/ui/histogram-math.ts';

const uniform: HistogramEntry = {
  step: 0,
  wallTime: null,
  min: 0,
  max: 10,
  num: 100,
  sum: 500,
  sumSquares: 0,
  buckets: Array.from({ length: 10 }, (_, i) => ({ left: i, right: i + 1, count: 10 })),
};

test('percentiles interpolate inside buckets', () => {
  const p = percentiles(uniform, [0, 2500, 5000, 10000]);
  expect(p).toEqual([0, 2.5, 5, 10]);
});

test('rebin keeps the total count and spreads uneven buckets', () => {
  const uneven: HistogramEntry = {
    ...uniform,
    buckets: [
      { left: 0, right: 9, count: 90 },
      { left: 9, right: 10, count: 10 },
    ],
  };
  const bins = rebin(uneven, 10);
  expect(bins).toHaveLength(10);
  expect(bins.reduce((a, [, c]) => a + c, 0)).toBeCloseTo(100, 9);
  for (const [, c] of bins) expect(c).toBeCloseTo(10, 9);
});

test('sampleSteps keeps first and last', () => {
  const s = sampleSteps(
    Array.from({ length: 100 }, (_, i) => i),
    5,
  );
  expect(s[0]).toBe(0);
  expect(s[4]).toBe(99);
  expect(s).toHaveLength(5);
});
