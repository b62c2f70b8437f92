// The inline script that sends the first scalar cards' overview requests while the page's scripts
// still load (see scalars-post.ts). A server component: the Scalars and Time Series pages render it
// with the cards they will show first, in the order the dashboard lays them out.
import type { XAxisMode } from './math.ts';
import { earlyRequestsScript, OVERVIEW_POINTS, scalarsPostBodies } from './scalars-post.ts';

export interface EarlyCard {
  tag: string;
  runs: readonly string[];
  /** The card's x axis: anything but 'step' asks for wall times. */
  xAxis: XAxisMode;
}

/** At most this many cards, and only the first once they name this many runs. */
const EARLY_CARDS = 4;
const EARLY_RUNS = 200;

/**
 * Bodies of the first cards' overview requests. A single card when it is large: the server
 * answers one request at a time, and a second sweep-sized answer would hold up the page's own
 * scripts.
 */
export function earlyBodies(cards: readonly EarlyCard[]): string[] {
  const bodies: string[] = [];
  let runs = 0;
  for (const c of cards.slice(0, EARLY_CARDS)) {
    if (c.runs.length === 0 || (bodies.length > 0 && runs + c.runs.length > EARLY_RUNS)) break;
    runs += c.runs.length;
    bodies.push(...scalarsPostBodies(c.runs, { tag: c.tag, maxPoints: OVERVIEW_POINTS, wallTimes: c.xAxis !== 'step' }));
  }
  return bodies;
}

export function EarlyScalarRequests({ cards }: { cards: readonly EarlyCard[] }) {
  const bodies = earlyBodies(cards);
  return bodies.length > 0 ? <script dangerouslySetInnerHTML={{ __html: earlyRequestsScript(bodies) }} /> : null;
}
