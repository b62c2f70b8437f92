'use client';
// One chart card per tag: smoothed + faint raw curves per run, tooltip listing every run at the
// hovered x (sorted), zoom/pan with a high-resolution re-query, downloads, pin.
import { useEffect, useMemo, useRef } from 'react';
import { runColor } from '../colors.ts';
import { EChart, type EChartsInstance, type EChartsOption } from '../echart.tsx';
import { useSeenOnce } from '../in-view.ts';
import { linkHover } from './hover-link.ts';
import { escapeHtml, escapeRegex, fmt, outlierRange, smoothEma, xValue, type XAxisMode } from './math.ts';
import { useScalarData, type Cols } from './use-scalar-data.ts';

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

function buildOption(byRun: Map<string, Cols>, s: ScalarSettings, runStarts: Map<string, number>, dark: boolean, xWindow: [number, number] | null): EChartsOption {
  const series: unknown[] = [];
  const smoothedAll: Float64Array[] = [];
  // Raw curves of every run go into ONE 'lines' series (a polyline per run): with 50 runs that
  // halves the series ECharts has to lay out, which is what keeps big selections responsive.
  const rawLines: Array<{ name: string; coords: number[][]; lineStyle: { color: string } }> = [];
  const runs = [...byRun.keys()].sort();
  // Points go to ECharts as [x, y] only (fewer allocations: GC was a third of first-render time
  // with 100 runs); the tooltip finds step, raw value and wall time through `meta`.
  const meta: TooltipMeta[] = [];
  for (const run of runs) {
    const c = byRun.get(run)!;
    const n = c.steps.length;
    const start = runStarts.get(run) ?? (c.wallTimes[0] ?? 0);
    const smooth = smoothEma(c.values, s.smoothing);
    smoothedAll.push(smooth);
    const color = runColor(run);
    const main: unknown[] = new Array(n);
    const index = new Int32Array(n);
    const faint: number[][] = [];
    let k = 0;
    for (let i = 0; i < n; i++) {
      const x = xValue(s.xAxis, c.steps[i]!, c.wallTimes[i]!, start);
      if (s.logX && !(x > 0)) continue;
      const raw = c.values[i]!;
      const y = smooth[i]!;
      if (s.logY && !(y > 0) && !(raw > 0)) continue;
      index[k] = i;
      main[k++] = [x, s.logY && !(y > 0) ? null : y];
      if (s.smoothing > 0 && Number.isFinite(raw) && !(s.logY && !(raw > 0))) faint.push([x, raw]);
    }
    main.length = k;
    meta.push({ run, cols: c, index, smooth });
    if (s.smoothing > 0 && faint.length > 1) rawLines.push({ name: run, coords: faint, lineStyle: { color } });
    series.push({ id: run, name: run, type: 'line', data: main, showSymbol: k <= 1, symbolSize: 4, animation: false, silent: true, z: 2, lineStyle: { width: 1.6, color }, itemStyle: { color }, emphasis: { disabled: true }, connectNulls: false });
  }
  if (rawLines.length) {
    series.unshift({ id: 'raw', type: 'lines', coordinateSystem: 'cartesian2d', polyline: true, silent: true, animation: false, z: 1, data: rawLines, lineStyle: { width: 1, opacity: 0.25 }, tooltip: { show: false } });
  }
  const yRange = s.ignoreOutliers ? outlierRange(smoothedAll) : null;
  const fg = dark ? '#c9d1d9' : '#333';
  const xAxis = s.xAxis === 'wall'
    ? { type: 'time', axisLine: { onZero: false }, axisLabel: { color: fg, hideOverlap: true } }
    : { type: s.logX ? 'log' : 'value', scale: true, axisLine: { onZero: false }, axisLabel: { color: fg, hideOverlap: true, formatter: (v: number) => fmt(v) }, name: s.xAxis === 'relative' ? 'hours' : '', nameGap: 4 };
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
      formatter: (params: unknown) => tooltipHtml(params as TooltipParam[], s.xAxis, meta),
    },
    series,
  };
}

type TooltipParam = { seriesId: string; seriesName: string; color: string; dataIndex: number; data: [number, number | null] };
type TooltipMeta = { run: string; cols: Cols; index: Int32Array; smooth: Float64Array };

function tooltipHtml(params: TooltipParam[], mode: XAxisMode, meta: TooltipMeta[]): string {
  const byRun = new Map(meta.map((m) => [m.run, m]));
  const rows: Array<{ run: string; color: string; x: number; smooth: number; raw: number; step: number }> = [];
  for (const p of params) {
    const m = byRun.get(p.seriesId);
    if (!m || !Array.isArray(p.data)) continue;
    const i = m.index[p.dataIndex]!;
    rows.push({ run: m.run, color: p.color, x: p.data[0], smooth: m.smooth[i]!, raw: m.cols.values[i]!, step: m.cols.steps[i]! });
  }
  rows.sort((a, b) => (Number.isNaN(b.smooth) ? -Infinity : b.smooth) - (Number.isNaN(a.smooth) ? -Infinity : a.smooth));
  const head = rows[0] ? (mode === 'wall' ? new Date(rows[0].x).toLocaleString() : `${mode === 'step' ? 'step' : 'hours'} ${fmt(rows[0].x)}`) : '';
  const body = rows.map((r) => `<tr><td><span style="display:inline-block;width:8px;height:8px;background:${escapeHtml(r.color)}"></span> ${escapeHtml(r.run)}</td><td style="text-align:right;padding-left:8px"><b>${fmt(r.smooth)}</b></td><td style="text-align:right;padding-left:8px;opacity:.7">${fmt(r.raw)}</td><td style="text-align:right;padding-left:8px;opacity:.7">${r.step}</td></tr>`).join('');
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
  const hasData = [...data.byRun.values()].some((c) => c.steps.length > 0);

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
function stepWindow(byRun: Map<string, Cols>, mode: XAxisMode, starts: Map<string, number>, x0: number, x1: number): [number, number] {
  if (mode === 'step') return [x0, x1];
  let lo = Infinity, hi = -Infinity;
  for (const [run, c] of byRun) {
    const start = starts.get(run) ?? (c.wallTimes[0] ?? 0);
    for (let i = 0; i < c.steps.length; i++) {
      const x = xValue(mode, c.steps[i]!, c.wallTimes[i]!, start);
      if (x >= x0 && x <= x1) { if (c.steps[i]! < lo) lo = c.steps[i]!; if (c.steps[i]! > hi) hi = c.steps[i]!; }
    }
  }
  return Number.isFinite(lo) ? [lo, hi] : [x0, x1];
}
