// Finding 8 (issue 10): /api/scalars de-duplicates runs and caps runs × points with a 400 that
// states the limit (the route uses this function; test/e2e/security.test.ts checks the route).
import { expect, test } from 'vitest';
import { checkScalarRequest, MAX_POINTS_PER_RUN, MAX_SCALAR_POINTS, MAX_SCALAR_RUNS } from '../../lib/server/scalar-limits.ts';

test('duplicates collapse, first occurrence order kept', () => {
  expect(checkScalarRequest(['b', 'a', 'b', 'a', 'c'], 1000)).toEqual({ ok: true, runs: ['b', 'a', 'c'], maxPoints: 1000 });
  // 500 copies of one run are one run: 200,000 points, within the cap.
  expect(checkScalarRequest(Array(500).fill('r'), MAX_POINTS_PER_RUN)).toEqual({ ok: true, runs: ['r'], maxPoints: MAX_POINTS_PER_RUN });
});

test('runs × points over the cap is refused with the numbers and the limit', () => {
  const runs = Array.from({ length: 500 }, (_, i) => `run${i}`);
  const r = checkScalarRequest(runs, MAX_POINTS_PER_RUN);
  expect(r.ok).toBe(false);
  if (!r.ok)
    expect(r.error).toBe(
      `500 runs × 200000 points = 100000000 points is over the limit of ${MAX_SCALAR_POINTS} points per request; ask for maxPoints ≤ 4000 or fewer runs`,
    );
  expect(checkScalarRequest(runs, 4000).ok).toBe(true);
  expect(checkScalarRequest(runs, 4001).ok).toBe(false);
});

test('run count and maxPoints range', () => {
  const many = Array.from({ length: MAX_SCALAR_RUNS + 1 }, (_, i) => `r${i}`);
  expect(checkScalarRequest(many, 10)).toEqual({
    ok: false,
    error: `${MAX_SCALAR_RUNS + 1} runs requested; the limit is ${MAX_SCALAR_RUNS} runs per request`,
  });
  expect(checkScalarRequest(many.slice(0, MAX_SCALAR_RUNS), 1000).ok).toBe(true);
  expect(checkScalarRequest([], 10).ok).toBe(false);
  expect(checkScalarRequest(['a'], 0).ok).toBe(false);
  expect(checkScalarRequest(['a'], MAX_POINTS_PER_RUN + 1).ok).toBe(false);
  expect(checkScalarRequest(['a'], 1.5).ok).toBe(false);
});
