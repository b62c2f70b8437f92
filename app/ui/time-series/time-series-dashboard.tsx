'use client';
// Time Series (TensorBoard 2.5+'s default page): scalars, images and histograms in one grid,
// grouped by tag prefix, narrowed by a tag filter (RE2) and a plugin filter, with a pinned
// section on top and per-card settings. The view lives in the URL like every dashboard's:
// page-wide settings share their keys with the Scalars / Images / Histograms pages (smoothing, x,
// logy, outliers, bright, contrast, actual, hmode, tagFilter), pins are `tsPin`, per-card
// overrides `tsCard` (see model.ts).
import { useCallback, useMemo, useRef, useState } from 'react';
import { tagsOfKind, useRuns } from '../runs-context.tsx';
import { xAxisParam } from '../scalars/card-layout.ts';
import { preloadECharts } from '../echart.tsx';
import { useDark } from '../theme.ts';
import { compileFilter } from '../name-filter.ts';
import { boolParam, numParam, setParams, useParams } from '../url-state.ts';
import {
  buildGrid,
  cardId,
  HISTOGRAM_MODES,
  kindsShown,
  readCardSettings,
  togglePin,
  writeCardSettings,
  type CardRef,
  type CardSettings,
  type HistogramMode,
  type TagRunsByKind,
} from './model.ts';
import { TimeSeriesCard, type PageSettings } from './ts-card.tsx';
import { SmoothingControl, XAxisControl } from '../scalars/settings-controls.tsx';
import './time-series.css';

/** Cards a group renders before a "show more" button: per-run image and histogram cards of a sweep add up. */
const GROUP_PAGE = 96;

// Scalar cards come first in most grids: ECharts starts downloading with the page's own scripts
// (this module is evaluated before hydration), as on the Scalars page.
if (typeof window !== 'undefined') preloadECharts();

