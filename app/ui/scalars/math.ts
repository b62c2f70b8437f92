// Pure numeric helpers of the scalar charts (unit-tested in test/app/scalars-math.test.ts).

/**
 * TensorBoard's smoothing: an exponential moving average debiased like Adam's moments, so the
 * first points are not pulled toward zero. `weight` in [0, 1); non-finite values pass through
 * unchanged and do not poison the average.
 */
export function smoothEma(values: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(values.length);
  let last = 0;
  let count = 0;
  const isConstant = allEqual(values);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || weight <= 0 || isConstant) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count++;
    const debias = 1 - Math.pow(weight, count);
    out[i] = last / debias;
  }
  return out;
}

function allEqual(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

/** Value at quantile q (0..1) of a sorted array, linearly interpolated. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Y range that ignores outliers: the 5th..95th percentile of all finite values, padded by 10% of
 * that span (TensorBoard's "ignore outliers in chart scaling").
 */
export function outlierRange(series: ArrayLike<number>[]): [number, number] | null {
  let n = 0;
  for (const s of series) n += s.length;
  const all = new Float64Array(n);
  let k = 0;
  for (const s of series)
    for (let i = 0; i < s.length; i++) {
      const v = s[i]!;
      if (Number.isFinite(v)) all[k++] = v;
    }
  if (k < 3) return null;
  const sorted = all.subarray(0, k).sort();
  const lo = quantileSorted(sorted, 0.05);
  const hi = quantileSorted(sorted, 0.95);
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
  return [lo - pad, hi + pad];
}

export type XAxisMode = 'step' | 'relative' | 'wall';

/** X coordinate of a point: its step, hours since the run's first point, or wall time in ms. */
export function xValue(mode: XAxisMode, step: number, wallTime: number, runStart: number): number {
  if (mode === 'step') return step;
  if (mode === 'relative') return (wallTime - runStart) / 3600;
  return wallTime * 1000;
}

/** Escapes text for use inside a RegExp (per-card export filters). */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Escapes text for HTML (ECharts tooltips are HTML strings). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Compact number formatting for tooltips and axes. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return Number(v.toPrecision(5)).toString();
}
