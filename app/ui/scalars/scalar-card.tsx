'use client';
// One chart card per tag: smoothed + faint raw curves per run, a tooltip listing every run at the
// hovered x (sorted), linked hover, zoom/pan with a high-resolution re-query, downloads, pin.
import { useEffect, useMemo, useRef } from 'react';
import { EChart, type EChartsInstance } from '../echart.tsx';
import { useSeenOnce } from '../in-view.ts';
import { buildCardModel, buildGroupModel, tooltipAt, type BandKind, type CardModel, type ScalarSettings } from './chart-model.ts';
import { isLinking, joinHoverGroup } from './hover-link.ts';

const LINKED_TIP_MAX_TRACES = 200;
import { xValue, type XAxisMode } from './math.ts';
import { downloadPost } from '../api.ts';
import { groupRuns, type GroupBy } from '../../../lib/server/run-groups.ts';
import { useScalarData, type Cols } from './use-scalar-data.ts';

export type { ScalarSettings };

interface Props {
  tag: string;
  runs: string[];
  settings: ScalarSettings;
  runStarts: Map<string, number>;
  dark: boolean;
  pinned: boolean;
  onTogglePin: (tag: string) => void;
  /** Run grouping: the card draws each group's mean and band, and exports with a group column. */
  group?: { by: GroupBy; label: (run: string) => string; band: BandKind } | null;
}

