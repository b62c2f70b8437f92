// The point budget shared by GET and POST /api/scalars, and the URL form of run selections.
import { expect, test } from 'vitest';
import { MAX_RESPONSE_POINTS, MIN_POINTS_PER_RUN, pointsPerRun, ScalarsPostBody } from '../../lib/server/scalars-request.ts';
import { explicitSelection, selectionParams } from '../../app/ui/selection.ts';

test('a response carries at most MAX_RESPONSE_POINTS, never fewer than MIN_POINTS_PER_RUN per run', () => {
  expect(pointsPerRun(1, 1500, undefined)).toBe(1500);
  expect(pointsPerRun(2000, 1500, undefined)).toBe(MAX_RESPONSE_POINTS / 2000);
  expect(2000 * pointsPerRun(2000, 1500, undefined)).toBeLessThanOrEqual(MAX_RESPONSE_POINTS);
  expect(pointsPerRun(100_000, 1500, undefined)).toBe(MIN_POINTS_PER_RUN);
  expect(pointsPerRun(10, 1500, 300)).toBe(300); // --samples_per_plugin scalars=300
  expect(pointsPerRun(10, undefined, undefined)).toBe(2000);
});

test('POST bodies are strict: runs required, unknown fields refused', () => {
  expect(ScalarsPostBody.safeParse({ runs: ['a'], tag: 't' }).success).toBe(true);
  expect(ScalarsPostBody.safeParse({ runs: [], tag: 't' }).success).toBe(false);
  expect(ScalarsPostBody.safeParse({ runs: ['a'], tag: 't', extra: 1 }).success).toBe(false);
  expect(ScalarsPostBody.safeParse({ runs: Array.from({ length: 2000 }, (_, i) => `r${i}`), tag: 't', maxPoints: 1500 }).success).toBe(
    true,
  );
});

test('a selection is written as the shorter of sel / desel, and read back', () => {
  const names = Array.from({ length: 2000 }, (_, i) => `run_${i}`);
  const allButOne = new Set(names.slice(1));
  const p = selectionParams(names, allButOne);
  expect(p).toEqual({ sel: null, desel: ['run_0'] });
  expect(explicitSelection(names, null, 'run_0')).toEqual(allButOne);
  expect(selectionParams(names, new Set(names))).toEqual({ sel: null, desel: null });
  expect(selectionParams(names, new Set())).toEqual({ sel: [''], desel: null });
  expect(selectionParams(names, new Set(['run_5']))).toEqual({ sel: ['run_5'], desel: null });
  expect(explicitSelection(names, '', '')).toEqual(new Set());
  expect(explicitSelection(names, null, '')).toBeNull();
});
