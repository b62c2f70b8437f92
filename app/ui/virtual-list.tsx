'use client';
// A windowed list of fixed-height rows: only the rows inside the scroll viewport (plus a margin)
// are rendered, spacers stand in for the rest. Thousands of runs cost as much as forty.
import { useEffect, useRef, useState, type ReactNode } from 'react';

interface Props<T> {
  items: T[];
  rowHeight: number;
  render: (item: T, index: number) => ReactNode;
  className?: string;
  label?: string;
  /** Rows rendered above and below the viewport. */
  overscan?: number;
}

/** Height assumed before the first measurement (server render): enough rows to fill a sidebar. */
const INITIAL_VIEWPORT = 1200;
/** Lists up to this long render every row (cheap, and find-in-page sees them all). */
const RENDER_ALL_BELOW = 1000;

export function VirtualList<T>({ items, rowHeight, render, className, label, overscan = 10 }: Props<T>) {
  const ref = useRef<HTMLUListElement>(null);
  const [view, setView] = useState({ top: 0, height: INITIAL_VIEWPORT });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    el.addEventListener('scroll', onScroll, { passive: true });
    const ro = new ResizeObserver(onScroll);
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      ro.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);
  const all = items.length <= RENDER_ALL_BELOW;
  const first = all ? 0 : Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const last = all ? items.length : Math.min(items.length, Math.ceil((view.top + view.height) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) rows.push(render(items[i]!, i));
  return (
    <ul ref={ref} className={`virtual-list ${className ?? ''}`} aria-label={label} data-total={items.length}>
      {first > 0 && <li aria-hidden style={{ height: first * rowHeight }} className="virtual-spacer" />}
      {rows}
      {last < items.length && <li aria-hidden style={{ height: (items.length - last) * rowHeight }} className="virtual-spacer" />}
    </ul>
  );
}
