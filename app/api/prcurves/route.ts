import { z } from 'zod';
import { json, name, route } from '../../../lib/server/api.ts';
import { evenlySample } from '../../../lib/server/sample-caps.ts';

export const dynamic = 'force-dynamic';

export const GET = route(z.object({ run: name, tag: name }), [], async (store, q) =>
  json({ run: q.run, tag: q.tag, entries: evenlySample(await store.queries.prCurves(q.run, q.tag), store.caps.pr_curves) }),
);
