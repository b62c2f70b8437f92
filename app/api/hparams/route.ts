import { z } from 'zod';
import { json, route } from '../../../lib/server/api.ts';

export const dynamic = 'force-dynamic';

export const GET = route(z.object({}), [], async (store) => json(await store.queries.hparams()));
