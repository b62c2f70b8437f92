import { headers } from 'next/headers';
import { initialRunsAndTags } from '../../lib/server/initial-data.ts';
import { SEARCH_HEADER } from '../../lib/server/search-header.ts';
import type { TagIndex } from '../../lib/store/tag-index.ts';
import { firstCardTags, scalarCardLayout, xAxisParam } from '../ui/scalars/card-layout.ts';
import { EarlyScalarRequests, type EarlyCard } from '../ui/scalars/early-requests.tsx';
import { ScalarsDashboard } from '../ui/scalars/scalars-dashboard.tsx';
import { selectedRuns, selectionKeys, tagsOfKind } from '../ui/selection.ts';

export const metadata = { title: 'Scalars · Board' };

/** The page's first cards, laid out as the dashboard will from the same index and URL. */
function firstCards(index: TagIndex, params: URLSearchParams): EarlyCard[] {
  const view = selectedRuns(
    index.runs.map((r) => r.name),
    selectionKeys(params),
  );
  const tagMap = tagsOfKind({ runs: index.runs, tags: index.tags, selected: view.selected }, ['scalar']);
  const layout = scalarCardLayout(tagMap, params.get('tagFilter') ?? '', params.getAll('pin').join('\u0000'));
  const xAxis = xAxisParam(params);
  return firstCardTags(layout, 4).map((tag) => ({ tag, runs: tagMap.get(tag) ?? [], xAxis }));
}

export default async function ScalarsPage() {
  const index = await initialRunsAndTags();
  const params = new URLSearchParams((await headers()).get(SEARCH_HEADER) ?? '');
  return (
    <>
      {index && <EarlyScalarRequests cards={firstCards(index, params)} />}
      <ScalarsDashboard />
    </>
  );
}
