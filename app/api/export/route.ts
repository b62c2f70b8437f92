import { z } from 'zod';
import { regex, route } from '../../../lib/server/api.ts';
import { exportStream } from '../../../lib/server/export.ts';

export const dynamic = 'force-dynamic';

const Query = z.object({
  runs: regex.optional(),
  tags: regex.optional(),
  format: z.enum(['csv', 'json']).default('csv'),
});

/** Every scalar point (full resolution) matching the run/tag regexes, streamed as CSV or JSON. */
export const GET = route(Query, [], (store, q) => exportStream(store.queries, {
  runs: q.runs !== undefined ? new RegExp(q.runs) : undefined,
  tags: q.tags !== undefined ? new RegExp(q.tags) : undefined,
  format: q.format,
}));
