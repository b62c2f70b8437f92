// Scalar series from stored chunks, shared by the SQLite and PostgreSQL query modules: both store
// the same chunk blobs and marks (scalar-chunk.ts), so the bucketed min/max answer is computed by
// the same code whichever database holds the rows.
import { CHUNK_POINTS, decodeChunk } from './scalar-chunk.ts';
import { downsample, downsampleMarks, marksOf, type PointColumns } from './downsample.ts';
import type { ExportRow, ScalarPoint, ScalarQuery, ScalarSeries } from './types.ts';
import { stepToJson, type JsonStep } from '../domain/step.ts';
import type { NameFilter } from '../pattern.ts';

/** Default bucket count of `scalars()` when the caller gives none. */
export const DEFAULT_MAX_POINTS = 1000;

export interface ChunkMeta {
  id: number;
  n: number;
  min_step: number;
  max_step: number;
  sorted: number | boolean;
  marks: Uint8Array;
}
export interface ChunkRow {
  n: number;
  min_step: number;
  max_step: number;
  sorted: number | boolean;
  data: Uint8Array;
}

export type MaybePromise<T> = T | Promise<T>;

/** What a store provides to answer scalars() for one tag id. */
export interface ChunkSource {
  /** Chunks of the tag with min_step <= hi and max_step >= lo, ordered by (min_step, id), without data. */
  marks(tagId: number, lo: number, hi: number): MaybePromise<ChunkMeta[]>;
  /** Same chunks with their data. */
  chunks(tagId: number, lo: number, hi: number): MaybePromise<ChunkRow[]>;
  /** The data blob of one chunk. */
  chunkData(id: number): MaybePromise<Uint8Array>;
}

export function scalarBounds(q: ScalarQuery): { lo: number; hi: number; maxPoints: number } {
  return {
    lo: q.minStep ?? -Infinity,
    hi: q.maxStep ?? Infinity,
    maxPoints: Math.max(1, Math.floor(q.maxPoints ?? DEFAULT_MAX_POINTS)),
  };
}

/** One tag's series: from chunk marks when that is exact enough (large series), else from points. */
export async function scalarSeries(src: ChunkSource, tagId: number, q: ScalarQuery): Promise<Omit<ScalarSeries, 'run' | 'tag'>> {
  const { lo, hi, maxPoints } = scalarBounds(q);
  const fast = await fromMarks(src, await src.marks(tagId, lo, hi), lo, hi, maxPoints);
  if (fast) return fast;
  const cols = pointsOfChunks(await src.chunks(tagId, lo, hi), lo, hi);
  const total = cols.n;
  if (total <= maxPoints) return { points: toPoints(cols, null), total, downsampled: false };
  const keep = downsample(cols, maxPoints, q.xAxis === 'relative' || q.xAxis === 'wall' ? 'wall' : 'step');
  return { points: toPoints(cols, keep), total, downsampled: true };
}

/**
 * Large series: when every bucket would hold at least half a chunk, buckets are made of whole
 * chunks and come from the marks stored with each chunk (first/min/max/last/non-finite), so
 * no point blob is read except for the (at most two) chunks cut by the step range.
 * Returns null when that does not apply (small series, or chunks overlapping in steps).
 */
async function fromMarks(
  src: ChunkSource,
  metas: ChunkMeta[],
  lo: number,
  hi: number,
  maxPoints: number,
): Promise<Omit<ScalarSeries, 'run' | 'tag'> | null> {
  let total = 0,
    prevMax = -Infinity,
    partial = 0;
  for (const m of metas) {
    if (!m.sorted || m.min_step < prevMax) return null;
    prevMax = m.max_step;
    if (m.min_step >= lo && m.max_step <= hi) total += m.n;
    else {
      partial++;
      total += m.n;
    }
  }
  // Upper bound on total so far; a cheap early exit for small series.
  if (total / maxPoints < CHUNK_POINTS / 2 || partial > 2) return null;
  const units: Float64Array[] = [];
  total = 0;
  for (const m of metas) {
    if (m.min_step >= lo && m.max_step <= hi) {
      units.push(f64(m.marks));
      total += m.n;
      continue;
    }
    const cols = chunkColumns(await src.chunkData(m.id), lo, hi);
    if (cols.n === 0) continue;
    units.push(marksOf(cols, 0, cols.n));
    total += cols.n;
  }
  if (total / maxPoints < CHUNK_POINTS / 2) return null;
  const d = downsampleMarks(units, maxPoints);
  const points: ScalarPoint[] = d.steps.map((step, i) => ({ step, wallTime: wallOut(d.walls[i]!) as number, value: d.values[i]! }));
  return { points, total, downsampled: true };
}

