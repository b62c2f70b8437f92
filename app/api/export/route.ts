import { z } from 'zod';
import { pattern, route } from '../../../lib/server/api.ts';
import { exportStream } from '../../../lib/server/export.ts';

export const dynamic = 'force-dynamic';

const Query = z.object({
  runs: pattern.optional(),
  tags: pattern.optional(),
  format: z.enum(['csv', 'json']).default('csv'),
});

/** Every scalar point (full resolution) matching the run/tag patterns (RE2 syntax), streamed as CSV or JSON. */
export const GET = route(Query, [], (store, q) =>
  exportStream(store.queries, {
    runs: q.runs,
    tags: q.tags,
    format: q.format,
  }),
);
