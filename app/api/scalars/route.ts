import { z } from 'zod';
import { badRequest, intParam, json, name, route, stepParam } from '../../../lib/server/api.ts';
import { checkScalarRequest, MAX_POINTS_PER_RUN } from '../../../lib/server/scalar-limits.ts';
import { toColumns } from '../../../lib/server/wire.ts';

export const dynamic = 'force-dynamic';

const Query = z.object({
  run: z.array(name).min(1).max(500),
  tag: name,
  minStep: stepParam.optional(),
  maxStep: stepParam.optional(),
  maxPoints: intParam(2, MAX_POINTS_PER_RUN).optional(),
});

/**
 * Downsampled series of one tag for several runs (repeat `run`). Each bucket keeps its first, min,
 * max and last point, so spikes survive; zoomed views ask again with a step range. Series go out
 * columnar (lib/server/wire.ts). Runs are de-duplicated and runs × maxPoints is capped
 * (lib/server/scalar-limits.ts): a 400 states the limit.
 */
export const GET = route(Query, ['run'], async (store, q) => {
  if (q.minStep !== undefined && q.maxStep !== undefined && q.minStep > q.maxStep) return badRequest('minStep must not exceed maxStep');
  const limits = checkScalarRequest(q.run, Math.min(q.maxPoints ?? 2000, store.caps.scalars ?? Infinity));
  if (!limits.ok) return badRequest(limits.error);
  const series = await store.queries.scalars(limits.runs, q.tag, { minStep: q.minStep, maxStep: q.maxStep, maxPoints: limits.maxPoints });
  return json({ series: series.map(toColumns) });
});
