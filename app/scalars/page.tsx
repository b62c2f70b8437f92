import { headers } from 'next/headers';
import { initialRunsAndTags } from '../../lib/server/initial-data.ts';
import { SEARCH_HEADER } from '../../lib/server/search-header.ts';
import type { TagIndex } from '../../lib/store/tag-index.ts';
import { firstCardTags, scalarCardLayout, xAxisParam } from '../ui/scalars/card-layout.ts';
import { ScalarsDashboard } from '../ui/scalars/scalars-dashboard.tsx';
import { earlyRequestsScript, OVERVIEW_POINTS, scalarsPostBodies } from '../ui/scalars/scalars-post.ts';
import { selectedRuns, selectionKeys, tagsOfKind } from '../ui/selection.ts';

export const metadata = { title: 'Scalars · Board' };

/** Early requests cover at most this many cards, and only the first once it names this many runs. */
const EARLY_CARDS = 4;
const EARLY_RUNS = 200;

/**
 * Bodies of the first cards' overview requests, as the dashboard will build them from the same
 * index and URL (app/ui/scalars/scalars-post.ts). One card when it is large: the server answers one
 * request at a time, and a second sweep-sized answer would hold up the page's own scripts.
 */
function firstCardBodies(index: TagIndex, params: URLSearchParams): string[] {
  const view = selectedRuns(
    index.runs.map((r) => r.name),
    selectionKeys(params),
  );
  const tagMap = tagsOfKind({ runs: index.runs, tags: index.tags, selected: view.selected }, ['scalar']);
  const layout = scalarCardLayout(tagMap, params.get('tagFilter') ?? '', params.getAll('pin').join('\u0000'));
  const wallTimes = xAxisParam(params) !== 'step';
  const bodies: string[] = [];
  let runs = 0;
  for (const tag of firstCardTags(layout, EARLY_CARDS)) {
    const cardRuns = tagMap.get(tag) ?? [];
    if (cardRuns.length === 0 || (bodies.length > 0 && runs + cardRuns.length > EARLY_RUNS)) break;
    runs += cardRuns.length;
    bodies.push(...scalarsPostBodies(cardRuns, { tag, maxPoints: OVERVIEW_POINTS, wallTimes }));
  }
  return bodies;
}

export default async function ScalarsPage() {
  const index = await initialRunsAndTags();
  const params = new URLSearchParams((await headers()).get(SEARCH_HEADER) ?? '');
  const bodies = index ? firstCardBodies(index, params) : [];
  return (
    <>
      {bodies.length > 0 && <script dangerouslySetInnerHTML={{ __html: earlyRequestsScript(bodies) }} />}
      <ScalarsDashboard />
    </>
  );
}
