'use client';
// Linked hover across scalar cards: hovering step x in one card shows the axis pointer and
// tooltip at x in every other visible card. ECharts' `connect` would also sync zoom by
// percentage, which is wrong when cards have different step ranges, so this links hover only.
import type { EChartsInstance } from '../echart.tsx';

const charts = new Set<EChartsInstance>();
let linking = false;

export function linkHover(chart: EChartsInstance): () => void {
  charts.add(chart);
  const onPointer = (ev: unknown) => {
    if (linking) return;
    const info = (ev as { axesInfo?: Array<{ axisDim: string; value: number }> }).axesInfo?.find((a) => a.axisDim === 'x');
    if (!info) return;
    linking = true;
    try {
      for (const other of charts) {
        if (other === chart || other.isDisposed()) continue;
        const px = other.convertToPixel({ xAxisIndex: 0 }, info.value) as number | undefined;
        if (px === undefined || !Number.isFinite(px)) continue;
        other.dispatchAction({ type: 'showTip', x: px, y: other.getHeight() / 2 });
      }
    } finally { linking = false; }
  };
  const onOut = () => {
    if (linking) return;
    linking = true;
    try { for (const other of charts) if (other !== chart && !other.isDisposed()) other.dispatchAction({ type: 'hideTip' }); } finally { linking = false; }
  };
  chart.on('updateAxisPointer', onPointer);
  chart.on('globalout', onOut);
  return () => { charts.delete(chart); if (!chart.isDisposed()) { chart.off('updateAxisPointer', onPointer); chart.off('globalout', onOut); } };
}
