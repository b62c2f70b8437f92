import { z } from 'zod';
import { json, name, route } from '../../../lib/server/api.ts';
import { slimTags } from '../../../lib/server/initial-data.ts';

export const dynamic = 'force-dynamic';

/** Tags of one run, or of every run when `run` is absent. */
export const GET = route(z.object({ run: name.optional() }), [], async (store, q) =>
  json({ tags: slimTags(await store.queries.listTags(q.run)) }),
);
