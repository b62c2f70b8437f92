'use client';
// One chart card per tag: smoothed + faint raw curves per run, tooltip listing every run at the
// hovered x (sorted), zoom/pan with a high-resolution re-query, downloads, pin.
import { useEffect, useMemo, useRef } from 'react';
import type { ScalarPoint } from '../../../lib/store/types.ts';
import { runColor } from '../colors.ts';
import { EChart, type EChartsInstance, type EChartsOption } from '../echart.tsx';
import { useSeenOnce } from '../in-view.ts';
import { linkHover } from './hover-link.ts';
import { escapeHtml, escapeRegex, fmt, outlierRange, smoothEma, xValue, type XAxisMode } from './math.ts';
import { useScalarData } from './use-scalar-data.ts';

export interface ScalarSettings { smoothing: number; xAxis: XAxisMode; logY: boolean; logX: boolean; ignoreOutliers: boolean }

interface Props {
  tag: string;
  runs: string[];
  settings: ScalarSettings;
  runStarts: Map<string, number>;
  dark: boolean;
  pinned: boolean;
  onTogglePin: (tag: string) => void;
}

function buildOption(byRun: Map<string, ScalarPoint[]>, s: ScalarSettings, runStarts: Map<string, number>, dark: boolean, xWindow: [number, number] | null): EChartsOption {
  const series: unknown[] = [];
  const smoothedAll: Float64Array[] = [];
  const runs = [...byRun.keys()].sort();
  for (const run of runs) {
    const pts = byRun.get(run)!;
    const start = runStarts.get(run) ?? (pts[0]?.wallTime ?? 0);
    const raw = new Float64Array(pts.length);
    for (let i = 0; i < pts.length; i++) raw[i] = pts[i]!.value;
    const smooth = smoothEma(raw, s.smoothing);
    smoothedAll.push(smooth);
    const color = runColor(run);
    const main: unknown[] = [];
    const faint: unknown[] = [];
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i]!;
      const x = xValue(s.xAxis, p.step, p.wallTime, start);
      if (s.logX && !(x > 0)) continue;
      const y = smooth[i]!;
      if (s.logY && !(y > 0) && !(raw[i]! > 0)) continue;
      main.push([x, s.logY && !(y > 0) ? null : y, p.step, raw[i], p.wallTime]);
      if (s.smoothing > 0) faint.push([x, s.logY && !(raw[i]! > 0) ? null : raw[i]]);
    }
    if (s.smoothing > 0) {
      series.push({ id: `${run}\u0000raw`, name: run, type: 'line', data: faint, showSymbol: false, silent: true, animation: false, z: 1, lineStyle: { width: 1, color, opacity: 0.25 }, itemStyle: { color, opacity: 0.25 }, emphasis: { disabled: true }, tooltip: { show: false } });
    }
    series.push({ id: run, name: run, type: 'line', data: main, showSymbol: main.length <= 1, symbolSize: 4, animation: false, z: 2, lineStyle: { width: 1.6, color }, itemStyle: { color }, emphasis: { disabled: true }, connectNulls: false });
  }
  const yRange = s.ignoreOutliers ? outlierRange(smoothedAll) : null;
  const fg = dark ? '#c9d1d9' : '#333';
  const xAxis = s.xAxis === 'wall'
    ? { type: 'time', axisLabel: { color: fg, hideOverlap: true } }
    : { type: s.logX ? 'log' : 'value', scale: true, axisLabel: { color: fg, hideOverlap: true, formatter: (v: number) => fmt(v) }, name: s.xAxis === 'relative' ? 'hours' : '', nameGap: 4 };
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 14, bottom: 26 },
    xAxis,
    yAxis: {
      type: s.logY ? 'log' : 'value', scale: true, axisLabel: { color: fg, formatter: (v: number) => fmt(v) },
      splitLine: { lineStyle: { color: dark ? '#2a2f36' : '#eceff3' } },
      ...(yRange ? { min: yRange[0], max: yRange[1] } : {}),
    },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none', throttle: 60, ...(xWindow ? { startValue: xWindow[0], endValue: xWindow[1] } : {}) }],
    tooltip: {
      trigger: 'axis', confine: true, axisPointer: { type: 'line', animation: false },
      formatter: (params: unknown) => tooltipHtml(params as TooltipParam[], s.xAxis),
    },
    series,
  };
}

type TooltipParam = { seriesId: string; seriesName: string; color: string; data: [number, number | null, number, number, number] };

function tooltipHtml(params: TooltipParam[], mode: XAxisMode): string {
  const rows = params.filter((p) => !p.seriesId.includes('\u0000') && Array.isArray(p.data));
  rows.sort((a, b) => (b.data[1] ?? -Infinity) - (a.data[1] ?? -Infinity));
  const head = rows[0] ? (mode === 'wall' ? new Date(rows[0].data[0]).toLocaleString() : `${mode === 'step' ? 'step' : 'hours'} ${fmt(rows[0].data[0])}`) : '';
  const body = rows.map((p) => `<tr><td><span style="display:inline-block;width:8px;height:8px;background:${escapeHtml(p.color)}"></span> ${escapeHtml(p.seriesName)}</td><td style="text-align:right;padding-left:8px"><b>${fmt(p.data[1] ?? NaN)}</b></td><td style="text-align:right;padding-left:8px;opacity:.7">${fmt(p.data[3])}</td><td style="text-align:right;padding-left:8px;opacity:.7">${p.data[2]}</td></tr>`).join('');
  return `<div style="font-size:12px">${escapeHtml(head)}<table><tr style="opacity:.6"><td>run</td><td>smoothed</td><td>value</td><td>step</td></tr>${body}</table></div>`;
}

