import { z } from 'zod';
import { badRequest, checkSameOriginJson, json, name, serverError, storeOr503 } from '../../../../lib/server/api.ts';

export const dynamic = 'force-dynamic';

const Body = z.object({ run: name, trash: z.boolean().default(true) }).strict();

/** Deletes a run from the store; its files go to the trash unless `trash: false`. */
export async function POST(req: Request): Promise<Response> {
  const refused = checkSameOriginJson(req);
  if (refused) return refused;
  let body: unknown;
  try { body = await req.json(); } catch { return badRequest('body is not valid JSON'); }
  const parsed = Body.safeParse(body);
  if (!parsed.success) return badRequest('invalid body', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const store = storeOr503();
  if (store instanceof Response) return store;
  if (!(await store.queries.listRuns()).some((r) => r.name === parsed.data.run)) return json({ error: `no run named '${parsed.data.run}'` }, 404);
  try {
    await store.deleteRun(parsed.data.run, { trash: parsed.data.trash });
  } catch (err) {
    return serverError(err);
  }
  return json({ deleted: parsed.data.run });
}