/** Every point of the chunks with lo <= step <= hi, in step order (file order among equal steps). */
export function pointsOfChunks(rows: ChunkRow[], lo: number, hi: number): PointColumns {
  let cap = 0;
  for (const r of rows) cap += r.n;
  const steps = new Float64Array(cap),
    walls = new Float64Array(cap),
    values = new Float64Array(cap);
  let n = 0,
    ordered = true,
    prevMax = -Infinity;
  const whole = lo === -Infinity && hi === Infinity;
  for (const r of rows) {
    if (!r.sorted || r.min_step < prevMax) ordered = false;
    if (r.max_step > prevMax) prevMax = r.max_step;
    const c = decodeChunk(r.data);
    const inside = whole || (r.min_step >= lo && r.max_step <= hi);
    if (inside && c.steps) {
      steps.set(c.steps, n);
      walls.set(c.walls, n);
      values.set(c.values, n);
      n += c.n;
      continue;
    }
    for (let i = 0; i < c.n; i++) {
      const s = c.steps ? c.steps[i]! : Number(c.bigSteps![i]!);
      if (s < lo || s > hi) continue;
      steps[n] = s;
      walls[n] = c.walls[i]!;
      values[n] = c.values[i]!;
      n++;
    }
  }
  const cols: PointColumns = { n, steps: steps.subarray(0, n), walls: walls.subarray(0, n), values: values.subarray(0, n) };
  return ordered ? cols : sortByStep(cols);
}

/** Whether chunks listed in (min_step, id) order hold their points in step order. */
export function chunksOrdered(rows: { min_step: number; max_step: number; sorted: number | boolean }[]): boolean {
  let prevMax = -Infinity;
  for (const r of rows) {
    if (!r.sorted || r.min_step < prevMax) return false;
    if (r.max_step > prevMax) prevMax = r.max_step;
  }
  return true;
}

/** Export rows of one chunk. */
export function exportRowsOfChunk(run: string, tag: string, data: Uint8Array): ExportRow[] {
  const c = decodeChunk(data);
  const batch: ExportRow[] = new Array(c.n);
  for (let i = 0; i < c.n; i++) {
    const step = c.steps ? c.steps[i]! : bigStep(c.bigSteps![i]!);
    batch[i] = { run, tag, step, wallTime: wallOut(c.walls[i]!), value: c.values[i]! };
  }
  return batch;
}

/** Export rows of a tag whose chunks overlap (restarted run, re-read file): sorted whole, in batches. */
export function* exportRowsSorted(run: string, tag: string, rows: ChunkRow[]): Iterable<ExportRow[]> {
  const cols = pointsOfChunks(rows, -Infinity, Infinity);
  // Big steps were read as numbers here; only a restarted run past 2^53 would lose digits.
  for (let i0 = 0; i0 < cols.n; i0 += CHUNK_POINTS) {
    const end = Math.min(cols.n, i0 + CHUNK_POINTS);
    const batch: ExportRow[] = new Array(end - i0);
    for (let i = i0; i < end; i++)
      batch[i - i0] = { run, tag, step: cols.steps[i]!, wallTime: wallOut(cols.walls[i]!), value: cols.values[i]! };
    yield batch;
  }
}

/** The last value of the chunk that ends a tag (hparams metrics). */
export function lastValueOfChunk(data: Uint8Array | undefined): number | undefined {
  if (!data) return undefined;
  const c = decodeChunk(data);
  return c.n ? c.values[c.n - 1] : undefined;
}

function toPoints(c: PointColumns, keep: Int32Array | null): ScalarPoint[] {
  const count = keep ? keep.length : c.n;
  const out: ScalarPoint[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = keep ? keep[k]! : k;
    const w = c.walls[i]!;
    out[k] = { step: c.steps[i]!, wallTime: w === w ? w : (null as unknown as number), value: c.values[i]! };
  }
  return out;
}

/** Points of one chunk with lo <= step <= hi, as columns. */
function chunkColumns(data: Uint8Array, lo: number, hi: number): PointColumns {
  const c = decodeChunk(data);
  const steps = new Float64Array(c.n),
    walls = new Float64Array(c.n),
    values = new Float64Array(c.n);
  let n = 0;
  for (let i = 0; i < c.n; i++) {
    const s = c.steps ? c.steps[i]! : Number(c.bigSteps![i]!);
    if (s < lo || s > hi) continue;
    steps[n] = s;
    walls[n] = c.walls[i]!;
    values[n] = c.values[i]!;
    n++;
  }
  return { n, steps: steps.subarray(0, n), walls: walls.subarray(0, n), values: values.subarray(0, n) };
}

function sortByStep(c: PointColumns): PointColumns {
  const idx = new Int32Array(c.n);
  for (let i = 0; i < c.n; i++) idx[i] = i;
  // Stable by position among equal steps (file order).
  idx.sort((a, b) => c.steps[a]! - c.steps[b]! || a - b);
  const steps = new Float64Array(c.n),
    walls = new Float64Array(c.n),
    values = new Float64Array(c.n);
  for (let k = 0; k < c.n; k++) {
    const i = idx[k]!;
    steps[k] = c.steps[i]!;
    walls[k] = c.walls[i]!;
    values[k] = c.values[i]!;
  }
  return { n: c.n, steps, walls, values };
}

/** float64 view of a blob (copied when the blob is not 8-byte aligned). */
export function f64(b: Uint8Array): Float64Array {
  if (b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  return new Float64Array(new Uint8Array(b).buffer);
}

export function bigStep(s: bigint): JsonStep {
  return stepToJson(s);
}

export function wallOut(w: number): number | null {
  return w === w ? w : null;
}

/** A user filter (an RE2 pattern from lib/pattern.ts; a RegExp from trusted code is reset first). */
export function testRe(re: NameFilter, s: string): boolean {
  if (re instanceof RegExp) re.lastIndex = 0;
  return re.test(s);
}
