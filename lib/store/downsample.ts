// Downsampling of a scalar series for display (the M4 idea): split the x range into `buckets`
// equal intervals and keep, per interval, its first, lowest, highest and last point, plus its first
// non-finite one. Every spike (and every NaN) that a full-resolution chart would show survives.
// One pass over typed arrays, no allocation per point.

export interface PointColumns {
  n: number;
  steps: Float64Array;
  walls: Float64Array;
  values: Float64Array;
}

/** Indices (ascending) of the points to keep. `axis` picks the x used for bucketing. */
export function downsample(c: PointColumns, buckets: number, axis: 'step' | 'wall'): Int32Array {
  const n = c.n;
  const xs = axis === 'wall' ? c.walls : c.steps;
  let x0 = Infinity, x1 = -Infinity;
  for (let i = 0; i < n; i++) { const x = xs[i]!; if (x < x0) x0 = x; if (x > x1) x1 = x; }
  if (!(x1 >= x0)) { x0 = 0; x1 = 0; } // no finite x (wall axis without wall times): one bucket
  const span = x1 - x0;
  const scale = span > 0 ? buckets / span : 0;
  const first = new Int32Array(buckets).fill(-1);
  const last = new Int32Array(buckets);
  const lo = new Int32Array(buckets);
  const hi = new Int32Array(buckets);
  const bad = new Int32Array(buckets).fill(-1);
  const vals = c.values;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    let b = x === x ? Math.floor((x - x0) * scale) : 0;
    if (b >= buckets) b = buckets - 1;
    const v = vals[i]!;
    if (first[b] === -1) { first[b] = i; lo[b] = i; hi[b] = i; }
    last[b] = i;
    if (v < vals[lo[b]!]! || vals[lo[b]!] !== vals[lo[b]!]) { if (v === v) lo[b] = i; }
    if (v > vals[hi[b]!]! || vals[hi[b]!] !== vals[hi[b]!]) { if (v === v) hi[b] = i; }
    if (bad[b] === -1 && (v !== v || v === Infinity || v === -Infinity)) bad[b] = i;
  }
  const mark = new Uint8Array(n);
  let kept = 0;
  const keep = (i: number) => { if (i >= 0 && mark[i] === 0) { mark[i] = 1; kept++; } };
  for (let b = 0; b < buckets; b++) {
    if (first[b] === -1) continue;
    keep(first[b]!); keep(lo[b]!); keep(hi[b]!); keep(last[b]!); keep(bad[b]!);
  }
  const out = new Int32Array(kept);
  for (let i = 0, k = 0; i < n; i++) if (mark[i]) out[k++] = i;
  return out;
}
