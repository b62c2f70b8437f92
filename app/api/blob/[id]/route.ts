import { z } from 'zod';
import { badRequest, json, storeOr503 } from '../../../../lib/server/api.ts';

export const dynamic = 'force-dynamic';

const Id = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Only media types we mean to serve; anything else goes out as an opaque download. */
const SAFE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'audio/wav', 'audio/x-wav']);

/** Bytes of one stored blob (an image), with its content type and an ETag for caching. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id: rawId } = await ctx.params;
  if ([...new URL(req.url).searchParams.keys()].length > 0) return badRequest('/api/blob/ID takes no query parameters');
  const id = Id.safeParse(rawId);
  if (!id.success) return badRequest(`blob id must be a non-negative integer, got '${rawId.slice(0, 40)}'`);
  const store = storeOr503();
  if (store instanceof Response) return store;
  const blob = await store.queries.blob(id.data);
  if (!blob) return json({ error: `no blob ${id.data}` }, 404);
  const etag = `"${blob.etag}"`;
  const headers = {
    etag,
    'cache-control': 'private, max-age=0, must-revalidate',
    'content-type': SAFE_TYPES.has(blob.contentType) ? blob.contentType : 'application/octet-stream',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox; frame-ancestors 'none'",
  };
  if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return new Response(Buffer.from(blob.bytes), { status: 200, headers });
}
