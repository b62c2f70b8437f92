'use client';
// Scalars: toolbar (smoothing, x axis, log scales, outliers, tag filter, export), pinned cards,
// then one card per tag grouped by the tag's first path segment.
import { useMemo } from 'react';
import { CardBoundary } from '../error-boundary.tsx';
import { tagsOfKind, useRuns } from '../runs-context.tsx';
import { useDark } from '../theme.ts';
import { boolParam, compileFilter, numParam, setParams, useParams } from '../url-state.ts';
import { ScalarCard, type ScalarSettings } from './scalar-card.tsx';
import type { XAxisMode } from './math.ts';

const X_MODES: XAxisMode[] = ['step', 'relative', 'wall'];

/** Cards group by the tag's first path segment; tags without one share a top-level group. */
function groupOf(tag: string): string {
  const i = tag.indexOf('/');
  return i > 0 ? tag.slice(0, i) : '(top level)';
}

export function ScalarsDashboard() {
  const state = useRuns();
  const params = useParams();
  const dark = useDark();
  const smoothing = numParam(params, 'smoothing', 0.6, 0, 0.999);
  const xParam = params.get('x') as XAxisMode | null;
  const xAxis: XAxisMode = xParam && X_MODES.includes(xParam) ? xParam : 'step';
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

  const { re: tagRe, error: tagError } = compileFilter(tagFilterSrc);
  const tagMap = tagsOfKind(state, ['scalar']);
  const tags = [...tagMap.keys()].filter((t) => tagRe === null || tagRe.test(t));
  const pinned = new Set(pinnedKey ? pinnedKey.split('\u0000') : []);
  const groups = new Map<string, string[]>();
  for (const t of tags) {
    if (pinned.has(t)) continue;
    const g = groupOf(t);
    const list = groups.get(g);
    if (list) list.push(t);
    else groups.set(g, [t]);
  }
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
      />
    </CardBoundary>
  );
  const pinnedTags = tags.filter((t) => pinned.has(t));

  return (
    <div>
      <div className="toolbar" role="toolbar" aria-label="Scalar chart settings">
        <label title="TensorBoard's debiased exponential moving average">
          Smoothing
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={Math.min(smoothing, 0.99)}
            onChange={(e) => setParams({ smoothing: e.target.value })}
            aria-label="Smoothing"
          />
          <input
            type="number"
            min={0}
            max={0.999}
            step={0.001}
            value={smoothing}
            onChange={(e) => setParams({ smoothing: e.target.value })}
            style={{ width: 70 }}
            aria-label="Smoothing value"
          />
        </label>
        <label>
          X axis
          <select value={xAxis} onChange={(e) => setParams({ x: e.target.value === 'step' ? null : e.target.value })} aria-label="X axis">
            <option value="step">Step</option>
            <option value="relative">Relative (hours)</option>
            <option value="wall">Wall time</option>
          </select>
        </label>
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
          <a href="/api/export?format=csv" download>
            CSV
          </a>{' '}
          ·{' '}
          <a href="/api/export?format=json" download>
            JSON
          </a>
        </span>
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
