import { z } from 'zod';
import { json, route } from '../../../lib/server/api.ts';

export const dynamic = 'force-dynamic';

/** Every run with its summary (tag count, wall-time range, warning count). */
export const GET = route(z.object({}), [], async (store) => json({ runs: await store.queries.listRuns() }));
