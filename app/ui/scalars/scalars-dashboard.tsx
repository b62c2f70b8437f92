'use client';
// Scalars: toolbar (smoothing, x axis, log scales, outliers, tag filter, export), pinned cards,
// then one card per tag grouped by the tag's first path segment.
import { useMemo } from 'react';
import { CardBoundary } from '../error-boundary.tsx';
import { tagsOfKind, useRuns } from '../runs-context.tsx';
import { preloadECharts } from '../echart.tsx';
import { useDark } from '../theme.ts';
import { boolParam, numParam, setParams, useParams } from '../url-state.ts';
import { scalarCardLayout, xAxisParam } from './card-layout.ts';
import { ScalarCard, type ScalarSettings } from './scalar-card.tsx';
import { SmoothingControl, XAxisControl } from './settings-controls.tsx';
import type { BandKind } from './chart-model.ts';
import { useApi } from '../api.ts';
import { groupLabeler, hparamsByRun, type GroupBy } from '../../../lib/server/run-groups.ts';
import type { HparamsView } from '../../../lib/store/types.ts';

// This page always draws charts: ECharts starts downloading with the page's own scripts (this
// module is evaluated before hydration), so neither a page whose data comes back at once nor the
// early requests' answers (scalars-post.ts) wait for the library after hydration.
if (typeof window !== 'undefined') preloadECharts();

