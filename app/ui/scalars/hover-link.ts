'use client';
// Linked hover across scalar cards: hovering x in one card shows the axis pointer and tooltip at
// x in the other cards that are on screen. ECharts' `connect` would also sync zoom by percentage,
// which is wrong when cards have different step ranges, so this links hover only. Updates are
// coalesced to one per animation frame and skip off-screen charts (with 20 cards x 50 runs,
// updating every chart on every mouse move would block the main thread).
import type { EChartsInstance } from '../echart.tsx';

const charts = new Map<EChartsInstance, { visible: boolean }>();
let linking = false;
let pending: { source: EChartsInstance; value: number } | null = null;
let frame = 0;

const observer = typeof IntersectionObserver !== 'undefined'
  ? new IntersectionObserver((entries) => {
    for (const e of entries) {
      for (const [chart, state] of charts) if (chart.getDom() === e.target) state.visible = e.isIntersecting;
    }
  })
  : null;

function flush(): void {
  frame = 0;
  const p = pending;
  pending = null;
  if (!p) return;
  linking = true;
  try {
    for (const [other, state] of charts) {
      if (other === p.source || !state.visible || other.isDisposed()) continue;
      const px = other.convertToPixel({ xAxisIndex: 0 }, p.value) as number | undefined;
      if (px === undefined || !Number.isFinite(px)) continue;
      other.dispatchAction({ type: 'showTip', x: px, y: other.getHeight() / 2 });
    }
  } finally { linking = false; }
}

export function linkHover(chart: EChartsInstance): () => void {
  charts.set(chart, { visible: true });
  observer?.observe(chart.getDom());
  const onPointer = (ev: unknown) => {
    if (linking) return;
    const info = (ev as { axesInfo?: Array<{ axisDim: string; value: number }> }).axesInfo?.find((a) => a.axisDim === 'x');
    if (!info) return;
    pending = { source: chart, value: info.value };
    if (!frame) frame = requestAnimationFrame(flush);
  };
  const onOut = () => {
    if (linking) return;
    pending = null;
    linking = true;
    try { for (const [other, state] of charts) if (other !== chart && state.visible && !other.isDisposed()) other.dispatchAction({ type: 'hideTip' }); } finally { linking = false; }
  };
  chart.on('updateAxisPointer', onPointer);
  chart.on('globalout', onOut);
  return () => {
    observer?.unobserve(chart.getDom());
    charts.delete(chart);
    if (!chart.isDisposed()) { chart.off('updateAxisPointer', onPointer); chart.off('globalout', onOut); }
  };
}
