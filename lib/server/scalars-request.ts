// One scalar request, whichever way it arrives: GET with repeated `run` parameters (a few runs) or
// POST with a JSON body (sweeps: thousands of run names would not fit a URL). Both go through the
// same schema and the same point budget, so a request's response stays bounded either way.
import { z } from 'zod';
import type { ActiveStore } from './registry.ts';
import { badRequest, intParam, json, name, stepParam } from './api.ts';
import { checkScalarRequest, MAX_POINTS_PER_RUN, MAX_SCALAR_RUNS } from './scalar-limits.ts';
import { toColumns } from './wire.ts';

/** Most runs a GET may name (the URL must stay well under servers' header limits). */
export const MAX_GET_RUNS = 500;
/** Most runs one POST may name (the UI splits larger selections into several requests). */
export const MAX_POST_RUNS = MAX_SCALAR_RUNS;
/**
 * Points one response may carry over all its runs. A run's share is maxPoints, lowered so that
 * runs x maxPoints stays within this (never below MIN_POINTS_PER_RUN, which keeps each curve's shape).
 */
export const MAX_RESPONSE_POINTS = 400_000;
export const MIN_POINTS_PER_RUN = 16;

const fields = {
  tag: name,
  minStep: stepParam.optional(),
  maxStep: stepParam.optional(),
  maxPoints: intParam(2, MAX_POINTS_PER_RUN).optional(),
};
export const ScalarsGetQuery = z.object({ run: z.array(name).min(1).max(MAX_GET_RUNS), ...fields });
export const ScalarsPostBody = z
  .object({
    runs: z.array(name).min(1).max(MAX_POST_RUNS),
    ...fields,
    /** true: float32 values go out with 9 significant digits and `f32: true` (lib/server/wire.ts). */
    compact: z.boolean().optional(),
    /** false: leave wall times out (about 40% of a compact answer; a step-axis chart does not draw them). */
    wallTimes: z.boolean().optional(),
  })
  .strict();

export interface ScalarsRequest {
  runs: string[];
  tag: string;
  minStep?: number;
  maxStep?: number;
  maxPoints?: number;
  compact?: boolean;
  wallTimes?: boolean;
}

/** Per-run bucket count after the request's own ask, the --samples_per_plugin cap and the response budget. */
/** Points per run when the request names none. */
const DEFAULT_POINTS = 2000;

export function pointsPerRun(runCount: number, asked: number | undefined, cap: number | undefined): number {
  const wanted = Math.min(asked ?? DEFAULT_POINTS, cap ?? Infinity);
  const budget = Math.max(MIN_POINTS_PER_RUN, Math.floor(MAX_RESPONSE_POINTS / Math.max(1, runCount)));
  return Math.max(2, Math.min(wanted, budget));
}

export async function answerScalars(store: ActiveStore, q: ScalarsRequest): Promise<Response> {
  if (q.minStep !== undefined && q.maxStep !== undefined && q.minStep > q.maxStep) return badRequest('minStep must not exceed maxStep');
  const unique = [...new Set(q.runs)];
  // An explicit ask is checked as asked (runs × maxPoints over the cap is a 400 naming the limit);
  // then, asked or not, each run's share is lowered so the response stays within its budget.
  const asked = Math.min(q.maxPoints ?? DEFAULT_POINTS, store.caps.scalars ?? Infinity);
  const limits = checkScalarRequest(unique, q.maxPoints === undefined ? pointsPerRun(unique.length, asked, undefined) : asked);
  if (!limits.ok) return badRequest(limits.error);
  const maxPoints = pointsPerRun(limits.runs.length, asked, undefined);
  const series = await store.queries.scalars(limits.runs, q.tag, { minStep: q.minStep, maxStep: q.maxStep, maxPoints });
  return json({ series: series.map((s) => toColumns(s, q.compact === true, q.wallTimes !== false)), maxPoints });
}
