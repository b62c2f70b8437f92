'use client';
// Linked hover across scalar cards: hovering x in one card moves the axis pointer (and our
// tooltip) to x in the other cards that are on screen. ECharts' `connect` would also sync zoom
// by percentage, which is wrong when cards have different step ranges, so this links hover only.
// Broadcasts are coalesced to one per animation frame and skip off-screen cards.
import type { EChartsInstance } from '../echart.tsx';

interface Member {
  chart: EChartsInstance;
  visible: boolean;
  show(x: number): void;
  hide(): void;
}
const members = new Set<Member>();
let linking = false;
let pending: { source: Member; x: number } | null = null;
let frame = 0;

const observer =
  typeof IntersectionObserver !== 'undefined'
    ? new IntersectionObserver((entries) => {
        for (const e of entries) for (const m of members) if (m.chart.getDom() === e.target) m.visible = e.isIntersecting;
      })
    : null;

/** True while a linked update is being applied (cards must not re-broadcast it). */
export function isLinking(): boolean {
  return linking;
}

function flush(): void {
  frame = 0;
  const p = pending;
  pending = null;
  if (!p) return;
  linking = true;
  try {
    for (const m of members) if (m !== p.source && m.visible && !m.chart.isDisposed()) m.show(p.x);
  } finally {
    linking = false;
  }
}

export function joinHoverGroup(chart: EChartsInstance, show: (x: number) => void, hide: () => void) {
  const me: Member = { chart, visible: true, show, hide };
  members.add(me);
  observer?.observe(chart.getDom());
  return {
    broadcast(x: number) {
      if (linking) return;
      pending = { source: me, x };
      if (!frame) frame = requestAnimationFrame(flush);
    },
    broadcastHide() {
      if (linking) return;
      pending = null;
      linking = true;
      try {
        for (const m of members) if (m !== me && m.visible && !m.chart.isDisposed()) m.hide();
      } finally {
        linking = false;
      }
    },
    leave() {
      observer?.unobserve(chart.getDom());
      members.delete(me);
    },
  };
}
