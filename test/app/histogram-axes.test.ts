// Histogram charts name their axes where they belong: in the offset view the step axis runs
// top to bottom (inverted), so its name goes at its start (the top), not beside the value axis.
import { expect, test } from 'vitest';
import { histogramOption } from '../../app/ui/histograms.tsx';
import type { HistogramEntry } from '../../lib/store/types.ts';

const entries: HistogramEntry[] = [0, 10, 20].map((step) => ({
  step,
  wallTime: null,
  min: -1,
  max: 1,
  num: 4,
  sum: 0,
  sumSquares: 2,
  buckets: [
    { left: -1, right: 0, count: 1 },
    { left: 0, right: 0.5, count: 2 },
    { left: 0.5, right: 1, count: 1 },
  ],
}));

type Axis = { name?: string; nameLocation?: string; inverse?: boolean };

test('offset view: "value" under the horizontal axis, "step" at the top of the inverted vertical axis', () => {
  const o = histogramOption(entries, 'offset', '#336699', false) as { xAxis: Axis; yAxis: Axis };
  expect(o.xAxis).toMatchObject({ name: 'value', nameLocation: 'middle' });
  expect(o.yAxis).toMatchObject({ name: 'step', inverse: true, nameLocation: 'start' });
});

test('overlay view: counts upward, named at the top', () => {
  const o = histogramOption(entries, 'overlay', '#336699', true) as { xAxis: Axis; yAxis: Axis };
  expect(o.xAxis.name).toBe('value');
  expect(o.yAxis).toMatchObject({ name: 'count' });
  expect(o.yAxis.inverse).toBeUndefined();
});
