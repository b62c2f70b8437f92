import { z } from 'zod';
import { json, name, route } from '../../../lib/server/api.ts';

export const dynamic = 'force-dynamic';

/** Graphs of one run: GraphDefs from files and autograd DAGs written by our SummaryWriter. */
export const GET = route(z.object({ run: name }), [], async (store, q) => json({ graphs: await store.queries.graph(q.run) }));
