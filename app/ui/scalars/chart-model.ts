// The ECharts option of a scalar card and what its hover tooltip needs. Every run's smoothed
// curve goes into ONE 'lines' series (a polyline per run), the faint raw curves into another: a
// chart costs the same few series whether it shows 1 run or 100, which is what keeps a 50-run x
// 20-tag page responsive. The tooltip is ours (hover.ts finds each run's nearest point by binary
// search), so it does not need one ECharts series per run either.
import { runColor } from '../colors.ts';
import type { EChartsOption } from '../echart.tsx';
import { escapeHtml, fmt, outlierRange, smoothEma, xValue, type XAxisMode } from './math.ts';
import type { Cols } from './use-scalar-data.ts';

export interface ScalarSettings {
  smoothing: number;
  xAxis: XAxisMode;
  logY: boolean;
  logX: boolean;
  ignoreOutliers: boolean;
}

/** Plotted points of one run, for the tooltip: x and smoothed y as drawn, plus the source index. */
export interface RunTrace {
  run: string;
  color: string;
  xs: Float64Array;
  ys: Float64Array;
  index: Int32Array;
  cols: Cols;
  sorted: boolean;
}

export interface CardModel {
  option: EChartsOption;
  traces: RunTrace[];
}

export function buildCardModel(
  byRun: Map<string, Cols>,
  s: ScalarSettings,
  runStarts: Map<string, number>,
  dark: boolean,
  xWindow: [number, number] | null,
): CardModel {
  const traces: RunTrace[] = [];
  const smoothLines: Array<{ name: string; coords: number[][]; lineStyle: { color: string } }> = [];
  const rawLines: Array<{ name: string; coords: number[][]; lineStyle: { color: string } }> = [];
  const singles: Array<{ name: string; value: number[]; itemStyle: { color: string } }> = [];
  const smoothedAll: Float64Array[] = [];
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const run of [...byRun.keys()].sort()) {
    const c = byRun.get(run)!;
    const n = c.steps.length;
    const start = runStarts.get(run) ?? c.wallTimes[0] ?? 0;
    const smooth = smoothEma(c.values, s.smoothing);
    smoothedAll.push(smooth);
    const color = runColor(run);
    const xs = new Float64Array(n),
      ys = new Float64Array(n),
      index = new Int32Array(n);
    const main: number[][] = [];
    const faint: number[][] = [];
    let k = 0;
    let sorted = true;
    for (let i = 0; i < n; i++) {
      const x = xValue(s.xAxis, c.steps[i]!, c.wallTimes[i]!, start);
      if (s.logX && !(x > 0)) continue;
      const raw = c.values[i]!;
      const y = smooth[i]!;
      if (Number.isFinite(raw) && !(s.logY && !(raw > 0))) {
        faint.push([x, raw]);
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (raw < y0) y0 = raw;
        if (raw > y1) y1 = raw;
      }
      if (!Number.isFinite(y) || (s.logY && !(y > 0))) continue;
      if (k > 0 && x < xs[k - 1]!) sorted = false;
      xs[k] = x;
      ys[k] = y;
      index[k] = i;
      k++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      main.push([x, y]);
    }
    traces.push({ run, color, xs: xs.subarray(0, k), ys: ys.subarray(0, k), index: index.subarray(0, k), cols: c, sorted });
    if (main.length === 1) singles.push({ name: run, value: main[0]!, itemStyle: { color } });
    else if (main.length > 1) smoothLines.push({ name: run, coords: main, lineStyle: { color } });
    if (s.smoothing > 0 && faint.length > 1) rawLines.push({ name: run, coords: faint, lineStyle: { color } });
  }
  const series: unknown[] = [];
  if (rawLines.length)
    series.push({
      id: 'raw',
      type: 'lines',
      coordinateSystem: 'cartesian2d',
      polyline: true,
      silent: true,
      animation: false,
      z: 1,
      data: rawLines,
      lineStyle: { width: 1, opacity: 0.25 },
    });
  series.push({
    id: 'smoothed',
    type: 'lines',
    coordinateSystem: 'cartesian2d',
    polyline: true,
    silent: true,
    animation: false,
    z: 2,
    data: smoothLines,
    lineStyle: { width: 1.6, opacity: 1 },
  });
  // 'lines' series do not feed the axes' data extent: this invisible two-point series does, so the
  // axes get ECharts' usual nice bounds and the axis pointer has a non-blank axis to track.
  if (x0 <= x1)
    series.push({
      id: 'extent',
      type: 'scatter',
      silent: true,
      animation: false,
      symbolSize: 0,
      itemStyle: { opacity: 0 },
      data: [
        [x0, y0],
        [x1, y1],
      ],
    });
  if (singles.length) series.push({ id: 'single', type: 'scatter', silent: true, animation: false, z: 3, symbolSize: 6, data: singles });

  const yRange = s.ignoreOutliers ? outlierRange(smoothedAll) : null;
  const fg = dark ? '#c9d1d9' : '#333';
  // zlevel 1: the pointer gets its own canvas layer, so moving it never repaints the curves.
  const pointer = {
    show: true,
    type: 'line',
    snap: false,
    triggerTooltip: false,
    zlevel: 1,
    label: { show: false },
    lineStyle: { color: dark ? '#8b949e' : '#888', type: 'dashed' },
  };
  const xAxis =
    s.xAxis === 'wall'
      ? { type: 'time', axisLine: { onZero: false }, axisPointer: pointer, axisLabel: { color: fg, hideOverlap: true } }
      : {
          type: s.logX ? 'log' : 'value',
          scale: true,
          axisLine: { onZero: false },
          axisPointer: pointer,
          axisLabel: { color: fg, hideOverlap: true, formatter: (v: number) => fmt(v) },
          name: s.xAxis === 'relative' ? 'hours' : '',
          nameGap: 4,
        };
  const option: EChartsOption = {
    animation: false,
    grid: { left: 56, right: 16, top: 14, bottom: 26 },
    xAxis,
    yAxis: {
      type: s.logY ? 'log' : 'value',
      scale: true,
      axisLabel: { color: fg, formatter: (v: number) => fmt(v) },
      splitLine: { lineStyle: { color: dark ? '#2a2f36' : '#eceff3' } },
      ...(yRange ? { min: yRange[0], max: yRange[1] } : {}),
    },
    axisPointer: { triggerOn: 'mousemove' },
    dataZoom: [
      {
        type: 'inside',
        xAxisIndex: 0,
        filterMode: 'none',
        throttle: 60,
        ...(xWindow ? { startValue: xWindow[0], endValue: xWindow[1] } : {}),
      },
    ],
    series,
  };
  return { option, traces };
}

