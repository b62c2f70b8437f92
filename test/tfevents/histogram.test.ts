// Histograms and PR curves against numpy (test/fixtures/tfevents/numpy_reference.py computes them
// with np.histogram following torch.utils.tensorboard.summary step by step).
import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURE_CORPUS_DIR } from '../helpers/tfevents-corpus.ts';
import { makeHistogram, pairwiseSum, tensorflowBins, type Bins } from '../../lib/tfevents/histogram.ts';
import { computePrCurve } from '../../lib/tfevents/pr-curve.ts';

const ref = JSON.parse(readFileSync(resolve(FIXTURE_CORPUS_DIR, 'numpy_reference.json'), 'utf8'));

const histCases: Array<[string, any]> = ref.histograms.map((c: { name: string }) => [c.name, c]);
const prCases: Array<[string, any]> = ref.prCurves.map((c: { name: string }) => [c.name, c]);

test.each(histCases)('histogram %s matches numpy', (_name, c) => {
  const h = makeHistogram(Float64Array.from(c.values), c.bins as Bins, c.maxBins ?? undefined);
  expect(h.bucket).toEqual(c.expected.bucket);
  expect(h.bucketLimit).toEqual(c.expected.bucketLimit);
  expect({ min: h.min, max: h.max, num: h.num }).toEqual({ min: c.expected.min, max: c.expected.max, num: c.expected.num });
  expect(h.sum).toBe(c.expected.sum); // numpy's pairwise summation, bit for bit
  expect(h.sumSquares).toBeCloseTo(c.expected.sumSquares, 9); // BLAS dot: order may differ in the last bits
});

test.each(prCases)('PR curve %s matches numpy', (_name, c) => {
  const preds = c.float32 ? Float32Array.from(c.predictions) : Float64Array.from(c.predictions);
  const rows = computePrCurve(c.labels, preds, c.numThresholds, 1, c.float32);
  const got = [rows.tp, rows.fp, rows.tn, rows.fn, rows.precision, rows.recall];
  expect(got).toEqual(c.expected);
});

test('tensorflow default bins: 1e-12 * 1.1^k mirrored around 0, up to 1e20', () => {
  const b = tensorflowBins();
  expect(b.length % 2).toBe(1);
  expect(b[(b.length - 1) / 2]).toBe(0);
  expect(b[(b.length + 1) / 2]).toBe(1e-12);
  expect(b[b.length - 1]).toBeLessThan(1e20);
  expect(b[b.length - 1]! * 1.1).toBeGreaterThanOrEqual(1e20);
});

test('pairwise sum follows numpy blocks of 8 / 128', () => {
  const a = Float64Array.from({ length: 1000 }, (_, i) => 1 / (i + 1));
  let naive = 0;
  for (const x of a) naive += x;
  expect(pairwiseSum(a)).toBeCloseTo(naive, 12);
});

test('clear errors for empty input, bad bins and mismatched PR inputs', () => {
  expect(() => makeHistogram(new Float64Array(0), 'tensorflow')).toThrow(/no element/);
  expect(() => makeHistogram(Float64Array.of(1, 2), 'bogus' as Bins)).toThrow(/unknown bins 'bogus'/);
  expect(() => makeHistogram(Float64Array.of(1, 2), 0)).toThrow(/positive integer/);
  expect(() => makeHistogram(Float64Array.of(1, NaN), 5)).toThrow(/not finite/);
  expect(() => computePrCurve([1, 0], [0.5], 127)).toThrow(/labels has 2 elements but predictions has 1/);
});
