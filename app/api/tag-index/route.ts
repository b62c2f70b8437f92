import { z } from 'zod';
import { json, route } from '../../../lib/server/api.ts';
import { currentTagIndex } from '../../../lib/server/initial-data.ts';

export const dynamic = 'force-dynamic';

/** Runs plus every tag grouped with the index ranges of the runs that hold it (lib/store/tag-index.ts). */
export const GET = route(z.object({}), [], async () => json(await currentTagIndex()));
