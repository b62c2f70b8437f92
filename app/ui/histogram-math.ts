// Histogram helpers: percentiles from buckets (for the distribution view) and step sub-sampling.
import type { HistogramEntry } from '../../lib/store/types.ts';

/** TensorBoard's distribution bands, in basis points: min, ~1/2/3 sigma either side, max. */
export const BASIS_POINTS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000];

/** Values at the given basis points of a bucketed distribution, linearly interpolated inside buckets. */
export function percentiles(h: HistogramEntry, bps: readonly number[] = BASIS_POINTS): number[] {
  const total = h.buckets.reduce((a, b) => a + b.count, 0);
  if (total <= 0 || h.buckets.length === 0) return bps.map(() => NaN);
  const out: number[] = [];
  for (const bp of bps) {
    if (bp <= 0) {
      out.push(Number.isFinite(h.min) ? h.min : h.buckets[0]!.left);
      continue;
    }
    if (bp >= 10000) {
      out.push(Number.isFinite(h.max) ? h.max : h.buckets[h.buckets.length - 1]!.right);
      continue;
    }
    const target = (total * bp) / 10000;
    let cum = 0;
    let value = h.buckets[h.buckets.length - 1]!.right;
    for (const b of h.buckets) {
      if (cum + b.count >= target && b.count > 0) {
        const frac = (target - cum) / b.count;
        const left = Math.max(b.left, h.min);
        const right = Math.min(b.right, h.max);
        value = left + (right - left) * frac;
        break;
      }
      cum += b.count;
    }
    out.push(value);
  }
  return out;
}

/** At most `max` entries, evenly spaced, keeping the first and last. */
export function sampleSteps<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.round((i * (items.length - 1)) / (max - 1))]!);
  return out;
}

/**
 * Re-buckets into `k` equal-width bins over [min, max], spreading each source bucket's count over
 * the bins it overlaps. TF's exponential buckets are very uneven (many tiny, empty ones); drawn
 * as-is they look like noise, so TensorBoard re-bins the same way before drawing.
 */
export function rebin(h: HistogramEntry, k = 30): Array<[number, number]> {
  let lo = Number.isFinite(h.min) ? h.min : Infinity;
  let hi = Number.isFinite(h.max) ? h.max : -Infinity;
  if (!(lo < hi)) {
    for (const b of h.buckets)
      if (b.count > 0) {
        lo = Math.min(lo, Number.isFinite(b.left) ? b.left : b.right);
        hi = Math.max(hi, Number.isFinite(b.right) ? b.right : b.left);
      }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [[lo, h.buckets.reduce((a, b) => a + b.count, 0)]];
  const width = (hi - lo) / k;
  const counts = new Float64Array(k);
  for (const b of h.buckets) {
    if (b.count === 0) continue;
    const l = Math.max(lo, Number.isFinite(b.left) ? b.left : lo);
    const r = Math.min(hi, Number.isFinite(b.right) ? b.right : hi);
    if (r <= l) {
      counts[Math.min(k - 1, Math.max(0, Math.floor((l - lo) / width)))]! += b.count;
      continue;
    }
    const first = Math.max(0, Math.floor((l - lo) / width));
    const last = Math.min(k - 1, Math.floor((r - lo) / width));
    for (let i = first; i <= last; i++) {
      const overlap = Math.min(r, lo + (i + 1) * width) - Math.max(l, lo + i * width);
      if (overlap > 0) counts[i]! += (b.count * overlap) / (r - l);
    }
  }
  return Array.from(counts, (c, i) => [lo + (i + 0.5) * width, c] as [number, number]);
}
