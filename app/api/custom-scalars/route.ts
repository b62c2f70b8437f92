import { z } from 'zod';
import { json, route } from '../../../lib/server/api.ts';

export const dynamic = 'force-dynamic';

/** Every run's Custom Scalars layout (add_custom_scalars, or any writer of the custom_scalars plugin). */
export const GET = route(z.object({}), [], async (store) => json({ layouts: await store.queries.customScalarLayouts() }));
