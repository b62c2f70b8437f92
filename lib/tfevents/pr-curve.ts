// compute_curve of torch/utils/tensorboard/summary.py: predictions bucketed into num_thresholds
// bins, reverse cumulative sums of true/false positives, precision and recall with a 1e-7 floor.

const MINIMUM_COUNT = 1e-7;

export interface PrCurveRows {
  tp: number[];
  fp: number[];
  tn: number[];
  fn: number[];
  precision: number[];
  recall: number[];
}

/**
 * labels: 0/1 (or booleans as numbers); predictions in [0, 1]; weights scalar or per example.
 * float32Predictions: predictions came as float32 (PyTorch computes `predictions * (n - 1)` in the
 * input dtype, so the bucket of a borderline value depends on it).
 */
export function computePrCurve(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  numThresholds: number,
  weights: number | ArrayLike<number> = 1,
  float32Predictions = false,
): PrCurveRows {
  if (labels.length !== predictions.length) {
    throw new Error(`addPrCurve: labels has ${labels.length} elements but predictions has ${predictions.length}`);
  }
  const n = numThresholds;
  const tpB = new Float64Array(n),
    fpB = new Float64Array(n);
  for (let i = 0; i < predictions.length; i++) {
    const p = predictions[i]!;
    const scaled = float32Predictions ? Math.fround(Math.fround(p) * (n - 1)) : p * (n - 1);
    const bucket = Math.floor(scaled) | 0; // np.int32(np.floor(...))
    // np.histogram(range=(0, n-1), bins=n) of integer indices: index k lands in bin k; outside dropped.
    if (!(bucket >= 0 && bucket <= n - 1)) continue;
    const w = typeof weights === 'number' ? weights : weights[i]!;
    const label = labels[i]!;
    tpB[bucket]! += label * w;
    fpB[bucket]! += (1 - label) * w;
  }
  const tp = new Array<number>(n),
    fp = new Array<number>(n);
  let accT = 0,
    accF = 0;
  for (let i = n - 1; i >= 0; i--) {
    accT += tpB[i]!;
    accF += fpB[i]!;
    tp[i] = accT;
    fp[i] = accF;
  }
  const tn = fp.map((v) => fp[0]! - v);
  const fn = tp.map((v) => tp[0]! - v);
  const precision = tp.map((v, i) => v / Math.max(MINIMUM_COUNT, v + fp[i]!));
  const recall = tp.map((v, i) => v / Math.max(MINIMUM_COUNT, v + fn[i]!));
  return { tp, fp, tn, fn, precision, recall };
}
