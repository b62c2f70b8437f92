import { z } from 'zod';
import { json, route } from '../../../../lib/server/api.ts';
import { loadSprite, ProjectorError, projectorRoots } from '../../../../lib/server/projector.ts';

export const dynamic = 'force-dynamic';

const Query = z.object({ run: z.string().max(1024), name: z.string().min(1).max(1024) });

/** The sprite sheet of one embedding (thumbnails of its points). */
export const GET = route(Query, [], (store, q) => {
  try {
    const s = loadSprite(projectorRoots(store), q.run, q.name);
    return new Response(new Uint8Array(s.bytes), {
      headers: { 'content-type': s.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    });
  } catch (err) {
    if (err instanceof ProjectorError) return json({ error: err.message }, 404);
    throw err;
  }
});
