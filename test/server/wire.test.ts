// Compact scalar columns: float32 values go out with 9 digits and come back exact through
// Math.fround; a series holding any double keeps its full values; non-finite values stay strings;
// wall times can be left out.
import { expect, test } from 'vitest';
import { toColumns } from '../../lib/server/wire.ts';
import type { ScalarSeries } from '../../lib/store/types.ts';

const series = (values: number[]): ScalarSeries =>
  ({
    run: 'r',
    tag: 't',
    total: values.length,
    downsampled: false,
    points: values.map((value, step) => ({ step, wallTime: 1.5 + step, value })),
  }) as ScalarSeries;

test('compact float32 values are shorter and round-trip exactly through Math.fround', () => {
  const values = Array.from({ length: 5000 }, (_, i) => Math.fround(Math.sin(i * 12.9898) * 10 ** ((i % 14) - 9) * 7));
  values.push(Math.fround(0.1), 0, -0.5, 3.4028234663852886e38, 1.401298464324817e-45, NaN, -Infinity);
  const full = toColumns(series(values));
  const compact = toColumns(series(values), true);
  expect(full.f32).toBeUndefined();
  expect(compact.f32).toBe(true);
  const back = compact.values.map((v) => Math.fround(Number(v)));
  expect(back).toEqual(values);
  expect(JSON.stringify(compact.values).length).toBeLessThan(0.75 * JSON.stringify(full.values).length);
  expect(compact.values.slice(-2)).toEqual(['NaN', '-Infinity']);
});

test('a series with a non-float32 value is sent exactly as stored, even when compact is asked', () => {
  const values = [Math.fround(0.1), 0.1, 2];
  const c = toColumns(series(values), true);
  expect(c.f32).toBeUndefined();
  expect(c.values).toEqual(values);
});

test('wall times are left out when the request asks for wallTimes: false, and the body schema accepts it', async () => {
  const values = [Math.fround(0.5), Math.fround(0.25), 1];
  const withWall = toColumns(series(values), true);
  const without = toColumns(series(values), true, false);
  expect(withWall.wallTimes).toEqual([1.5, 2.5, 3.5]);
  expect(without.wallTimes).toEqual([]);
  expect(without.steps).toEqual(withWall.steps);
  expect(without.values).toEqual(withWall.values);
  const { ScalarsPostBody } = await import('../../lib/server/scalars-request.ts');
  expect(ScalarsPostBody.safeParse({ runs: ['a'], tag: 't', wallTimes: false }).success).toBe(true);
  expect(ScalarsPostBody.safeParse({ runs: ['a'], tag: 't', wallTimes: 'no' }).success).toBe(false);
});
