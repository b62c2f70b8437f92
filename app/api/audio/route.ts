import { z } from 'zod';
import { json, name, route } from '../../../lib/server/api.ts';

export const dynamic = 'force-dynamic';

/** Audio clips of one (run, tag), in step order; the bytes come from /api/blob/<blobId>. */
export const GET = route(z.object({ run: name, tag: name }), [], async (store, q) =>
  json({ clips: await store.queries.audio(q.run, q.tag) }),
);