export function TimeSeriesDashboard() {
  const state = useRuns();
  const params = useParams();
  const dark = useDark();

  const smoothing = numParam(params, 'smoothing', 0.6, 0, 0.999);
  const xAxis = xAxisParam(params);
  const logY = boolParam(params, 'logy');
  const logX = boolParam(params, 'logx');
  const ignoreOutliers = boolParam(params, 'outliers');
  const brightness = numParam(params, 'bright', 1, 0, 4);
  const contrast = numParam(params, 'contrast', 1, 0, 4);
  const actual = boolParam(params, 'actual');
  const hmodeParam = params.get('hmode') as HistogramMode | null;
  const histogramMode: HistogramMode = hmodeParam && HISTOGRAM_MODES.includes(hmodeParam) ? hmodeParam : 'offset';
  const page = useMemo<PageSettings>(
    () => ({
      scalar: { smoothing, xAxis, logY, logX, ignoreOutliers },
      image: { brightness, contrast, actual },
      histogramMode,
    }),
    [smoothing, xAxis, logY, logX, ignoreOutliers, brightness, contrast, actual, histogramMode],
  );

  const tagFilterSrc = params.get('tagFilter') ?? '';
  const kindParam = params.get('tsKind');
  const pinKey = params.getAll('tsPin').join('\u0000');
  const cardKey = params.getAll('tsCard').join('\u0000');
  const pins = useMemo(() => (pinKey ? pinKey.split('\u0000') : []), [pinKey]);
  const overrides = useMemo(() => readCardSettings(cardKey ? cardKey.split('\u0000') : []), [cardKey]);
  const { re: tagRe, error: tagError } = compileFilter(tagFilterSrc);

  const tagRuns = useMemo<TagRunsByKind>(
    () => ({
      scalar: tagsOfKind(state, ['scalar']),
      image: tagsOfKind(state, ['image']),
      histogram: tagsOfKind(state, ['histogram']),
    }),
    [state],
  );
  const grid = useMemo(
    () => buildGrid(tagRuns, { filter: tagRe, kinds: kindsShown(kindParam), pinned: pins }),
    // tagRe is recompiled each render; its source stands for it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [tagRuns, tagFilterSrc, kindParam, pins],
  );
  const runStarts = useMemo(() => new Map(state.runs.map((r) => [r.name, r.firstWallTime ?? 0])), [state.runs]);

  // Stable callbacks (they read the latest pins and overrides through refs), so a pin or a card
  // setting re-renders only the cards it concerns (TimeSeriesCard is memoized).
  const latest = useRef({ pins, overrides });
  latest.current = { pins, overrides };
  const onTogglePin = useCallback((id: string) => setParams({ tsPin: togglePin(latest.current.pins, id) }), []);
  const onOverride = useCallback(
    (id: string, next: CardSettings) => setParams({ tsCard: writeCardSettings(latest.current.overrides, id, next) }),
    [],
  );

  const anyData = tagRuns.scalar.size + tagRuns.image.size + tagRuns.histogram.size > 0;
  const shownCount = grid.counts.scalar + grid.counts.image + grid.counts.histogram;
  const cell = (c: CardRef) => {
    const id = cardId(c);
    return (
      <TimeSeriesCard
        key={id}
        card={c}
        runs={c.kind === 'scalar' ? (tagRuns.scalar.get(c.tag) ?? []) : []}
        page={page}
        override={overrides.get(id)}
        onOverride={onOverride}
        pinned={pins.includes(id)}
        onTogglePin={onTogglePin}
        runStarts={runStarts}
        dark={dark}
      />
    );
  };

  return (
    <div className="time-series">
      <div className="toolbar" role="toolbar" aria-label="Time series filters">
        <label>
          <input
            type="search"
            placeholder="Filter tags (regex)"
            value={tagFilterSrc}
            className={tagError ? 'invalid' : ''}
            aria-invalid={tagError !== null}
            title={tagError ?? 'Regular expression (RE2 syntax), case-insensitive'}
            onChange={(e) => setParams({ tagFilter: e.target.value || null })}
            aria-label="Filter tags"
          />
        </label>
        <label>
          Show
          <select
            value={kindsShown(kindParam).size === 1 ? kindParam! : ''}
            onChange={(e) => setParams({ tsKind: e.target.value || null })}
            aria-label="Card types"
          >
            <option value="">All</option>
            <option value="scalar">Scalars</option>
            <option value="image">Images</option>
            <option value="histogram">Histograms</option>
          </select>
        </label>
        <span className="meta" data-testid="ts-counts">
          {grid.counts.scalar} scalar · {grid.counts.image} image · {grid.counts.histogram} histogram cards
        </span>
      </div>
      <div className="toolbar" role="toolbar" aria-label="Time series settings">
        <SmoothingControl smoothing={smoothing} />
        <XAxisControl xAxis={xAxis} />
        <label>
          <input type="checkbox" checked={logY} onChange={(e) => setParams({ logy: e.target.checked ? '1' : null })} /> Log y
        </label>
        <label>
          <input type="checkbox" checked={ignoreOutliers} onChange={(e) => setParams({ outliers: e.target.checked ? '1' : null })} /> Ignore
          outliers
        </label>
        <span className="ts-sep" aria-hidden="true" />
        <label>
          Brightness
          <input
            type="range"
            min={0}
            max={3}
            step={0.05}
            value={brightness}
            onChange={(e) => setParams({ bright: e.target.value === '1' ? null : e.target.value })}
            aria-label="Image brightness"
          />
        </label>
        <label>
          Contrast
          <input
            type="range"
            min={0}
            max={3}
            step={0.05}
            value={contrast}
            onChange={(e) => setParams({ contrast: e.target.value === '1' ? null : e.target.value })}
            aria-label="Image contrast"
          />
        </label>
        <label>
          <input type="checkbox" checked={actual} onChange={(e) => setParams({ actual: e.target.checked ? '1' : null })} /> Actual size
        </label>
        <span className="ts-sep" aria-hidden="true" />
        <label>
          Histograms
          <select
            value={histogramMode}
            onChange={(e) => setParams({ hmode: e.target.value === 'offset' ? null : e.target.value })}
            aria-label="Histogram view"
          >
            {HISTOGRAM_MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      </div>
      {tagError && (
        <div className="error-text" role="alert">
          Tag filter: {tagError}
        </div>
      )}
      {state.loading && state.tags.length === 0 ? (
        <div className="empty" aria-busy="true">
          Loading…
        </div>
      ) : !anyData ? (
        <div className="empty">No scalars, images or histograms in the selected runs yet. They appear here live as they are written.</div>
      ) : shownCount === 0 ? (
        <div className="empty">No card matches the filter.</div>
      ) : null}
      {grid.pinned.length > 0 && (
        <section className="group ts-pinned" aria-label="Pinned cards" data-testid="ts-pinned">
          <h3>
            Pinned <span className="muted">({grid.pinned.length})</span>
          </h3>
          <div className="cards">{grid.pinned.map(cell)}</div>
        </section>
      )}
      {grid.groups.map((g) => (
        <Group key={g.name} name={g.name} cards={g.cards} cell={cell} />
      ))}
    </div>
  );
}

function Group({ name, cards, cell }: { name: string; cards: CardRef[]; cell: (c: CardRef) => React.ReactNode }) {
  const [limit, setLimit] = useState(GROUP_PAGE);
  return (
    <details className="group" open data-testid="ts-group" data-group={name}>
      <summary>
        {name} <span className="muted">({cards.length})</span>
      </summary>
      <div className="cards">{cards.slice(0, limit).map(cell)}</div>
      {cards.length > limit && (
        <button type="button" className="ts-more" onClick={() => setLimit((l) => l + GROUP_PAGE)}>
          Show {Math.min(GROUP_PAGE, cards.length - limit)} more of {cards.length - limit} hidden cards in {name}
        </button>
      )}
    </details>
  );
}
