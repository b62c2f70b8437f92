// Projections and neighbours of the Embedding Projector, as pure functions (the worker runs them;
// test/app/projector-math.test.ts checks them). PCA: the top components of the centred data by
// power iteration with deflation, which needs only matrix-vector products (N x D, D may be 784+).

/** Row-major points: n rows of d values. */
export interface Points {
  n: number;
  d: number;
  data: Float32Array;
}

/** Projection of the centred points on the top `k` principal components; also the variance each explains. */
export function pca(p: Points, k: number, iterations = 100): { coords: Float32Array; variance: number[] } {
  const { n, d, data } = p;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]! / n;
  const x = new Float64Array(n * d);
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j]! - mean[j]!;
      x[i * d + j] = v;
      total += v * v;
    }
  const comps: Float64Array[] = [];
  const variance: number[] = [];
  const kk = Math.min(k, d);
  for (let c = 0; c < kk; c++) {
    // Deterministic start (not random): the same data always gives the same picture.
    let v: Float64Array = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = 1 + ((j * 7919 + c * 104729) % 97) / 97;
    orthonormalize(v, comps);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      const w = covTimes(x, n, d, v);
      projectOut(w, comps);
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      for (let j = 0; j < d; j++) w[j]! /= norm;
      let diff = 0;
      for (let j = 0; j < d; j++) diff += Math.abs(w[j]! - v[j]!);
      v = w;
      lambda = norm;
      if (diff < 1e-10) break;
    }
    // Sign convention: the largest-magnitude loading is positive (stable across runs).
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(v[j]!) > Math.abs(v[big]!)) big = j;
    if (v[big]! < 0) for (let j = 0; j < d; j++) v[j] = -v[j]!;
    comps.push(v);
    variance.push(total > 0 ? lambda / total : 0);
  }
  const coords = new Float32Array(n * k);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < comps.length; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j]! * comps[c]![j]!;
      coords[i * k + c] = s;
    }
  return { coords, variance };
}

/** X^T X v (unnormalised covariance times v). */
function covTimes(x: Float64Array, n: number, d: number, v: Float64Array): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) s += x[o + j]! * v[j]!;
    for (let j = 0; j < d; j++) out[j]! += s * x[o + j]!;
  }
  return out;
}

function orthonormalize(v: Float64Array, basis: Float64Array[]): void {
  projectOut(v, basis);
  const norm = Math.hypot(...v) || 1;
  for (let j = 0; j < v.length; j++) v[j]! /= norm;
}

/** Removes v's components along the (orthonormal) basis vectors. */
function projectOut(v: Float64Array, basis: Float64Array[]): void {
  for (const b of basis) {
    let dot = 0;
    for (let j = 0; j < v.length; j++) dot += v[j]! * b[j]!;
    for (let j = 0; j < v.length; j++) v[j]! -= dot * b[j]!;
  }
}

export type Metric = 'cosine' | 'euclidean';

/** The k nearest points to point `i` in the original space (itself excluded), closest first. */
export function nearestNeighbours(p: Points, i: number, k: number, metric: Metric): Array<{ index: number; distance: number }> {
  const { n, d, data } = p;
  const norms = metric === 'cosine' ? rowNorms(p) : null;
  const out: Array<{ index: number; distance: number }> = [];
  for (let r = 0; r < n; r++) {
    if (r === i) continue;
    let dist = 0;
    if (metric === 'euclidean') {
      for (let j = 0; j < d; j++) {
        const t = data[r * d + j]! - data[i * d + j]!;
        dist += t * t;
      }
      dist = Math.sqrt(dist);
    } else {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += data[r * d + j]! * data[i * d + j]!;
      const den = norms![r]! * norms![i]!;
      dist = den > 0 ? 1 - dot / den : 1;
    }
    out.push({ index: r, distance: dist });
  }
  out.sort((a, b) => a.distance - b.distance || a.index - b.index);
  return out.slice(0, k);
}

function rowNorms(p: Points): Float64Array {
  const out = new Float64Array(p.n);
  for (let r = 0; r < p.n; r++) {
    let s = 0;
    for (let j = 0; j < p.d; j++) s += p.data[r * p.d + j]! ** 2;
    out[r] = Math.sqrt(s);
  }
  return out;
}

/** Scales each axis of `coords` (n x k) into [-1, 1] around its centre (same scale on every axis). */
export function normalizeCoords(coords: Float32Array, n: number, k: number): Float32Array {
  const out = new Float32Array(coords.length);
  const centre: number[] = [];
  let half = 0;
  for (let c = 0; c < k; c++) {
    let lo = Infinity,
      hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = coords[i * k + c]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    centre.push((lo + hi) / 2);
    half = Math.max(half, (hi - lo) / 2);
  }
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = half > 0 ? (coords[i * k + c]! - centre[c]!) / half : 0;
  return out;
}