export function ScalarsDashboard() {
  const state = useRuns();
  const params = useParams();
  const dark = useDark();
  const smoothing = numParam(params, 'smoothing', 0.6, 0, 0.999);
  const xAxis = xAxisParam(params);
  const logY = boolParam(params, 'logy');
  const logX = boolParam(params, 'logx');
  const ignoreOutliers = boolParam(params, 'outliers');
  const tagFilterSrc = params.get('tagFilter') ?? '';
  const pinnedKey = params.getAll('pin').join('\u0000');
  const settings = useMemo<ScalarSettings>(
    () => ({ smoothing, xAxis, logY, logX, ignoreOutliers }),
    [smoothing, xAxis, logY, logX, ignoreOutliers],
  );
  const runStarts = useMemo(() => new Map(state.runs.map((r) => [r.name, r.firstWallTime ?? 0])), [state.runs]);

  // Run groups (URL: groupRe=<regex> or groupHp=<hparam>, band=std|minmax).
  const groupRe = params.get('groupRe');
  const groupHp = params.get('groupHp');
  const band: BandKind = params.get('band') === 'std' ? 'std' : 'minmax';
  const hparamsApi = useApi<HparamsView>(groupHp !== null || params.get('groupMode') === 'hp' ? '/api/hparams' : null);
  const hparamNames = useMemo(() => {
    const names = new Set<string>();
    for (const h of hparamsApi.data?.hparamInfos ?? []) names.add(h.name);
    for (const sess of hparamsApi.data?.sessions ?? []) for (const k of Object.keys(sess.hparams)) names.add(k);
    return [...names].sort();
  }, [hparamsApi.data]);
  const { group, groupError } = useMemo(() => {
    let by: GroupBy | null = null;
    if (groupRe) by = { by: 'regex', pattern: groupRe };
    else if (groupHp) by = { by: 'hparam', name: groupHp };
    if (!by) return { group: null, groupError: null };
    try {
      const label = groupLabeler(by, by.by === 'hparam' ? hparamsByRun(hparamsApi.data?.sessions ?? []) : undefined);
      return { group: { by, label, band }, groupError: null };
    } catch (err) {
      return { group: null, groupError: (err as Error).message };
    }
  }, [groupRe, groupHp, band, hparamsApi.data]);
  const groupMode = groupRe !== null ? 're' : groupHp !== null ? 'hp' : (params.get('groupMode') ?? '');

  const tagMap = tagsOfKind(state, ['scalar']);
  const { tags, pinned, pinnedTags, groups, tagError } = scalarCardLayout(tagMap, tagFilterSrc, pinnedKey);
  const exportAll = (format: 'csv' | 'json') => {
    const q = new URLSearchParams({ format });
    if (group?.by.by === 'regex') q.set('groupRegex', group.by.pattern);
    if (group?.by.by === 'hparam') q.set('groupHparam', group.by.name);
    return `/api/export?${q}`;
  };
  const togglePin = (tag: string) => {
    const next = new Set(pinned);
    if (next.has(tag)) next.delete(tag);
    else next.add(tag);
    setParams({ pin: [...next] });
  };
  const card = (t: string) => (
    <CardBoundary key={t} label={t}>
      <ScalarCard
        tag={t}
        runs={tagMap.get(t) ?? []}
        settings={settings}
        runStarts={runStarts}
        dark={dark}
        pinned={pinned.has(t)}
        onTogglePin={togglePin}
        group={group}
      />
    </CardBoundary>
  );

  return (
    <div>
      <div className="toolbar" role="toolbar" aria-label="Scalar chart settings">
        <SmoothingControl smoothing={smoothing} />
        <XAxisControl xAxis={xAxis} />
        <label>
          <input type="checkbox" checked={logY} onChange={(e) => setParams({ logy: e.target.checked ? '1' : null })} /> Log y
        </label>
        <label>
          <input
            type="checkbox"
            checked={logX}
            onChange={(e) => setParams({ logx: e.target.checked ? '1' : null })}
            disabled={xAxis === 'wall'}
          />{' '}
          Log x
        </label>
        <label>
          <input type="checkbox" checked={ignoreOutliers} onChange={(e) => setParams({ outliers: e.target.checked ? '1' : null })} /> Ignore
          outliers
        </label>
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
        <span className="meta">
          Export all:{' '}
          <a href={exportAll('csv')} download>
            CSV
          </a>{' '}
          ·{' '}
          <a href={exportAll('json')} download>
            JSON
          </a>
        </span>
      </div>
      <div className="toolbar" role="toolbar" aria-label="Run groups">
        <label>
          Group runs
          <select
            value={groupMode}
            aria-label="Group runs by"
            onChange={(e) =>
              setParams({ groupMode: e.target.value || null, groupRe: e.target.value === 're' ? (groupRe ?? '') : null, groupHp: null })
            }
          >
            <option value="">No grouping</option>
            <option value="re">by regex capture group</option>
            <option value="hp">by hparam value</option>
          </select>
        </label>
        {groupMode === 're' && (
          <input
            type="search"
            placeholder="e.g. lr_([\d.]+)_seed"
            value={groupRe ?? ''}
            aria-label="Group regex"
            className={groupError ? 'invalid' : ''}
            aria-invalid={groupError !== null}
            title={groupError ?? 'Runs with the same first capture group form a group'}
            onChange={(e) => setParams({ groupRe: e.target.value })}
          />
        )}
        {groupMode === 'hp' && (
          <select value={groupHp ?? ''} aria-label="Group hparam" onChange={(e) => setParams({ groupHp: e.target.value || null })}>
            <option value="">
              {hparamsApi.loading ? 'Loading hparams…' : hparamNames.length ? 'Pick an hparam' : 'No hparams logged'}
            </option>
            {hparamNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        )}
        {group && (
          <label>
            Band
            <select
              value={band}
              aria-label="Group band"
              onChange={(e) => setParams({ band: e.target.value === 'minmax' ? null : e.target.value })}
            >
              <option value="minmax">min–max</option>
              <option value="std">mean ± std</option>
            </select>
          </label>
        )}
      </div>
      {tagError && (
        <div className="error-text" role="alert">
          Tag filter: {tagError}
        </div>
      )}
      {groupError && (
        <div className="error-text" role="alert">
          Group regex: {groupError}
        </div>
      )}
      {state.loading && state.tags.length === 0 ? (
        <div className="empty" aria-busy="true">
          Loading…
        </div>
      ) : tags.length === 0 ? (
        <div className="empty">
          {tagMap.size === 0
            ? 'No scalar data in the selected runs yet. Points written with addScalar appear here live.'
            : 'No tag matches the filter.'}
        </div>
      ) : null}
      {pinnedTags.length > 0 && (
        <section className="group" aria-label="Pinned">
          <h3>Pinned</h3>
          <div className="cards">{pinnedTags.map(card)}</div>
        </section>
      )}
      {[...groups.entries()].map(([g, list]) => (
        <details key={g} className="group" open>
          <summary>
            {g} <span className="muted">({list.length})</span>
          </summary>
          <div className="cards">{list.map(card)}</div>
        </details>
      ))}
    </div>
  );
}
