'use client';
// Histograms: offset (ridgeline over steps), overlay, and distribution (percentile bands over steps).
import { useMemo } from 'react';
import type { HistogramEntry } from '../../lib/store/types.ts';
import { query, useApi } from './api.ts';
import { runColor } from './colors.ts';
import { EChart, type EChartsOption } from './echart.tsx';
import { CardBoundary } from './error-boundary.tsx';
import { BASIS_POINTS, percentiles, rebin, sampleSteps } from './histogram-math.ts';
import { useSeenOnce } from './in-view.ts';
import { useChangeCounter } from './live.ts';
import { tagsOfKind, useRuns } from './runs-context.tsx';
import { fmt } from './scalars/math.ts';
import { useDark } from './theme.ts';
import { setParams, useParams } from './url-state.ts';

type Mode = 'offset' | 'overlay' | 'distribution';
const MODES: Mode[] = ['offset', 'overlay', 'distribution'];
const MAX_LINES = 40;

export function HistogramsDashboard() {
  const state = useRuns();
  const params = useParams();
  const dark = useDark();
  const m = params.get('hmode') as Mode | null;
  const mode: Mode = m && MODES.includes(m) ? m : 'offset';
  const tagMap = tagsOfKind(state, ['histogram']);
  return (
    <div>
      <div className="toolbar" role="toolbar" aria-label="Histogram settings">
        <span>View</span>
        {MODES.map((x) => (
          <label key={x}>
            <input type="radio" name="hmode" checked={mode === x} onChange={() => setParams({ hmode: x === 'offset' ? null : x })} /> {x}
          </label>
        ))}
      </div>
      {state.loading && state.tags.length === 0 ? (
        <div className="empty" aria-busy="true">
          Loading…
        </div>
      ) : tagMap.size === 0 ? (
        <div className="empty">No histograms in the selected runs.</div>
      ) : null}
      {[...tagMap.entries()].map(([tag, runs]) => (
        <details key={tag} className="group" open>
          <summary>{tag}</summary>
          <div className="cards">
            {runs.map((run) => (
              <CardBoundary key={run} label={run}>
                <HistogramCard run={run} tag={tag} mode={mode} dark={dark} />
              </CardBoundary>
            ))}
          </div>
        </details>
      ))}
    </div>
  );
}

function shade(hex: string, t: number, dark: boolean): string {
  // Older steps fade toward the background; the newest step has the run's full colour.
  const n = parseInt(hex.slice(1), 16);
  const bg = dark ? [26, 30, 36] : [255, 255, 255];
  const c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v, i) => Math.round(bg[i]! + (v - bg[i]!) * (0.25 + 0.75 * t)));
  return `rgb(${c.join(',')})`;
}