export function ScalarCard({ tag, runs, settings, runStarts, dark, pinned, onTogglePin, group = null }: Props) {
  const [ref, seen] = useSeenOnce<HTMLElement>();
  const data = useScalarData(tag, runs, seen, settings.xAxis !== 'step');
  const chartRef = useRef<EChartsInstance | null>(null);
  const xWindow = useRef<[number, number] | null>(null);
  const zoomTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ data, settings, runStarts });
  latest.current = { data, settings, runStarts };

  const tipRef = useRef<HTMLDivElement>(null);
  // The model (curves, traces for the tooltip) is built inside the chart's queued update, not
  // during render: changing smoothing re-renders every card, and with thousands of runs per card
  // building them all in one commit would block the page.
  const modelRef = useRef<CardModel>({ option: {}, traces: [] });
  const buildOption = useMemo(
    () => () => {
      modelRef.current = group
        ? buildGroupModel(
            data.byRun,
            groupRuns(runs, group.label),
            settings,
            runStarts,
            dark,
            data.zoom ? xWindow.current : null,
            group.band,
          )
        : buildCardModel(data.byRun, settings, runStarts, dark, data.zoom ? xWindow.current : null);
      return modelRef.current.option;
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- data.version stands for data.byRun, which is updated in place; xWindow is a ref read at build time
    [data.version, settings, runStarts, dark, data.zoom, group],
  );
  useEffect(
    () => () => {
      if (zoomTimer.current) clearTimeout(zoomTimer.current);
    },
    [],
  );

  const showTip = (chart: EChartsInstance, x: number, px?: number) => {
    const tip = tipRef.current;
    if (!tip) return;
    // Linked cards of a sweep show the pointer only: a tooltip of thousands of runs in every
    // visible card on each mouse move costs more than it tells.
    if (isLinking() && modelRef.current.traces.length > LINKED_TIP_MAX_TRACES) {
      tip.hidden = true;
      return;
    }
    const html = tooltipAt(modelRef.current.traces, x, latest.current.settings.xAxis);
    if (!html) {
      tip.hidden = true;
      return;
    }
    tip.innerHTML = html; // run names escaped in tooltipAt
    tip.hidden = false;
    const left = px ?? (chart.convertToPixel({ xAxisIndex: 0 }, x) as number);
    const w = chart.getWidth();
    // Anchor on the side away from the pointer, without measuring the tip (no forced layout).
    if (left > w / 2) {
      tip.style.left = '';
      tip.style.right = `${w - left + 12}px`;
    } else {
      tip.style.right = '';
      tip.style.left = `${left + 12}px`;
    }
  };
  const hideTip = () => {
    if (tipRef.current) tipRef.current.hidden = true;
  };

  const onReady = (chart: EChartsInstance) => {
    chartRef.current = chart;
    const group = joinHoverGroup(
      chart,
      (x) => {
        // Move this chart's axis pointer to x; its updateAxisPointer event then shows the tip.
        const px = chart.convertToPixel({ xAxisIndex: 0 }, x) as number;
        if (Number.isFinite(px))
          chart.dispatchAction({ type: 'updateAxisPointer', currTrigger: 'mousemove', x: px, y: chart.getHeight() / 2 });
      },
      () => {
        chart.dispatchAction({ type: 'updateAxisPointer', currTrigger: 'leave' });
        hideTip();
      },
    );
    chart.on('updateAxisPointer', (ev: unknown) => {
      const info = (ev as { axesInfo?: Array<{ axisDim: string; value: number }> }).axesInfo?.find((a) => a.axisDim === 'x');
      if (!info) {
        hideTip();
        return;
      }
      showTip(chart, info.value);
      group.broadcast(info.value);
    });
    chart.on('globalout', () => {
      hideTip();
      group.broadcastHide();
    });
    chart.on('datazoom', () => {
      const dz = (chart.getOption() as { dataZoom?: Array<{ startValue?: number; endValue?: number; start?: number; end?: number }> })
        .dataZoom?.[0];
      if (!dz || dz.startValue === undefined || dz.endValue === undefined) return;
      const full = (dz.start ?? 0) <= 0.5 && (dz.end ?? 100) >= 99.5;
      xWindow.current = full ? null : [dz.startValue, dz.endValue];
      if (zoomTimer.current) clearTimeout(zoomTimer.current);
      zoomTimer.current = setTimeout(() => {
        const { data: d, settings: s, runStarts: starts } = latest.current;
        if (full) {
          d.setZoom(null);
          return;
        }
        d.setZoom(stepWindow(d.byRun, s.xAxis, starts, dz.startValue!, dz.endValue!));
      }, 250);
    });
    return () => group.leave();
  };
  const reset = () => {
    xWindow.current = null;
    chartRef.current?.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
    data.setZoom(null);
  };

  // The run set goes in a POST body: a sweep's 2,000 names would not fit a link.
  const download = (format: 'csv' | 'json') => {
    downloadPost(
      '/api/export',
      { runs, tags: [tag], format, ...(group ? { group: group.by } : {}) },
      `${tag.replace(/[^\w.-]+/g, '_')}.${format}`,
    ).catch((err: Error) => window.alert(`Export failed: ${err.message}`));
  };
  const nPoints = [...data.totals.values()].reduce((a, b) => a + b, 0);
  const hasData = [...data.byRun.values()].some((c) => c.steps.length > 0);

  return (
    <section
      ref={ref}
      className={pinned ? 'card pinned' : 'card'}
      data-testid="scalar-card"
      data-tag={tag}
      aria-label={`Scalar chart ${tag}`}
    >
      <div className="card-head">
        <span className="card-title" title={tag}>
          {tag}
        </span>
        <span className="meta" title="points stored">
          {nPoints > 0 ? `${nPoints.toLocaleString()} pts` : ''}
        </span>
        <div className="card-actions">
          {data.zoom && (
            <button type="button" onClick={reset} aria-label={`Reset zoom of ${tag}`}>
              Reset zoom
            </button>
          )}
          <button type="button" onClick={() => onTogglePin(tag)} aria-pressed={pinned} aria-label={`${pinned ? 'Unpin' : 'Pin'} ${tag}`}>
            {pinned ? '★' : '☆'}
          </button>
          <button type="button" onClick={() => download('csv')} aria-label={`Download CSV of ${tag}`}>
            CSV
          </button>
          <button type="button" onClick={() => download('json')} aria-label={`Download JSON of ${tag}`}>
            JSON
          </button>
        </div>
      </div>
      {!seen ? (
        <div className="placeholder">…</div>
      ) : data.error ? (
        <div className="placeholder error-text" role="alert">
          {data.error}
        </div>
      ) : data.loading && !hasData ? (
        <div className="placeholder" aria-busy="true">
          Loading…
        </div>
      ) : !hasData ? (
        <div className="placeholder">No points for the selected runs.</div>
      ) : (
        <div className="chart-wrap">
          <EChart
            option={buildOption}
            dark={dark}
            onReady={onReady}
            ariaLabel={group ? `Line chart of ${tag}: mean and band of run groups` : `Line chart of ${tag} for ${runs.length} runs`}
          />
          <div ref={tipRef} className="chart-tip" hidden role="tooltip" />
        </div>
      )}
    </section>
  );
}

/** Maps an x window back to a step range (x may be time, so use the points that fall inside). */
function stepWindow(byRun: Map<string, Cols>, mode: XAxisMode, starts: Map<string, number>, x0: number, x1: number): [number, number] {
  if (mode === 'step') return [x0, x1];
  let lo = Infinity,
    hi = -Infinity;
  for (const [run, c] of byRun) {
    const start = starts.get(run) ?? c.wallTimes[0] ?? 0;
    for (let i = 0; i < c.steps.length; i++) {
      const x = xValue(mode, c.steps[i]!, c.wallTimes[i]!, start);
      if (x >= x0 && x <= x1) {
        if (c.steps[i]! < lo) lo = c.steps[i]!;
        if (c.steps[i]! > hi) hi = c.steps[i]!;
      }
    }
  }
  return Number.isFinite(lo) ? [lo, hi] : [x0, x1];
}
