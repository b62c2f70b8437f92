// The ECharts option of a scalar card and what its hover tooltip needs. Every run's smoothed
// curve goes into ONE 'lines' series (a polyline per run), the faint raw curves into another: a
// chart costs the same few series whether it shows 1 run or 100, which is what keeps a 50-run x
// 20-tag page responsive. The tooltip is ours (hover.ts finds each run's nearest point by binary
// search), so it does not need one ECharts series per run either.
import { runColor } from '../colors.ts';
import type { EChartsOption } from '../echart.tsx';
import { escapeHtml, fmt, outlierRange, smoothEma, xValue, type XAxisMode } from './math.ts';
import type { Cols } from './use-scalar-data.ts';
import { aggregateByStep } from '../../../lib/server/run-groups.ts';

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

/** Most runs a card draws raw (unsmoothed) curves for. */
export const RAW_LINES_MAX_RUNS = 200;

/**
 * Past this many curves a card draws its smoothed curves in ECharts' large mode: one 'lines'
 * series per run colour, each a flat typed array of polylines drawn as ONE path. Per-run
 * polylines cost 300-600 ms per 2,000-run card (an element, a style and a layout each), one long
 * task on load, select-all and smoothing; large mode draws the same pixels in a fraction of that.
 * Names are not needed in the series: the tooltip reads the runs from the traces.
 */
export const LARGE_LINES_MIN_RUNS = 200;

/** Smoothed curves grouped by colour, as large 'lines' series with ids 'smoothed', 'smoothed-1', ... */
function largeLineSeries(curves: RunTrace[]): unknown[] {
  const byColor = new Map<string, RunTrace[]>();
  for (const t of curves) {
    const g = byColor.get(t.color);
    if (g) g.push(t);
    else byColor.set(t.color, [t]);
  }
  const out: unknown[] = [];
  for (const [color, group] of byColor) {
    // ECharts' flat format: count, x, y, x, y, ..., count, x, y, ...
    let size = 0;
    for (const t of group) size += 1 + 2 * t.xs.length;
    const flat = new Float64Array(size);
    let o = 0;
    for (const t of group) {
      const n = t.xs.length;
      flat[o++] = n;
      for (let i = 0; i < n; i++) {
        flat[o++] = t.xs[i]!;
        flat[o++] = t.ys[i]!;
      }
    }
    out.push({
      id: out.length === 0 ? 'smoothed' : `smoothed-${out.length}`,
      type: 'lines',
      coordinateSystem: 'cartesian2d',
      polyline: true,
      large: true,
      largeThreshold: 0,
      silent: true,
      animation: false,
      z: 2,
      data: flat,
      lineStyle: { width: 1.6, opacity: 1, color },
    });
  }
  return out;
}

/** [x, y] pairs of a curve, the per-item format of ECharts' ordinary 'lines' series. */
function pairs(xs: Float64Array, ys: Float64Array): number[][] {
  const out = new Array<number[]>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = [xs[i]!, ys[i]!];
  return out;
}

