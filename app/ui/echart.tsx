'use client';
// Thin React wrapper over ECharts: init on mount, setOption on change, resize with the container,
// dispose on unmount. ECharts itself (echarts-setup.ts: only the chart kinds we use) loads on first use.
import { useEffect, useRef, useState, type CSSProperties } from 'react';
import type { ECharts, EChartsCoreOption } from 'echarts/core';

export type EChartsInstance = ECharts;
export type EChartsOption = EChartsCoreOption;

// ECharts (about 700 KB of script) is loaded on first use, not with the page: evaluating it during
// the page load delayed hydration, and so every card's data request, by ~120 ms. Loaded this way
// it downloads and evaluates while the first data requests are in flight.
type EChartsModule = typeof import('./echarts-setup.ts');
let loading: Promise<EChartsModule> | null = null;
let loaded: EChartsModule | null = null;
function loadECharts(): Promise<EChartsModule> {
  loading ??= import('./echarts-setup.ts').then(
    (m) => (loaded = m),
    (err: unknown) => {
      loading = null; // a failed chunk load (server restarted, network) is retried by the next chart
      throw err;
    },
  );
  return loading;
}
/**
 * Starts loading ECharts without waiting for it: scalar cards call this just before sending their
 * data request, so the library downloads and evaluates while the server answers.
 */
export function preloadECharts(): void {
  loadECharts().catch(() => {
    /* the first chart retries */
  });
}

// setOption of a chart with many series can take tens of milliseconds. When a change re-renders
// many cards at once (smoothing, run toggles, live data), running every setOption in the same
// React commit makes one long task; instead each chart's update is queued and the queue is
// drained in slices of at most ~40 ms, yielding to the browser in between (input stays responsive).
const jobs = new Map<EChartsInstance, () => void>();
let draining = false;
const channel = typeof MessageChannel !== 'undefined' ? new MessageChannel() : null;
function drain(): void {
  const start = performance.now();
  for (const [chart, job] of jobs) {
    jobs.delete(chart);
    if (!chart.isDisposed()) job();
    if (performance.now() - start > 40) break;
  }
  if (jobs.size > 0) yieldThen(drain);
  else draining = false;
}
function yieldThen(fn: () => void): void {
  if (channel) {
    channel.port1.onmessage = () => fn();
    channel.port2.postMessage(0);
  } else setTimeout(fn, 0);
}
/** Queues a chart update; a newer update of the same chart replaces a pending one. */
function scheduleUpdate(chart: EChartsInstance, job: () => void): void {
  jobs.set(chart, job);
  if (!draining) {
    draining = true;
    yieldThen(drain);
  }
}

export interface EChartProps {
  /**
   * The option, or a function building it: a function runs inside the chart's queued update, so
   * a costly build (a sweep's thousands of curves) never lands in a React commit with others.
   */
  option: EChartsOption | (() => EChartsOption);
  dark: boolean;
  /** Charts in one group share hover (axis pointer) and tooltip. */
  group?: string;
  style?: CSSProperties;
  className?: string;
  /** Replace the whole option (true) or merge into the previous one. */
  notMerge?: boolean;
  /** Called once per chart instance; may return a cleanup run before dispose. */
  onReady?: (chart: EChartsInstance) => void | (() => void);
  ariaLabel?: string;
}

export function EChart({ option, dark, group, style, className, notMerge = true, onReady, ariaLabel }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<EChartsInstance | null>(null);
  const onReadyRef = useRef(onReady);
  onReadyRef.current = onReady;

  // The latest option and group, for a chart that becomes ready after they were set.
  const latest = useRef({ option, notMerge, group });
  latest.current = { option, notMerge, group };
  const [ready, setReady] = useState(0);

  useEffect(() => {
    const el = ref.current!;
    let disposed = false;
    let teardown: (() => void) | null = null;
    const start = (lib: EChartsModule) => {
      const chart = lib.echarts.init(el, dark ? 'dark' : undefined, { renderer: 'canvas' });
      chartRef.current = chart;
      // Test hook: e2e tests read the chart's data through the element.
      Object.defineProperty(el, '__boardChart', { value: chart, configurable: true });
      const observer = new ResizeObserver(() => chart.resize());
      observer.observe(el);
      const cleanup = onReadyRef.current?.(chart);
      teardown = () => {
        observer.disconnect();
        cleanup?.();
        chart.dispose();
        chartRef.current = null;
      };
      setReady((n) => n + 1); // runs the option and group effects for this instance
    };
    if (loaded) start(loaded);
    else
      loadECharts().then(
        (lib) => {
          if (!disposed) start(lib);
        },
        (err: unknown) => console.error('Board: could not load the chart library', err),
      );
    return () => {
      disposed = true;
      teardown?.();
    };
  }, [dark]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    scheduleUpdate(chart, () => {
      const { option: o, notMerge: replace } = latest.current;
      const opt = typeof o === 'function' ? o() : o;
      chart.setOption({ backgroundColor: 'transparent', ...opt }, { notMerge: replace, lazyUpdate: false });
    });
  }, [option, dark, notMerge, ready]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || !group || !loaded) return;
    chart.group = group;
    loaded.echarts.connect(group);
  }, [group, dark, ready]);

  return <div ref={ref} className={className} style={{ width: '100%', height: 260, ...style }} role="img" aria-label={ariaLabel} />;
}
