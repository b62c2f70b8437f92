import { z } from 'zod';
import { json, name, route } from '../../../lib/server/api.ts';
import { evenlySample } from '../../../lib/server/sample-caps.ts';

export const dynamic = 'force-dynamic';

/** Image steps of one (run, tag); each entry names a blob served by /api/blob/ID. */
export const GET = route(z.object({ run: name, tag: name }), [], async (store, q) => {
  const series = await store.queries.images(q.run, q.tag);
  const steps = evenlySample(series.steps, store.caps.images);
  const keep = new Set(steps);
  return json({ ...series, steps, images: series.images.filter((img) => keep.has(img.step)) });
});
