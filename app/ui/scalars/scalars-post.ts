// The bodies of POST /api/scalars as the Scalars page sends them, and the page's early requests.
//
// Early requests: a sweep's first chart used to wait for hydration (about 1.4 s of Next's and
// React's scripts on this project's machine) before its data request could leave, and then for the
// server's answer. The server-rendered page now carries a small inline script that sends the first
// cards' overview requests while the scripts still load (app/scalars/page.tsx); when a card mounts
// and builds the very same body, it takes that response instead of sending its own. Bodies are
// compared as exact JSON strings, both sides built here, so a page that lays its cards out
// differently than the server guessed costs one unused request and never wrong data.
// Pure: imported by the server page and by client components.
import { MAX_SCALAR_POINTS } from '../../../lib/server/scalar-limits.ts';

/** Points per run of a card's overview (the server lowers it further for large run sets). */
export const OVERVIEW_POINTS = 1500;
/** Runs one request may name (lib/server/scalar-limits.ts): larger selections go in several requests. */
export const RUNS_PER_REQUEST = 2000;

export interface ScalarsAsk {
  tag: string;
  minStep?: number;
  maxStep?: number;
  maxPoints: number;
  /** false: the series come without wall times (a step-axis chart does not draw them). */
  wallTimes: boolean;
}

/**
 * JSON bodies for `runs` (split into requests the server accepts). compact: float32 values come with
 * 9 digits instead of 17 (about 40% less JSON at 2,000 runs). runs × maxPoints over the server's cap
 * is refused, so each part asks for at most the cap's share per run.
 */
export function scalarsPostBodies(runs: readonly string[], ask: ScalarsAsk): string[] {
  const out: string[] = [];
  for (let i = 0; i < runs.length; i += RUNS_PER_REQUEST) {
    const part = runs.slice(i, i + RUNS_PER_REQUEST);
    // Fixed key order: early and late bodies must be the same string.
    out.push(
      JSON.stringify({
        runs: part,
        tag: ask.tag,
        minStep: ask.minStep,
        maxStep: ask.maxStep,
        maxPoints: Math.max(1, Math.min(ask.maxPoints, Math.floor(MAX_SCALAR_POINTS / part.length))),
        wallTimes: ask.wallTimes,
        compact: true,
      }),
    );
  }
  return out;
}

/** Window property holding the early responses, by body. */
const EARLY = '__boardEarlyScalars';

/**
 * Source of an inline script that sends each body to /api/scalars at once and keeps the pending
 * response under its body. The bodies carry user text (run and tag names): as JSON inside a script
 * element, every '<', '>', '&' and line separator is \u-escaped, so no name can end the element.
 */
export function earlyRequestsScript(bodies: readonly string[]): string {
  const literal = JSON.stringify(bodies).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return (
    `(function(){var e=window.${EARLY}||(window.${EARLY}={});${literal}.forEach(function(b){` +
    `try{e[b]=fetch('/api/scalars',{method:'POST',cache:'no-store',headers:{'content-type':'application/json'},body:b});` +
    `e[b].catch(function(){});}catch(x){}});})();`
  );
}

/**
 * Early answers serve only the page load they were sent for: a card that mounts later (scrolled
 * to, or after a tab switch back to the page) asks afresh rather than show an answer this old.
 */
const EARLY_TTL_MS = 10_000;

/** The early response sent with exactly this body, once (later asks send their own request). */
export function takeEarlyResponse(body: string): Promise<Response> | undefined {
  if (typeof window === 'undefined') return undefined;
  const w = window as unknown as Record<string, Record<string, Promise<Response>> | undefined>;
  const early = w[EARLY];
  if (!early) return undefined;
  // performance.now() counts from the document's load; client-side navigations keep that origin.
  if (performance.now() > EARLY_TTL_MS) {
    delete w[EARLY];
    return undefined;
  }
  const res = early[body];
  if (res !== undefined) delete early[body];
  return res;
}
