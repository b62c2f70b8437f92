// Bounds of one scalar request (/api/scalars, and any other route that takes a run set), so one
// request cannot make the server read and serialize an unbounded number of points: the run list
// is de-duplicated, then runs × points-per-run must stay within MAX_SCALAR_POINTS. Shared, so a
// POST variant for large sweeps checks exactly the same thing.

/** Most runs one request may name (after de-duplication). */
export const MAX_SCALAR_RUNS = 2000;
/** Most points per run one request may ask for (a single run at full resolution when zoomed). */
export const MAX_POINTS_PER_RUN = 200_000;
/** Cap on runs × maxPoints: e.g. 2,000 runs × 1,000 points, or 10 runs × 200,000 points. */
export const MAX_SCALAR_POINTS = 2_000_000;

export type ScalarRequestCheck = { ok: true; runs: string[]; maxPoints: number } | { ok: false; error: string };

/** De-duplicates `runs` (first occurrence wins) and checks the run count and runs × maxPoints. */
export function checkScalarRequest(runs: readonly string[], maxPoints: number): ScalarRequestCheck {
  const unique = [...new Set(runs)];
  if (unique.length === 0) return { ok: false, error: 'name at least one run' };
  if (unique.length > MAX_SCALAR_RUNS)
    return { ok: false, error: `${unique.length} runs requested; the limit is ${MAX_SCALAR_RUNS} runs per request` };
  if (!Number.isInteger(maxPoints) || maxPoints < 1 || maxPoints > MAX_POINTS_PER_RUN) {
    return { ok: false, error: `maxPoints must be an integer from 1 to ${MAX_POINTS_PER_RUN}` };
  }
  if (unique.length * maxPoints > MAX_SCALAR_POINTS) {
    return {
      ok: false,
      error: `${unique.length} runs × ${maxPoints} points = ${unique.length * maxPoints} points is over the limit of ${MAX_SCALAR_POINTS} points per request; ask for maxPoints ≤ ${Math.floor(MAX_SCALAR_POINTS / unique.length)} or fewer runs`,
    };
  }
  return { ok: true, runs: unique, maxPoints };
}
