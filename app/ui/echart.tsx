'use client';
// Thin React wrapper over ECharts: init on mount, setOption on change, resize with the container,
// dispose on unmount. Only the chart kinds and components we use are registered (tree-shaken).
import { useEffect, useRef, type CSSProperties } from 'react';
import * as echarts from 'echarts/core';
import { CustomChart, LineChart, LinesChart, ParallelChart, ScatterChart } from 'echarts/charts';
import {
  AxisPointerComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  CustomChart,
  LineChart,
  LinesChart,
  ScatterChart,
  ParallelChart,
  GridComponent,
  TooltipComponent,
  AxisPointerComponent,
  DataZoomComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type EChartsInstance = echarts.ECharts;
export type EChartsOption = echarts.EChartsCoreOption;
export { echarts };

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

  useEffect(() => {
    const el = ref.current!;
    const chart = echarts.init(el, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    // Test hook: e2e tests read the chart's data through the element.
    Object.defineProperty(el, '__boardChart', { value: chart, configurable: true });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    const cleanup = onReadyRef.current?.(chart);
    return () => {
      observer.disconnect();
      cleanup?.();
      chart.dispose();
      chartRef.current = null;
    };
  }, [dark]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    scheduleUpdate(chart, () => {
      const opt = typeof option === 'function' ? option() : option;
      chart.setOption({ backgroundColor: 'transparent', ...opt }, { notMerge, lazyUpdate: false });
    });
  }, [option, dark, notMerge]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || !group) return;
    chart.group = group;
    echarts.connect(group);
  }, [group, dark]);

  return <div ref={ref} className={className} style={{ width: '100%', height: 260, ...style }} role="img" aria-label={ariaLabel} />;
}
