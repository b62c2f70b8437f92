// Histograms as PyTorch's add_histogram computes them: numpy.histogram over float64 values with
// either TensorFlow's default exponential bins ('tensorflow'), explicit edges, a bin count, or a
// numpy bin-estimator name; then trimmed to the non-empty range (make_histogram in summary.py).

export interface HistogramProtoValues {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

export type Bins = 'tensorflow' | 'auto' | 'fd' | 'sturges' | 'sqrt' | 'rice' | 'scott' | number | ArrayLike<number>;

let tfBins: number[] | null = null;
/** SummaryWriter.default_bins: +-1e-12 * 1.1^k up to 1e20, and 0. */
export function tensorflowBins(): number[] {
  if (tfBins) return tfBins;
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  tfBins = [...pos.map((v) => -v).reverse(), 0, ...pos];
  return tfBins;
}

/** numpy's pairwise summation (what ndarray.sum does for float64), for bit-identical sums. */
export function pairwiseSum(a: Float64Array, start = 0, n = a.length): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = [a[start]!, a[start + 1]!, a[start + 2]!, a[start + 3]!, a[start + 4]!, a[start + 5]!, a[start + 6]!, a[start + 7]!];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

function linspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const step = (stop - start) / div;
  const out = new Array<number>(num);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** numpy.percentile with linear interpolation over sorted data. */
function percentile(sorted: Float64Array, q: number): number {
  const idx = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(idx);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = idx - lo;
  const a = sorted[lo]!,
    b = sorted[hi]!;
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

function binWidth(name: string, x: Float64Array, ptp: number): number {
  const n = x.length;
  const sturges = () => ptp / (Math.log2(n) + 1);
  const fd = () => {
    const s = Float64Array.from(x).sort();
    return 2 * (percentile(s, 75) - percentile(s, 25)) * n ** (-1 / 3);
  };
  switch (name) {
    case 'sqrt':
      return ptp / Math.sqrt(n);
    case 'sturges':
      return sturges();
    case 'rice':
      return ptp / (2 * n ** (1 / 3));
    case 'scott': {
      const mean = pairwiseSum(x) / n;
      const dev = x.map((v) => (v - mean) ** 2);
      return ((24 * Math.PI ** 0.5) / n) ** (1 / 3) * Math.sqrt(pairwiseSum(dev) / n);
    }
    case 'fd':
      return fd();
    case 'auto': {
      const f = fd();
      const s = sturges();
      return f ? Math.min(f, s) : s;
    }
    default:
      throw new Error(
        `addHistogram: unknown bins '${name}' (use 'tensorflow', 'auto', 'fd', 'sturges', 'sqrt', 'rice', 'scott', a bin count or an array of edges)`,
      );
  }
}

/** Counts per bin with numpy's edge rules: [e_i, e_i+1), the last bin closed; outside values dropped. */
function countNonUniform(x: Float64Array, edges: number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges.length - 1;
  for (let k = 0; k < x.length; k++) {
    const v = x[k]!;
    if (!(v >= edges[0]!) || !(v <= edges[last]!)) continue;
    // Largest i with edges[i] <= v.
    let lo = 0,
      hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (edges[mid]! <= v) lo = mid;
      else hi = mid;
    }
    counts[Math.min(lo, last - 1)]!++;
  }
  return counts;
}

/** Uniform bins: numpy's fast path (index by arithmetic, then fix ULP errors against the edges). */
function countUniform(x: Float64Array, edges: number[], first: number, lastEdge: number): number[] {
  const nb = edges.length - 1;
  const counts = new Array<number>(nb).fill(0);
  const denom = lastEdge - first;
  for (let k = 0; k < x.length; k++) {
    const v = x[k]!;
    if (!(v >= first && v <= lastEdge)) continue;
    let i = Math.trunc(((v - first) / denom) * nb);
    if (i === nb) i--;
    if (v < edges[i]!) i--;
    if (v >= edges[i + 1]! && i !== nb - 1) i++;
    counts[i]!++;
  }
  return counts;
}

/** numpy.histogram(values, bins) -> [counts, edges]. */
export function numpyHistogram(x: Float64Array, bins: Bins): [number[], number[]] {
  if (typeof bins === 'string' && bins === 'tensorflow') bins = tensorflowBins();
  if (typeof bins === 'number' || typeof bins === 'string') {
    let first = Infinity,
      last = -Infinity;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (Number.isNaN(v)) {
        first = last = NaN;
        break;
      } // numpy's min/max propagate NaN
      if (v < first) first = v;
      if (v > last) last = v;
    }
    if (!Number.isFinite(first) || !Number.isFinite(last))
      throw new Error(`addHistogram: autodetected range of [${first}, ${last}] is not finite`);
    const ptp = last - first;
    if (first === last) {
      first -= 0.5;
      last += 0.5;
    }
    let nb: number;
    if (typeof bins === 'number') {
      if (!Number.isInteger(bins) || bins < 1) throw new Error(`addHistogram: bins must be a positive integer, got ${bins}`);
      nb = bins;
    } else {
      const w = binWidth(bins, x, ptp);
      nb = w ? Math.ceil((last - first) / w) : 1;
    }
    const edges = linspace(first, last, nb + 1);
    return [countUniform(x, edges, first, last), edges];
  }
  const edges = Array.from(bins);
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i]! >= edges[i - 1]!)) throw new Error('addHistogram: bin edges must increase monotonically');
  }
  if (edges.length < 2) throw new Error('addHistogram: need at least two bin edges');
  return [countNonUniform(x, edges), edges];
}

/** make_histogram of torch/utils/tensorboard/summary.py. */
export function makeHistogram(values: Float64Array, bins: Bins, maxBins?: number): HistogramProtoValues {
  if (values.length === 0) throw new Error('addHistogram: the input has no element');
  let [counts, limits] = numpyHistogram(values, bins);
  const numBins = counts.length;
  if (maxBins !== undefined && numBins > maxBins) {
    const sub = Math.floor(numBins / maxBins);
    const rem = numBins % sub;
    if (rem !== 0) for (let i = 0; i < sub - rem; i++) counts.push(0);
    const merged: number[] = [];
    for (let i = 0; i < counts.length; i += sub) {
      let s = 0;
      for (let j = 0; j < sub; j++) s += counts[i + j]!;
      merged.push(s);
    }
    const newLimits: number[] = [];
    for (let i = 0; i < limits.length - 1; i += sub) newLimits.push(limits[i]!);
    newLimits.length = merged.length;
    newLimits.push(limits[limits.length - 1]!);
    counts = merged;
    limits = newLimits;
  }
  // Support of the histogram: from the bin before the first non-empty one to the last non-empty one.
  const cum: number[] = [];
  let c = 0;
  for (const n of counts) {
    if (n > 0) c++;
    cum.push(c);
  }
  const total = cum[cum.length - 1]!;
  const searchRight = (v: number) => {
    let i = 0;
    while (i < cum.length && cum[i]! <= v) i++;
    return i;
  };
  const start = searchRight(0);
  const end = searchRight(total - 1) + 1;
  const trimmedCounts = start > 0 ? counts.slice(start - 1, end) : [0, ...counts.slice(0, end)];
  const trimmedLimits = limits.slice(start, end + 1);
  if (trimmedCounts.length === 0 || trimmedLimits.length === 0)
    throw new Error('addHistogram: the histogram is empty (no value falls inside the bins)');
  let min = Infinity,
    max = -Infinity,
    sumSq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sumSq += v * v;
  }
  return { min, max, num: values.length, sum: pairwiseSum(values), sumSquares: sumSq, bucketLimit: trimmedLimits, bucket: trimmedCounts };
}
