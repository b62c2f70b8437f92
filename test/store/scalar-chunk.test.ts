// The scalar chunk codec: compact formats chosen per chunk, exact round trips, and the marks.
import { expect, test } from 'vitest';
import { ScalarAccum, chunkStats, decodeChunk, encodeChunk, accumFromChunk, MARK_FIELDS } from '../../lib/store/scalar-chunk.ts';
import { downsample } from '../../lib/store/downsample.ts';

function accum(points: Array<[number | bigint, number, number]>): ScalarAccum {
  const a = new ScalarAccum(1, 1);
  for (const [s, w, v] of points) a.push(s, w, v);
  return a;
}

test('i32 steps and f32 values take 16 bytes a point; round trip is exact', () => {
  const a = accum([
    [-5, 1.5, 0.25],
    [0, NaN, Math.fround(0.1)],
    [7, 3, -Infinity],
  ]);
  const buf = encodeChunk(a);
  expect(buf.length).toBe(8 + 3 * 4 + 4 /* pad */ + 3 * 8 + 3 * 4);
  const c = decodeChunk(buf);
  expect(Array.from(c.steps!)).toEqual([-5, 0, 7]);
  expect(Array.from(c.walls)).toEqual([1.5, NaN, 3]);
  expect(Array.from(c.values)).toEqual([0.25, Math.fround(0.1), -Infinity]);
});

test('wide steps, big steps and f64 values are kept exactly', () => {
  const c1 = decodeChunk(encodeChunk(accum([[2 ** 40, 0, 0.1]])));
  expect([c1.steps![0], c1.values[0]]).toEqual([2 ** 40, 0.1]);
  const big = 2n ** 62n + 1n;
  const a = accum([
    [1, 0, 1],
    [big, 0, 2],
  ]);
  const c2 = decodeChunk(encodeChunk(a));
  expect(c2.steps).toBeNull();
  expect(Array.from(c2.bigSteps!)).toEqual([1n, big]);
  // A partial chunk reloaded from its bytes continues where it stopped.
  const b = accumFromChunk(1, 1, 99, encodeChunk(a));
  b.push(3, 0, 3);
  expect(Array.from(decodeChunk(encodeChunk(b)).bigSteps!)).toEqual([1n, big, 3n]);
});

test('decoding a misaligned copy works (blobs need not be 8-byte aligned)', () => {
  const buf = encodeChunk(
    accum([
      [1, 2, 3],
      [4, 5, 6],
    ]),
  );
  const shifted = new Uint8Array(buf.length + 1).subarray(1);
  shifted.set(buf);
  expect(Array.from(decodeChunk(shifted).walls)).toEqual([2, 5]);
});

test('stats and marks: extremes, order, non-finite points', () => {
  const st = chunkStats(
    accum([
      [0, 10, 1],
      [1, 11, 9],
      [2, 12, NaN],
      [3, 13, -4],
      [1, 14, 2],
    ]),
  );
  expect(st).toMatchObject({ n: 5, minStep: 0, maxStep: 3, sorted: false, minValue: -4, maxValue: 9, minWall: 10, maxWall: 14 });
  const m = new Float64Array(st.marks.buffer, st.marks.byteOffset, st.marks.length / 8);
  const mark = (k: number) => Array.from(m.subarray(k * MARK_FIELDS, (k + 1) * MARK_FIELDS));
  expect(mark(0)).toEqual([0, 0, 10, 1]); // first
  expect(mark(1)).toEqual([3, 3, 13, -4]); // lowest
  expect(mark(2)).toEqual([1, 1, 11, 9]); // highest
  expect(mark(3)).toEqual([4, 1, 14, 2]); // last
  expect(mark(4)[0]).toBe(2); // first non-finite (NaN)
  expect(chunkStats(accum([[0, 0, NaN]]))).toMatchObject({ minValue: null, maxValue: null });
});

test('downsample by wall time keeps spikes and returns ascending indices', () => {
  const n = 10_000;
  const steps = new Float64Array(n),
    walls = new Float64Array(n),
    values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = i;
    walls[i] = 1000 + i * 0.5;
    values[i] = i === 4321 ? 99 : 0;
  }
  const keep = downsample({ n, steps, walls, values }, 50, 'wall');
  expect(Array.from(keep)).toContain(4321);
  expect(Array.from(keep)).toEqual([...keep].sort((a, b) => a - b));
  expect(keep[0]).toBe(0);
  expect(keep[keep.length - 1]).toBe(n - 1);
});
