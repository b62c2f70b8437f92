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
  let x0 = Infinity,
    x1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
  }
  if (!(x1 >= x0)) {
    x0 = 0;
    x1 = 0;
  } // no finite x (wall axis without wall times): one bucket
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
    if (first[b] === -1) {
      first[b] = i;
      lo[b] = i;
      hi[b] = i;
    }
    last[b] = i;
    if (v < vals[lo[b]!]! || vals[lo[b]!] !== vals[lo[b]!]) {
      if (v === v) lo[b] = i;
    }
    if (v > vals[hi[b]!]! || vals[hi[b]!] !== vals[hi[b]!]) {
      if (v === v) hi[b] = i;
    }
    if (bad[b] === -1 && (v !== v || v === Infinity || v === -Infinity)) bad[b] = i;
  }
  const mark = new Uint8Array(n);
  let kept = 0;
  const keep = (i: number) => {
    if (i >= 0 && mark[i] === 0) {
      mark[i] = 1;
      kept++;
    }
  };
  for (let b = 0; b < buckets; b++) {
    if (first[b] === -1) continue;
    keep(first[b]!);
    keep(lo[b]!);
    keep(hi[b]!);
    keep(last[b]!);
    keep(bad[b]!);
  }
  const out = new Int32Array(kept);
  for (let i = 0, k = 0; i < n; i++) if (mark[i]) out[k++] = i;
  return out;
}

/**
 * Downsampling from per-chunk marks (no point blobs read): `units` are consecutive runs of points
 * in step order (whole chunks, or the in-range part of an edge chunk), each with its MARKS
 * (first, lowest, highest, last, first non-finite: [index, step, wall, value] x 5). Buckets are
 * groups of k consecutive units, k chosen so there are at most `buckets` of them. Every bucket
 * keeps its first, lowest, highest, last and first non-finite point, like downsample().
 */
export function downsampleMarks(units: Float64Array[], buckets: number): { steps: number[]; walls: number[]; values: number[] } {
  const k = Math.max(1, Math.ceil(units.length / buckets));
  const steps: number[] = [],
    walls: number[] = [],
    values: number[] = [];
  // Candidate = (unit, mark slot); order inside a bucket by (unit, index in unit).
  const pick: number[] = [];
  for (let b = 0; b < units.length; b += k) {
    const end = Math.min(units.length, b + k);
    let lo = -1,
      hi = -1,
      bad = -1;
    for (let u = b; u < end; u++) {
      const m = units[u]!;
      if (m[4]! >= 0 && (lo < 0 || m[7]! < markValue(units, lo, 1))) lo = u;
      if (m[8]! >= 0 && (hi < 0 || m[11]! > markValue(units, hi, 2))) hi = u;
      if (bad < 0 && m[16]! >= 0) bad = u;
    }
    pick.length = 0;
    pick.push(b * 8 + 0);
    if (lo >= 0) pick.push(lo * 8 + 1);
    if (hi >= 0) pick.push(hi * 8 + 2);
    pick.push((end - 1) * 8 + 3);
    if (bad >= 0) pick.push(bad * 8 + 4);
    const key = (c: number) => Math.floor(c / 8) * 1e9 + units[Math.floor(c / 8)]![(c % 8) * 4]!;
    pick.sort((x, y) => key(x) - key(y));
    let prev = -1;
    for (const c of pick) {
      const kk = key(c);
      if (kk === prev) continue;
      prev = kk;
      const m = units[Math.floor(c / 8)]!,
        o = (c % 8) * 4;
      steps.push(m[o + 1]!);
      walls.push(m[o + 2]!);
      values.push(m[o + 3]!);
    }
  }
  return { steps, walls, values };
}

function markValue(units: Float64Array[], u: number, slot: number): number {
  return units[u]![slot * 4 + 3]!;
}

/** MARKS of points[from, to) of decoded columns (an edge chunk cut by a step range). */
export function marksOf(c: PointColumns, from: number, to: number): Float64Array {
  const m = new Float64Array(20).fill(-1);
  if (to <= from) return m;
  let lo = -1,
    hi = -1,
    bad = -1;
  for (let i = from; i < to; i++) {
    const v = c.values[i]!;
    if (v === v && (lo < 0 || v < c.values[lo]!)) lo = i;
    if (v === v && (hi < 0 || v > c.values[hi]!)) hi = i;
    if (bad < 0 && (v !== v || v === Infinity || v === -Infinity)) bad = i;
  }
  [from, lo, hi, to - 1, bad].forEach((i, k) => {
    const o = k * 4;
    m[o] = i < 0 ? -1 : i - from;
    if (i >= 0) {
      m[o + 1] = c.steps[i]!;
      m[o + 2] = c.walls[i]!;
      m[o + 3] = c.values[i]!;
    }
  });
  return m;
}
