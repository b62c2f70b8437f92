import { headers } from 'next/headers';
import { initialRunsAndTags } from '../../lib/server/initial-data.ts';
import { SEARCH_HEADER } from '../../lib/server/search-header.ts';
import type { TagIndex } from '../../lib/store/tag-index.ts';
import { compileFilter } from '../ui/name-filter.ts';
import { xAxisParam } from '../ui/scalars/card-layout.ts';
import { EarlyScalarRequests, type EarlyCard } from '../ui/scalars/early-requests.tsx';
import { selectedRuns, selectionKeys, tagsOfKind } from '../ui/selection.ts';
import { buildGrid, cardId, kindsShown, readCardSettings } from '../ui/time-series/model.ts';
import { TimeSeriesDashboard } from '../ui/time-series/time-series-dashboard.tsx';

export const metadata = { title: 'Time series · Board' };

/** The scalar cards among the grid's first four, laid out as the dashboard will (model.ts). */
function firstScalarCards(index: TagIndex, params: URLSearchParams): EarlyCard[] {
  const view = selectedRuns(
    index.runs.map((r) => r.name),
    selectionKeys(params),
  );
  const state = { runs: index.runs, tags: index.tags, selected: view.selected };
  const scalar = tagsOfKind(state, ['scalar']);
  const grid = buildGrid(
    { scalar, image: tagsOfKind(state, ['image']), histogram: tagsOfKind(state, ['histogram']) },
    { filter: compileFilter(params.get('tagFilter') ?? '').re, kinds: kindsShown(params.get('tsKind')), pinned: params.getAll('tsPin') },
  );
  const overrides = readCardSettings(params.getAll('tsCard'));
  const pageAxis = xAxisParam(params);
  return [...grid.pinned, ...grid.groups.flatMap((g) => g.cards)]
    .slice(0, 4)
    .filter((c) => c.kind === 'scalar')
    .map((c) => ({ tag: c.tag, runs: scalar.get(c.tag) ?? [], xAxis: overrides.get(cardId(c))?.xAxis ?? pageAxis }));
}

export default async function TimeSeriesPage() {
  const index = await initialRunsAndTags();
  const params = new URLSearchParams((await headers()).get(SEARCH_HEADER) ?? '');
  return (
    <>
      {index && <EarlyScalarRequests cards={firstScalarCards(index, params)} />}
      <TimeSeriesDashboard />
    </>
  );
}
