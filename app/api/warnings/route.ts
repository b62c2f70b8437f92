import { z } from 'zod';
import { json, name, route } from '../../../lib/server/api.ts';

export const dynamic = 'force-dynamic';

/** Ingest warnings (corrupt records) of one run, or all. */
export const GET = route(z.object({ run: name.optional() }), [], async (store, q) =>
  json({ warnings: await store.queries.warnings(q.run) }),
);
