import { z } from 'zod';
import { json, route } from '../../../../lib/server/api.ts';
import { loadEmbedding, ProjectorError, projectorRoots } from '../../../../lib/server/projector.ts';

export const dynamic = 'force-dynamic';

const Query = z.object({ run: z.string().max(1024), name: z.string().min(1).max(1024) });

/** One embedding's points (float32, base64), metadata table and sprite cell size. */
export const GET = route(Query, [], (store, q) => {
  try {
    return json(loadEmbedding(projectorRoots(store), q.run, q.name));
  } catch (err) {
    if (err instanceof ProjectorError || (err as Error).message.includes('.tsv')) return json({ error: (err as Error).message }, 404);
    throw err;
  }
});
