'use client';
// PR curves: one card per tag with every selected run's curve at a chosen step (slider).
import { useEffect, useMemo, useState } from 'react';
import type { PrCurveEntry } from '../../lib/store/types.ts';
import { PLUGIN } from '../../lib/domain/plugins.ts';
import { fetchJson, query } from './api.ts';
import { runColor } from './colors.ts';
import { EChart, type EChartsOption } from './echart.tsx';
import { CardBoundary } from './error-boundary.tsx';
import { useSeenOnce } from './in-view.ts';
import { useChangeCounter } from './live.ts';
import { tagsOfKind, useRuns } from './runs-context.tsx';
import { escapeHtml, fmt } from './scalars/math.ts';
import { useDark } from './theme.ts';

export function PrCurvesDashboard() {
  const state = useRuns();
  const dark = useDark();
  const tagMap = tagsOfKind(state, ['pr_curve'], [PLUGIN.prCurves]);
  return (
    <div>
      {state.loading && state.tags.length === 0 ? (
        <div className="empty" aria-busy="true">
          Loading…
        </div>
      ) : tagMap.size === 0 ? (
        <div className="empty">No PR curves in the selected runs.</div>
      ) : null}
      <div className="cards">
        {[...tagMap.entries()].map(([tag, runs]) => (
          <CardBoundary key={tag} label={tag}>
            <PrCard tag={tag} runs={runs} dark={dark} />
          </CardBoundary>
        ))}
      </div>
    </div>
  );
}

function PrCard({ tag, runs, dark }: { tag: string; runs: string[]; dark: boolean }) {
  const [ref, seen] = useSeenOnce<HTMLDivElement>();
  const refresh = useChangeCounter((c) => c.type === 'data' && c.tag === tag && runs.includes(c.run));
  const [data, setData] = useState<Map<string, PrCurveEntry[]> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stepIdx, setStepIdx] = useState<number | null>(null);
  const runsKey = runs.join('\u0000');
  useEffect(() => {
    if (!seen) return;
    let cancelled = false;
    Promise.all(
      runs.map((run) =>
        fetchJson<{ entries: PrCurveEntry[] }>(query('/api/prcurves', { run, tag })).then((r) => [run, r.entries] as const),
      ),
    ).then(
      (pairs) => {
        if (!cancelled) {
          setData(new Map(pairs));
          setError(null);
        }
      },
      (err: Error) => {
        if (!cancelled) setError(err.message);
      },
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runsKey stands for runs (a new array each render with the same names)
  }, [seen, tag, runsKey, refresh]);
  const steps = useMemo(() => [...new Set([...(data?.values() ?? [])].flatMap((e) => e.map((x) => x.step)))].sort((a, b) => a - b), [data]);
  const idx = stepIdx === null ? steps.length - 1 : Math.min(stepIdx, steps.length - 1);
  const step = steps[idx];
  const option = useMemo<EChartsOption | null>(() => {
    if (!data || step === undefined) return null;
    const fg = dark ? '#c9d1d9' : '#333';
    const series = [...data.entries()].map(([run, entries]) => {
      let e: PrCurveEntry | undefined;
      for (const x of entries) if (x.step <= step) e = x;
      const pts = e ? e.recall.map((r, i) => [r, e.precision[i], e.thresholds[i]]) : [];
      return {
        name: run,
        type: 'line',
        data: pts,
        showSymbol: false,
        lineStyle: { color: runColor(run), width: 1.6 },
        itemStyle: { color: runColor(run) },
      };
    });
    return {
      animation: false,
      grid: { left: 48, right: 12, top: 12, bottom: 36 },
      xAxis: { type: 'value', min: 0, max: 1, name: 'recall', nameLocation: 'middle', nameGap: 22, axisLabel: { color: fg } },
      yAxis: { type: 'value', min: 0, max: 1, name: 'precision', axisLabel: { color: fg } },
      tooltip: {
        trigger: 'item',
        formatter: (p: { seriesName: string; data: number[] }) =>
          `${escapeHtml(p.seriesName)}<br/>recall ${fmt(p.data[0]!)} · precision ${fmt(p.data[1]!)}<br/>threshold ${fmt(p.data[2]!)}`,
      },
      series,
    };
  }, [data, step, dark]);
  return (
    <div ref={ref} className="card" data-testid="pr-card" data-tag={tag}>
      <div className="card-head">
        <span className="card-title">{tag}</span>
      </div>
      {error ? (
        <div className="placeholder error-text" role="alert">
          {error}
        </div>
      ) : !option ? (
        <div className="placeholder">{data ? 'No data.' : 'Loading…'}</div>
      ) : (
        <EChart option={option} dark={dark} ariaLabel={`Precision-recall curve ${tag} at step ${step}`} />
      )}
      {steps.length > 1 && (
        <label className="slider">
          step <b>{step}</b>
          <input
            type="range"
            min={0}
            max={steps.length - 1}
            value={idx}
            onChange={(e) => setStepIdx(Number(e.target.value))}
            aria-label={`Step of PR curve ${tag}`}
          />
        </label>
      )}
    </div>
  );
}
