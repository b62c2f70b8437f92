// Renders every page once, in the background, right after the server starts listening. Next loads
// a route's modules, manifests and React's server renderer on its first request, and that first
// render holds the event loop for ~100 ms of CPU per page (measured by the API fuzz campaign's
// loop probe): paid here, one page at a time, it is not paid by a user's first click nor by a
// live-update stream or /api/health waiting behind it.
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** '/', '/scalars', ... from the app/ folder's page files (route groups and dynamic routes left out). */
export function pageRoutes(appDir: string): string[] {
  const routes: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && !/^[([@_]/.test(e.name) && e.name !== 'api') walk(join(dir, e.name));
      else if (e.isFile() && /^page\.(tsx|ts|jsx|js)$/.test(e.name)) {
        const rel = relative(join(appDir, 'app'), dir);
        routes.push(rel ? `/${rel.split(sep).join('/')}` : '/');
      }
    }
  };
  try {
    walk(join(appDir, 'app'));
  } catch {
    return ['/'];
  }
  return routes.sort();
}

/**
 * GETs each page and one unknown path (the not-found page), one at a time; failures are ignored.
 * Resolves with the number of pages asked for and the time it took.
 */
export async function warmUp(origin: string, appDir: string, signal: AbortSignal): Promise<{ pages: number; ms: number }> {
  const t0 = performance.now();
  const routes = [...pageRoutes(appDir), '/_board-warm-up-not-found'];
  for (const route of routes) {
    if (signal.aborted) break;
    try {
      const res = await fetch(origin + route, { signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]) });
      await res.arrayBuffer();
    } catch {
      /* a page that fails here fails for the user too, who gets Next's error page; nothing to warm */
    }
  }
  return { pages: routes.length, ms: performance.now() - t0 };
}