export function histogramOption(entries: HistogramEntry[], mode: Mode, color: string, dark: boolean): EChartsOption {
  const fg = dark ? '#c9d1d9' : '#333';
  const axis = {
    axisLabel: { color: fg, formatter: (v: number) => fmt(v) },
    splitLine: { lineStyle: { color: dark ? '#2a2f36' : '#eceff3' } },
  };
  if (mode === 'distribution') {
    const rows = entries.map((h) => [h.step, ...percentiles(h)] as number[]);
    const series: unknown[] = [
      {
        name: 'min',
        type: 'line',
        data: rows.map((r) => [r[0], r[1]]),
        stack: 'band',
        lineStyle: { opacity: 0 },
        showSymbol: false,
        silent: true,
      },
    ];
    for (let k = 1; k < BASIS_POINTS.length; k++) {
      const dist = Math.abs(k - 4.5) / 4.5;
      series.push({
        name: `${BASIS_POINTS[k - 1]! / 100}–${BASIS_POINTS[k]! / 100}%`,
        type: 'line',
        stack: 'band',
        showSymbol: false,
        silent: true,
        data: rows.map((r) => [r[0], r[k + 1]! - r[k]!]),
        lineStyle: { opacity: 0 },
        areaStyle: { color, opacity: 0.15 + 0.5 * (1 - dist) },
      });
    }
    series.push({ name: 'median', type: 'line', data: rows.map((r) => [r[0], r[5]]), showSymbol: false, lineStyle: { color, width: 1.5 } });
    return {
      animation: false,
      grid: { left: 56, right: 12, top: 12, bottom: 26 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', scale: true, name: 'step', ...axis, axisLine: { onZero: false } },
      yAxis: { type: 'value', scale: true, ...axis },
      series,
    };
  }
  const sampled = sampleSteps(entries, MAX_LINES);
  const n = sampled.length;
  const lines = sampled.map((h) => rebin(h));
  let peak = 0;
  for (const l of lines) for (const [, c] of l) peak = Math.max(peak, c);
  const steps = sampled.map((h) => h.step);
  const stepSpan = n > 1 ? steps[n - 1]! - steps[0]! : 1;
  const height = mode === 'offset' ? (stepSpan / Math.max(1, n - 1)) * 3 : 1;
  const series = sampled.map((h, i) => {
    const t = n > 1 ? i / (n - 1) : 1;
    const base = mode === 'offset' ? h.step : 0;
    const data = lines[i]!.map(([x, c]) => [x, mode === 'offset' ? base - (c / (peak || 1)) * height : c]);
    return {
      name: `step ${h.step}`,
      type: 'line',
      data,
      showSymbol: false,
      smooth: false,
      z: mode === 'offset' ? i : n - i,
      lineStyle: { color: shade(color, t, dark), width: 1 },
    };
  });
  const nameStyle = { color: fg };
  return {
    animation: false,
    // Room for the axis names: 'value' under the horizontal axis, 'step' / 'count' above the vertical one.
    grid: { left: 56, right: 12, top: 26, bottom: 40 },
    tooltip: { trigger: 'item', formatter: (p: { seriesName: string; data: number[] }) => `${p.seriesName}<br/>x ${fmt(p.data[0]!)}` },
    xAxis: {
      type: 'value',
      scale: true,
      name: 'value',
      nameLocation: 'middle',
      nameGap: 24,
      nameTextStyle: nameStyle,
      ...axis,
      axisLine: { onZero: false },
    },
    yAxis:
      mode === 'offset'
        ? {
            // The step axis is inverted (older steps on top), so its 'end' is at the bottom, beside the
            // value axis: name it at its 'start', the top of the chart.
            type: 'value',
            inverse: true,
            scale: true,
            name: 'step',
            nameLocation: 'start',
            nameTextStyle: nameStyle,
            ...axis,
            min: (steps[0] ?? 0) - height * 1.05,
            max: steps[n - 1] ?? 1,
            // Only baselines are steps: the band above the first one holds its ridge, not a step.
            axisLabel: { ...axis.axisLabel, formatter: (v: number) => (v < (steps[0] ?? 0) ? '' : fmt(v)) },
          }
        : { type: 'value', name: 'count', nameTextStyle: nameStyle, ...axis },
    series,
  };
}

export function HistogramCard({ run, tag, mode, dark }: { run: string; tag: string; mode: Mode; dark: boolean }) {
  const [ref, seen] = useSeenOnce<HTMLDivElement>();
  const refresh = useChangeCounter((c) => c.type === 'data' && c.run === run && c.tag === tag);
  const { data, error } = useApi<{ entries: HistogramEntry[] }>(seen ? query('/api/histograms', { run, tag }) : null, refresh);
  const option = useMemo(() => (data ? histogramOption(data.entries, mode, runColor(run), dark) : null), [data, mode, run, dark]);
  return (
    <div ref={ref} className="card" data-testid="histogram-card" data-run={run} data-tag={tag}>
      <div className="card-head">
        <span className="swatch" style={{ background: runColor(run) }} />
        <span className="card-title">{run}</span>
        <span className="meta">{data ? `${data.entries.length} steps` : ''}</span>
      </div>
      {error ? (
        <div className="placeholder error-text" role="alert">
          {error.message}
        </div>
      ) : !option ? (
        <div className="placeholder">Loading…</div>
      ) : data!.entries.length === 0 ? (
        <div className="placeholder">No data.</div>
      ) : (
        <EChart option={option} dark={dark} ariaLabel={`Histogram ${tag} of ${run}, ${mode} view`} />
      )}
    </div>
  );
}
