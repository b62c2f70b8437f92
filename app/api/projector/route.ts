import { z } from 'zod';
import { json, route } from '../../../lib/server/api.ts';
import { listProjectorEmbeddings, projectorRoots } from '../../../lib/server/projector.ts';

export const dynamic = 'force-dynamic';

/** Every embedding of the projector configs (PyTorch's add_embedding, TensorFlow's projector) in the log directory. */
export const GET = route(z.object({}), [], (store) => json({ embeddings: listProjectorEmbeddings(projectorRoots(store)) }));
