import { expect, test } from 'vitest';
import { escapeHtml, escapeRegex, outlierRange, quantileSorted, smoothEma, xValue } from '../../app/ui/scalars/math.ts';

test('smoothEma matches TensorBoard debiased EMA', () => {
  const w = 0.6;
  const v = [1, 2, 3, 10];
  // Reference: TensorBoard's resetSmoothing loop, written out.
  let last = 0;
  const expected = v.map((x, i) => {
    last = last * w + (1 - w) * x;
    return last / (1 - w ** (i + 1));
  });
  const got = Array.from(smoothEma(v, w));
  got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 12));
  expect(got[0]).toBe(1); // debiased: the first point is not pulled toward 0
});

test('smoothEma passes through non-finite values, weight 0 and constant series', () => {
  const got = Array.from(smoothEma([1, NaN, 3, Infinity, 5], 0.5));
  expect(got[1]).toBeNaN();
  expect(got[3]).toBe(Infinity);
  expect(got[2]).toBeCloseTo((0.5 * 0.5 * 1 + 0.5 * 3) / (1 - 0.25), 12);
  expect(Array.from(smoothEma([1, 2, 3], 0))).toEqual([1, 2, 3]);
  expect(Array.from(smoothEma([4, 4, 4], 0.9))).toEqual([4, 4, 4]);
});

test('outlierRange ignores spikes beyond the 5th..95th percentiles', () => {
  const values = Array.from({ length: 100 }, (_, i) => i / 100);
  values[50] = 1e6;
  const [lo, hi] = outlierRange([values])!;
  expect(hi).toBeLessThan(2);
  expect(lo).toBeGreaterThan(-1);
  expect(outlierRange([[1, 2]])).toBeNull();
  expect(quantileSorted([0, 10], 0.5)).toBe(5);
});

test('xValue: step, relative hours, wall milliseconds', () => {
  expect(xValue('step', 7, 1000, 900)).toBe(7);
  expect(xValue('relative', 7, 900 + 7200, 900)).toBe(2);
  expect(xValue('wall', 7, 1000, 900)).toBe(1_000_000);
});

test('escapes for regex and HTML', () => {
  expect(new RegExp(`^${escapeRegex('a.b(c)[d]+')}$`).test('a.b(c)[d]+')).toBe(true);
  expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
});