export function buildCardModel(
  byRun: Map<string, Cols>,
  s: ScalarSettings,
  runStarts: Map<string, number>,
  dark: boolean,
  xWindow: [number, number] | null,
): CardModel {
  // One pass per run into typed arrays (the tooltip's traces); the series are built from those
  // afterwards. A 2,000-run card must not allocate an array per point: that was most of its build time.
  const traces: RunTrace[] = [];
  const rawLines: Array<{ name: string; coords: number[][]; lineStyle: { color: string } }> = [];
  const withRaw = s.smoothing > 0 && byRun.size <= RAW_LINES_MAX_RUNS;
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
    const faint: number[][] | null = withRaw ? [] : null;
    let k = 0;
    let sorted = true;
    for (let i = 0; i < n; i++) {
      const x = xValue(s.xAxis, c.steps[i]!, c.wallTimes[i]!, start);
      if (s.logX && !(x > 0)) continue;
      const raw = c.values[i]!;
      const y = smooth[i]!;
      if (Number.isFinite(raw) && !(s.logY && !(raw > 0))) {
        faint?.push([x, raw]);
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
    }
    traces.push({ run, color, xs: xs.subarray(0, k), ys: ys.subarray(0, k), index: index.subarray(0, k), cols: c, sorted });
    // Faint raw curves behind the smoothed ones; past RAW_LINES_MAX_RUNS runs they are an unreadable
    // haze that doubles the drawing cost, so a sweep shows the smoothed curves only.
    if (faint && faint.length > 1) rawLines.push({ name: run, coords: faint, lineStyle: { color } });
  }
  const curves = traces.filter((t) => t.xs.length > 1);
  const singles = traces
    .filter((t) => t.xs.length === 1)
    .map((t) => ({ name: t.run, value: [t.xs[0]!, t.ys[0]!], itemStyle: { color: t.color } }));
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
  if (curves.length > LARGE_LINES_MIN_RUNS) series.push(...largeLineSeries(curves));
  else
    series.push({
      id: 'smoothed',
      type: 'lines',
      coordinateSystem: 'cartesian2d',
      polyline: true,
      silent: true,
      animation: false,
      z: 2,
      data: curves.map((t) => ({ name: t.run, coords: pairs(t.xs, t.ys), lineStyle: { color: t.color } })),
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

export type BandKind = 'minmax' | 'std';

/**
 * Run groups: per group, the mean of its members' smoothed curves at each step, with a band
 * (min–max or mean ± std) drawn as one polygon per group by a custom series. The tooltip lists
 * groups (mean, band, runs at that step) instead of runs.
 */
export function buildGroupModel(
  byRun: Map<string, Cols>,
  groups: Map<string, string[]>,
  s: ScalarSettings,
  runStarts: Map<string, number>,
  dark: boolean,
  xWindow: [number, number] | null,
  band: BandKind,
): CardModel {
  const base = buildCardModel(new Map(), s, runStarts, dark, xWindow);
  const traces: RunTrace[] = [];
  const means: Array<{ name: string; coords: number[][]; lineStyle: { color: string } }> = [];
  const bands: Array<{ name: string; value: number[]; points: number[][]; color: string }> = [];
  const shown: Float64Array[] = [];
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const [label, runs] of groups) {
    const members: Array<{ steps: number[]; xs: number[]; values: Float64Array }> = [];
    for (const run of runs) {
      const c = byRun.get(run);
      if (!c || c.steps.length === 0) continue;
      const start = runStarts.get(run) ?? c.wallTimes[0] ?? 0;
      members.push({
        steps: c.steps,
        xs: c.steps.map((st, i) => xValue(s.xAxis, st, c.wallTimes[i]!, start)),
        values: smoothEma(c.values, s.smoothing),
      });
    }
    if (members.length === 0) continue;
    const a = aggregateByStep(members);
    const color = runColor(label);
    const lo = band === 'std' ? a.mean.map((m, i) => m - a.std[i]!) : a.min;
    const hi = band === 'std' ? a.mean.map((m, i) => m + a.std[i]!) : a.max;
    const coords: number[][] = [],
      upper: number[][] = [],
      lower: number[][] = [];
    const xs: number[] = [],
      ys: number[] = [],
      idx: number[] = [];
    for (let i = 0; i < a.steps.length; i++) {
      const x = a.xs[i]!;
      if ((s.logX && !(x > 0)) || (s.logY && !(a.mean[i]! > 0))) continue;
      coords.push([x, a.mean[i]!]);
      upper.push([x, hi[i]!]);
      lower.push([x, s.logY ? Math.max(lo[i]!, a.mean[i]! / 1e6) : lo[i]!]);
      xs.push(x);
      ys.push(a.mean[i]!);
      idx.push(i);
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (lo[i]! < y0) y0 = lo[i]!;
      if (hi[i]! > y1) y1 = hi[i]!;
    }
    if (coords.length === 0) continue;
    shown.push(Float64Array.from(ys));
    means.push({ name: label, coords: coords.length === 1 ? [coords[0]!, coords[0]!] : coords, lineStyle: { color } });
    bands.push({ name: label, value: [coords[0]![0]!, coords[0]![1]!], points: [...upper, ...lower.reverse()], color });
    const cols: Cols = { steps: a.steps, wallTimes: a.steps.map(() => 0), values: a.mean };
    const sorted = xs.every((x, i) => i === 0 || x >= xs[i - 1]!);
    traces.push({
      run: `${label} (${members.length} run${members.length === 1 ? '' : 's'})`,
      color,
      xs: Float64Array.from(xs),
      ys: Float64Array.from(ys),
      index: Int32Array.from(idx),
      cols,
      sorted,
    });
  }
  const series: unknown[] = [
    {
      id: 'bands',
      type: 'custom',
      coordinateSystem: 'cartesian2d',
      silent: true,
      animation: false,
      z: 1,
      data: bands.map((b) => ({ name: b.name, value: b.value })),
      renderItem: (params: { dataIndex: number }, api: { coord(p: number[]): number[] }) => {
        const b = bands[params.dataIndex]!;
        return { type: 'polygon', shape: { points: b.points.map((p) => api.coord(p)) }, style: { fill: b.color, opacity: 0.2 } };
      },
    },
    {
      id: 'smoothed',
      type: 'lines',
      coordinateSystem: 'cartesian2d',
      polyline: true,
      silent: true,
      animation: false,
      z: 2,
      data: means,
      lineStyle: { width: 2, opacity: 1 },
    },
  ];
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
  const yRange = s.ignoreOutliers ? outlierRange(shown) : null;
  const option = {
    ...base.option,
    series,
    yAxis: { ...(base.option.yAxis as object), ...(yRange ? { min: yRange[0], max: yRange[1] } : {}) },
  };
  return { option, traces };
}
