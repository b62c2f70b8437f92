// Shared plumbing of the route handlers under app/api: store lookup, zod validation of query
// strings, JSON answers. Server-only: client components import nothing from here.
// Fails the Next build if a client component imports this module (the store and its data stay on the server).
import 'server-only';
import { z } from 'zod';
import { compilePattern } from '../pattern.ts';
import { getActiveStore, type ActiveStore } from './registry.ts';

export type Handler = (store: ActiveStore, params: URLSearchParams) => Response | Promise<Response>;

const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function json(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE } });
}

export function badRequest(message: string, issues?: unknown): Response {
  return json({ error: message, issues }, 400);
}

export function storeOr503(): ActiveStore | Response {
  const store = getActiveStore();
  return store ?? json({ error: 'no store: the app runs without a board server (start it with `board --logdir DIR`)' }, 503);
}

/** A run or tag name: any text, bounded so a request cannot make us hash megabytes. */
export const name = z.string().min(1).max(1024);
/**
 * A user pattern (run/tag filters) in RE2 syntax, compiled to a linear-time matcher
 * (lib/pattern.ts); a 400 names the problem when it is too long, too large or not RE2.
 */
export const pattern = z.string().transform((source, ctx) => {
  try {
    return compilePattern(source);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
export const intParam = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const stepParam = z.coerce.number().refine(Number.isFinite, 'must be a finite number');

/** Turns URLSearchParams into an object: keys listed in `multi` become arrays (repeated params). */
function toObject(params: URLSearchParams, multi: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // A repeated single-valued parameter stays an array, so its string schema rejects it (400).
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = multi.includes(key) || all.length > 1 ? all : all[0];
  }
  for (const key of multi) if (!(key in out)) out[key] = [];
  return out;
}

/**
 * Validates the query string with a strict zod object (unknown parameters are a 400 too) and runs
 * the handler with the parsed value. Any error thrown by the store becomes a 500 with its message
 * (absolute paths removed).
 */
export function route<S extends z.ZodObject>(
  schema: S,
  multi: readonly string[],
  fn: (store: ActiveStore, q: z.infer<S>) => Response | Promise<Response>,
) {
  return async (req: Request): Promise<Response> => {
    const parsed = schema.strict().safeParse(toObject(new URL(req.url).searchParams, multi));
    if (!parsed.success) {
      return badRequest(
        'invalid query parameters',
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    }
    const store = storeOr503();
    if (store instanceof Response) return store;
    try {
      return await fn(store, parsed.data as z.infer<S>);
    } catch (err) {
      return serverError(err);
    }
  };
}

/** Rejects cross-site writes: a POST must be same-origin JSON (a page elsewhere cannot send that without a CORS preflight we never answer). */
export function checkSameOriginJson(req: Request): Response | null {
  if (!(req.headers.get('content-type') ?? '').startsWith('application/json'))
    return badRequest('expected a JSON body (content-type: application/json)');
  const origin = req.headers.get('origin');
  const host = req.headers.get('host');
  if (origin !== null && host !== null) {
    try {
      if (new URL(origin).host !== host) return json({ error: 'cross-origin request refused' }, 403);
    } catch {
      return badRequest('bad Origin header');
    }
  }
  return null;
}

/**
 * A 500 for an unexpected error: the message without absolute paths (they tell a caller where the
 * user keeps files and who they are); the full error goes to the server's console.
 */
export function serverError(err: unknown): Response {
  console.error('board: request failed:', err);
  return json({ error: redactPaths(err instanceof Error ? err.message : String(err)) }, 500);
}

/** Replaces absolute file paths (POSIX, Windows, file: URLs) in a message with their last part. */
export function redactPaths(message: string): string {
  return message.replace(
    /(?:file:\/\/)?(?:[A-Za-z]:[\\/]|[\\/])(?:[^\s'"`<>|,;:()\\/]+[\\/])+([^\s'"`<>|,;:()\\/]*)/g,
    (_m, last: string) => `…/${last}`,
  );
}

/**
 * A POST handler taking a same-origin JSON body validated by a strict zod schema (400 naming the
 * bad fields otherwise). Used where a query string would grow without bound (run sets of sweeps).
 */
export function jsonBody<S extends z.ZodType>(schema: S, fn: (store: ActiveStore, body: z.infer<S>) => Response | Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    const refused = checkSameOriginJson(req);
    if (refused) return refused;
    let raw: unknown;
    try {
      raw = await req.json();
    } catch {
      return badRequest('body is not valid JSON');
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success)
      return badRequest(
        'invalid body',
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    const store = storeOr503();
    if (store instanceof Response) return store;
    try {
      return await fn(store, parsed.data as z.infer<S>);
    } catch (err) {
      return serverError(err);
    }
  };
}