/** Index of the point nearest to x (xs sorted ascending; linear scan when not). */
export function nearest(xs: Float64Array, x: number, sorted: boolean): number {
  const n = xs.length;
  if (n === 0) return -1;
  if (!sorted) {
    let best = 0;
    for (let i = 1; i < n; i++) if (Math.abs(xs[i]! - x) < Math.abs(xs[best]! - x)) best = i;
    return best;
  }
  let lo = 0,
    hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[hi]! - x) < Math.abs(xs[lo]! - x) ? hi : lo;
}

const MAX_TIP_ROWS = 40;

/** Tooltip HTML at x: every run's nearest point, sorted by smoothed value (names escaped). */
export function tooltipAt(traces: RunTrace[], x: number, mode: XAxisMode): string {
  const rows: Array<{ t: RunTrace; j: number }> = [];
  for (const t of traces) {
    const j = nearest(t.xs, x, t.sorted);
    if (j >= 0) rows.push({ t, j });
  }
  if (rows.length === 0) return '';
  rows.sort((a, b) => b.t.ys[b.j]! - a.t.ys[a.j]!);
  const head = mode === 'wall' ? new Date(x).toLocaleString() : mode === 'step' ? `step ${Math.round(x)}` : `hours ${fmt(x)}`;
  // Every run up to 40 rows (sorted); beyond that a taller tip stops being readable and only costs
  // layout time on every mouse move, so the rest are counted.
  const more = rows.length > MAX_TIP_ROWS ? rows.length - MAX_TIP_ROWS : 0;
  const body = rows
    .slice(0, MAX_TIP_ROWS)
    .map(({ t, j }) => {
      const i = t.index[j]!;
      return `<tr><td><span class="tip-swatch" style="background:${t.color}"></span>${escapeHtml(t.run)}</td><td class="num"><b>${fmt(t.ys[j]!)}</b></td><td class="num dim">${fmt(t.cols.values[i]!)}</td><td class="num dim">${t.cols.steps[i]}</td></tr>`;
    })
    .join('');
  const tail = more ? `<div class="dim">+ ${more} more run${more === 1 ? '' : 's'}</div>` : '';
  return `<div class="tip-head">${escapeHtml(head)}</div><table><tr class="dim"><td>run</td><td class="num">smoothed</td><td class="num">value</td><td class="num">step</td></tr>${body}</table>${tail}`;
}