export function ScalarCard({ tag, runs, settings, runStarts, dark, pinned, onTogglePin }: Props) {
  const [ref, seen] = useSeenOnce<HTMLElement>();
  const data = useScalarData(tag, runs, seen);
  const chartRef = useRef<EChartsInstance | null>(null);
  const xWindow = useRef<[number, number] | null>(null);
  const zoomTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ data, settings, runStarts });
  latest.current = { data, settings, runStarts };

  const option = useMemo(
    () => buildOption(data.byRun, settings, runStarts, dark, data.zoom ? xWindow.current : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data.version, settings, runStarts, dark, data.zoom],
  );
  useEffect(() => () => { if (zoomTimer.current) clearTimeout(zoomTimer.current); }, []);

  const onReady = (chart: EChartsInstance) => {
    chartRef.current = chart;
    const unlink = linkHover(chart);
    chart.on('datazoom', () => {
      const dz = (chart.getOption() as { dataZoom?: Array<{ startValue?: number; endValue?: number; start?: number; end?: number }> }).dataZoom?.[0];
      if (!dz || dz.startValue === undefined || dz.endValue === undefined) return;
      const full = (dz.start ?? 0) <= 0.5 && (dz.end ?? 100) >= 99.5;
      xWindow.current = full ? null : [dz.startValue, dz.endValue];
      if (zoomTimer.current) clearTimeout(zoomTimer.current);
      zoomTimer.current = setTimeout(() => {
        const { data: d, settings: s, runStarts: starts } = latest.current;
        if (full) { d.setZoom(null); return; }
        d.setZoom(stepWindow(d.byRun, s.xAxis, starts, dz.startValue!, dz.endValue!));
      }, 250);
    });
    return unlink;
  };
  const reset = () => {
    xWindow.current = null;
    chartRef.current?.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
    data.setZoom(null);
  };

  const runRe = `^(${runs.map(escapeRegex).join('|')})$`;
  const tagRe = `^${escapeRegex(tag)}$`;
  const exportUrl = (format: 'csv' | 'json') => `/api/export?${new URLSearchParams({ runs: runRe, tags: tagRe, format })}`;
  const nPoints = [...data.totals.values()].reduce((a, b) => a + b, 0);
  const hasData = [...data.byRun.values()].some((p) => p.length > 0);

  return (
    <section ref={ref} className={pinned ? 'card pinned' : 'card'} data-testid="scalar-card" data-tag={tag} aria-label={`Scalar chart ${tag}`}>
      <div className="card-head">
        <span className="card-title" title={tag}>{tag}</span>
        <span className="meta" title="points stored">{nPoints > 0 ? `${nPoints.toLocaleString()} pts` : ''}</span>
        <div className="card-actions">
          {data.zoom && <button type="button" onClick={reset} aria-label={`Reset zoom of ${tag}`}>Reset zoom</button>}
          <button type="button" onClick={() => onTogglePin(tag)} aria-pressed={pinned} aria-label={`${pinned ? 'Unpin' : 'Pin'} ${tag}`}>{pinned ? '★' : '☆'}</button>
          <a href={exportUrl('csv')} download className="button-like" aria-label={`Download CSV of ${tag}`}>CSV</a>
          <a href={exportUrl('json')} download className="button-like" aria-label={`Download JSON of ${tag}`}>JSON</a>
        </div>
      </div>
      {!seen ? <div className="placeholder">…</div>
        : data.error ? <div className="placeholder error-text" role="alert">{data.error}</div>
        : data.loading && !hasData ? <div className="placeholder" aria-busy="true">Loading…</div>
        : !hasData ? <div className="placeholder">No points for the selected runs.</div>
        : <EChart option={option} dark={dark} onReady={onReady} ariaLabel={`Line chart of ${tag} for ${runs.length} runs`} />}
    </section>
  );
}

/** Maps an x window back to a step range (x may be time, so use the points that fall inside). */
function stepWindow(byRun: Map<string, ScalarPoint[]>, mode: XAxisMode, starts: Map<string, number>, x0: number, x1: number): [number, number] {
  if (mode === 'step') return [x0, x1];
  let lo = Infinity, hi = -Infinity;
  for (const [run, pts] of byRun) {
    const start = starts.get(run) ?? (pts[0]?.wallTime ?? 0);
    for (const p of pts) {
      const x = xValue(mode, p.step, p.wallTime, start);
      if (x >= x0 && x <= x1) { if (p.step < lo) lo = p.step; if (p.step > hi) hi = p.step; }
    }
  }
  return Number.isFinite(lo) ? [lo, hi] : [x0, x1];
}
