import { jsonBody, route } from '../../../lib/server/api.ts';
import { answerScalars, ScalarsGetQuery, ScalarsPostBody } from '../../../lib/server/scalars-request.ts';

export const dynamic = 'force-dynamic';

/**
 * Downsampled series of one tag for several runs. GET repeats `run` (up to 500); POST sends
 * `{ runs, tag, minStep?, maxStep?, maxPoints? }` as same-origin JSON, for sweeps of thousands of
 * runs. Each bucket keeps its first, min, max and last point, so spikes survive; zoomed views ask
 * again with a step range. Runs are de-duplicated and runs × points is bounded
 * (lib/server/scalar-limits.ts, lib/server/scalars-request.ts). Series go out columnar. A POST with
 * `compact: true` gets float32 series' values with 9 significant digits and `f32: true`
 * (Math.fround(value) is the stored float32 exactly; lib/server/wire.ts): the UI's 2,000-run
 * answers shrink by about 40%.
 */
export const GET = route(ScalarsGetQuery, ['run'], (store, q) => answerScalars(store, { ...q, runs: q.run }));
export const POST = jsonBody(ScalarsPostBody, (store, body) => answerScalars(store, body));
