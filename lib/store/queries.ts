// The web app's only door to SQLite: typed read-only queries over the store (see types.ts).
// Routes and pages call these functions; they never hold SQL of their own.
import Database from 'better-sqlite3';
import { openReaderDb, type DB } from './schema.ts';
import { CHUNK_POINTS, decodeChunk } from './scalar-chunk.ts';
import { downsample, downsampleMarks, marksOf, type PointColumns } from './downsample.ts';
import { decodeGraphs } from './graph-decode.ts';
import { decodeLayout } from '../tfevents/custom-scalars.ts';
import { toRanges, type TagIndex, type TagIndexEntry } from './tag-index.ts';
import type {
  AudioEntry, Blob, CustomScalarsLayout, ExportRow, GraphView, HistogramEntry, HparamsSession, HparamsView, ImageEntry, ImageSeries, IngestWarning,
  PrCurveEntry, RunSummary, ScalarPoint, ScalarQuery, ScalarSeries, StoreQueries, TagSummary, TextEntry, ValueKind,
} from './types.ts';

/** Default bucket count of `scalars()` when the caller gives none. */
export const DEFAULT_MAX_POINTS = 1000;

/** Queries over a store: a file path opens a read-only connection; a Database is used as is
 *  (the ingester passes its own connection for `:memory:`). */
export function openQueries(dbPathOrDatabase: string | Database.Database): StoreQueries & { close(): void } {
  const db = typeof dbPathOrDatabase === 'string' ? openReaderDb(dbPathOrDatabase) : dbPathOrDatabase;
  const owned = typeof dbPathOrDatabase === 'string';
  return new SqliteQueries(db, owned);
}

interface ChunkRow { n: number; min_step: number; max_step: number; sorted: number; data: Buffer }

class SqliteQueries implements StoreQueries {
  private s: ReturnType<typeof prepare>;
  constructor(private readonly db: DB, private readonly owned: boolean) { this.s = prepare(db); }

  close(): void { if (this.owned) this.db.close(); }

  listRuns(): RunSummary[] {
    return (this.s.runs.all() as { name: string; tag_count: number; first_wall: number | null; last_wall: number | null; warnings: number }[])
      .map(r => ({ name: r.name, tagCount: r.tag_count, firstWallTime: r.first_wall, lastWallTime: r.last_wall, warningCount: r.warnings }));
  }

  /**
   * Runs and tags grouped for the UI (lib/store/tag-index.ts). SQLite groups the rows and lists
   * each tag's run ids (group_concat): a 2,000-run x 50-tag sweep is 100,000 rows, which as JS
   * objects (listTags) cost several times more.
   */
  tagIndex(): TagIndex {
    const runs = this.listRuns();
    const byName = new Map(runs.map((r, i) => [r.name, i]));
    const pos = new Map<number, number>();
    for (const [id, name] of this.s.runIds.raw().all() as [number, string][]) { const i = byName.get(name); if (i !== undefined) pos.set(id, i); }
    type Row = [string, ValueKind, string | null, number, number | string | null, number | string | null, string | null, string | null, string];
    const tags: TagIndexEntry[] = [];
    for (const r of this.s.tagGroups.raw().all() as Row[]) {
      const members: number[] = [];
      for (const id of r[8].split(',')) { const i = pos.get(Number(id)); if (i !== undefined) members.push(i); }
      if (members.length === 0) continue;
      const entry: TagIndexEntry = { tag: r[0], kind: r[1], plugin: r[2], ranges: toRanges(members), count: r[3], minStep: r[4] ?? 0, maxStep: r[5] ?? 0 };
      if (r[6]) entry.displayName = r[6];
      if (r[7]) entry.description = r[7];
      tags.push(entry);
    }
    tags.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    return { runs, tags };
  }

  listTags(run?: string): TagSummary[] {
    const rows = this.s.tags.all(run ?? null, run ?? null) as {
      run: string; tag: string; kind: ValueKind; plugin: string | null; count: bigint; min_step: bigint | null; max_step: bigint | null;
      display_name: string | null; description: string | null;
    }[];
    return rows.map(r => ({
      run: r.run, tag: r.tag, kind: r.kind, plugin: r.plugin, count: Number(r.count),
      minStep: bigStep(r.min_step ?? 0n), maxStep: bigStep(r.max_step ?? 0n),
      displayName: r.display_name, description: r.description,
    }));
  }

  scalars(runs: string[], tag: string, q: ScalarQuery = {}): ScalarSeries[] {
    const lo = q.minStep ?? -Infinity, hi = q.maxStep ?? Infinity;
    const maxPoints = Math.max(1, Math.floor(q.maxPoints ?? DEFAULT_MAX_POINTS));
    const out: ScalarSeries[] = [];
    // Sweeps (many runs, few points each): one query for the tag ids and one for all their chunks,
    // instead of three statements per run.
    const batch = runs.length >= 16 ? this.smallSeriesChunks(runs, tag, lo, hi, maxPoints) : null;
    for (const run of runs) {
      const small = batch?.get(run);
      if (batch && !small && !batch.has(`\u0000big:${run}`)) continue; // no such (run, tag)
      const tagId = small ? small.tagId : this.s.tagId.pluck().get(run, tag, 'scalar') as number | undefined;
      if (tagId === undefined) continue;
      const fast = small ? null : this.fromMarks(tagId, lo, hi, maxPoints);
      if (fast) { out.push({ run, tag, ...fast }); continue; }
      const cols = small ? this.pointsOf(small.rows, lo, hi) : this.readPoints(tagId, lo, hi);
      const total = cols.n;
      if (total <= maxPoints) { out.push({ run, tag, points: toPoints(cols, null), total, downsampled: false }); continue; }
      const keep = downsample(cols, maxPoints, q.xAxis === 'relative' || q.xAxis === 'wall' ? 'wall' : 'step');
      out.push({ run, tag, points: toPoints(cols, keep), total, downsampled: true });
    }
    return out;
  }

  /**
   * Large series: when every bucket would hold at least half a chunk, buckets are made of whole
   * chunks and come from the marks stored with each chunk (first/min/max/last/non-finite), so
   * no point blob is read except for the (at most two) chunks cut by the step range.
   * Returns null when that does not apply (small series, or chunks overlapping in steps).
   */
  private fromMarks(tagId: number, lo: number, hi: number, maxPoints: number): Omit<ScalarSeries, 'run' | 'tag'> | null {
    const metas = this.s.chunkMarks.all(tagId, hi, lo) as { id: number; n: number; min_step: number; max_step: number; sorted: number; marks: Buffer }[];
    let total = 0, prevMax = -Infinity, partial = 0;
    for (const m of metas) {
      if (!m.sorted || m.min_step < prevMax) return null;
      prevMax = m.max_step;
      if (m.min_step >= lo && m.max_step <= hi) total += m.n; else { partial++; total += m.n; }
    }
    // Upper bound on total so far; a cheap early exit for small series.
    if (total / maxPoints < CHUNK_POINTS / 2 || partial > 2) return null;
    const units: Float64Array[] = [];
    total = 0;
    for (const m of metas) {
      if (m.min_step >= lo && m.max_step <= hi) { units.push(f64(m.marks)); total += m.n; continue; }
      const cols = chunkColumns(this.s.chunkData.pluck().get(m.id) as Buffer, lo, hi);
      if (cols.n === 0) continue;
      units.push(marksOf(cols, 0, cols.n));
      total += cols.n;
    }
    if (total / maxPoints < CHUNK_POINTS / 2) return null;
    const d = downsampleMarks(units, maxPoints);
    const points: ScalarPoint[] = d.steps.map((step, i) => ({ step, wallTime: wallOut(d.walls[i]!) as number, value: d.values[i]! }));
    return { points, total, downsampled: true };
  }

  /**
   * Chunks of the requested runs' series of `tag` that are too small for the marks path (every
   * bucket under half a chunk), read in one query; keyed by run. Runs whose series are large are
   * marked with a '\u0000big:<run>' key so the caller reads them the usual way.
   */
  private smallSeriesChunks(runs: string[], tag: string, lo: number, hi: number, maxPoints: number): Map<string, { tagId: number; rows: ChunkRow[] }> {
    const wanted = new Set(runs);
    const out = new Map<string, { tagId: number; rows: ChunkRow[] }>();
    const byId = new Map<number, { tagId: number; rows: ChunkRow[] }>();
    for (const [name, id, count] of this.s.scalarTagIds.raw().all(tag) as [string, number, number][]) {
      if (!wanted.has(name)) continue;
      if (count / maxPoints >= CHUNK_POINTS / 2) { out.set(`\u0000big:${name}`, { tagId: id, rows: [] }); continue; }
      const entry = { tagId: id, rows: [] as ChunkRow[] };
      out.set(name, entry);
      byId.set(id, entry);
    }
    if (byId.size === 0) return out;
    for (const r of this.s.tagChunks.all(tag, hi, lo) as Array<ChunkRow & { tag_id: number }>) byId.get(r.tag_id)?.rows.push(r);
    return out;
  }

  /** Every point of a tag with lo <= step <= hi, in step order (file order among equal steps). */
  private readPoints(tagId: number, lo: number, hi: number): PointColumns {
    return this.pointsOf(this.s.chunks.all(tagId, hi, lo) as ChunkRow[], lo, hi);
  }

  /** The points of chunk rows (ordered by min_step) with lo <= step <= hi, in step order. */
  private pointsOf(rows: ChunkRow[], lo: number, hi: number): PointColumns {
    let cap = 0;
    for (const r of rows) cap += r.n;
    const steps = new Float64Array(cap), walls = new Float64Array(cap), values = new Float64Array(cap);
    let n = 0, ordered = true, prevMax = -Infinity;
    const whole = lo === -Infinity && hi === Infinity;
    for (const r of rows) {
      if (!r.sorted || r.min_step < prevMax) ordered = false;
      if (r.max_step > prevMax) prevMax = r.max_step;
      const c = decodeChunk(r.data);
      const inside = whole || (r.min_step >= lo && r.max_step <= hi);
      if (inside && c.steps) {
        steps.set(c.steps, n); walls.set(c.walls, n); values.set(c.values, n); n += c.n;
        continue;
      }
      for (let i = 0; i < c.n; i++) {
        const s = c.steps ? c.steps[i]! : Number(c.bigSteps![i]!);
        if (s < lo || s > hi) continue;
        steps[n] = s; walls[n] = c.walls[i]!; values[n] = c.values[i]!; n++;
      }
    }
    const cols: PointColumns = { n, steps: steps.subarray(0, n), walls: walls.subarray(0, n), values: values.subarray(0, n) };
    return ordered ? cols : sortByStep(cols);
  }

  images(run: string, tag: string, step?: number): ImageSeries {
    const tagId = this.s.tagId.pluck().get(run, tag, 'image') as number | undefined;
    if (tagId === undefined) return { run, tag, steps: [], images: [] };
    const steps = this.s.imageSteps.pluck().all(tagId) as number[];
    const rows = (step === undefined ? this.s.imagesAll.all(tagId) : this.s.imagesAt.all(tagId, step)) as {
      step: number; wall: number | null; idx: number; width: number; height: number; blob_id: number; content_type: string;
    }[];
    const images: ImageEntry[] = rows.map(r => ({
      step: r.step, wallTime: r.wall, index: r.idx, width: r.width, height: r.height, blobId: r.blob_id, contentType: r.content_type,
    }));
    return { run, tag, steps, images };
  }

  audio(run: string, tag: string): AudioEntry[] {
    const tagId = this.s.tagId.pluck().get(run, tag, 'audio') as number | undefined;
    if (tagId === undefined) return [];
    return (this.s.audio.all(tagId) as { step: number; wall: number | null; sample_rate: number; channels: number; frames: number; blob_id: number; content_type: string }[])
      .map(r => ({ step: r.step, wallTime: r.wall, sampleRate: r.sample_rate, channels: r.channels, frames: r.frames, blobId: r.blob_id, contentType: r.content_type }));
  }

  customScalarLayouts(): CustomScalarsLayout[] {
    const out: CustomScalarsLayout[] = [];
    for (const r of this.s.customScalars.all() as { run: string; data: Buffer | null }[]) {
      if (!r.data || r.data.length === 0) continue;
      try {
        out.push({ run: r.run, categories: decodeLayout(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)) });
      } catch { /* a layout that does not decode is left out; its run still shows its scalars */ }
    }
    return out;
  }

  blob(id: number): Blob | null {
    const r = this.s.blob.get(id) as { id: number; content_type: string; etag: string; bytes: Buffer } | undefined;
    return r ? { id: r.id, contentType: r.content_type, etag: r.etag, bytes: new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength) } : null;
  }

  histograms(run: string, tag: string): HistogramEntry[] {
    const tagId = this.s.tagId.pluck().get(run, tag, 'histogram') as number | undefined;
    if (tagId === undefined) return [];
    return (this.s.histograms.all(tagId) as {
      step: number; wall: number | null; min: number; max: number; num: number; sum: number; sum_squares: number; buckets: Buffer;
    }[]).map(r => {
      const f = f64(r.buckets), k = f.length / 3;
      const buckets = new Array(k);
      for (let i = 0; i < k; i++) buckets[i] = { left: f[i]!, right: f[k + i]!, count: f[2 * k + i]! };
      return { step: r.step, wallTime: r.wall, min: r.min, max: r.max, num: r.num, sum: r.sum, sumSquares: r.sum_squares, buckets };
    });
  }

  graph(run: string): GraphView[] {
    const rows = this.s.graphs.all(run) as { source: string; tag: string | null; step: number; bytes: Buffer }[];
    return decodeGraphs(run, rows);
  }

  text(run: string, tag: string): TextEntry[] {
    const tagId = this.s.tagId.pluck().get(run, tag, 'text') as number | undefined;
    if (tagId === undefined) return [];
    return (this.s.texts.all(tagId) as { step: number; wall: number | null; text: string }[])
      .map(r => ({ step: r.step, wallTime: r.wall, text: r.text }));
  }

  prCurves(run: string, tag: string): PrCurveEntry[] {
    const tagId = this.s.tagId.pluck().get(run, tag, 'pr_curve') as number | undefined;
    if (tagId === undefined) return [];
    return (this.s.prCurves.all(tagId) as { step: number; wall: number | null; thresholds: number; data: Buffer }[]).map(r => {
      const f = f64(r.data), t = r.thresholds;
      const row = (i: number) => Array.from(f.subarray(i * t, (i + 1) * t));
      // TensorBoard's pr_curves plugin spaces thresholds evenly over [0, 1].
      const thresholds = Array.from({ length: t }, (_, i) => (t > 1 ? i / (t - 1) : 0));
      return { step: r.step, wallTime: r.wall, tp: row(0), fp: row(1), tn: row(2), fn: row(3), precision: row(4), recall: row(5), thresholds };
    });
  }

  hparams(): HparamsView {
    const rows = this.s.hparams.all() as { run: string; part: string; wall: number | null; payload: string }[];
    return buildHparams(rows, (run, tag) => this.lastScalar(run, tag));
  }

  private lastScalar(run: string, tag: string): number | undefined {
    const tagId = this.s.tagId.pluck().get(run, tag, 'scalar') as number | undefined;
    if (tagId === undefined) return undefined;
    const r = this.s.lastChunk.get(tagId) as { data: Buffer } | undefined;
    if (!r) return undefined;
    const c = decodeChunk(r.data);
    return c.n ? c.values[c.n - 1] : undefined;
  }

  warnings(run?: string): IngestWarning[] {
    return (this.s.warnings.all(run ?? null, run ?? null) as { run: string; file: string; offset: number; reason: string; time: number }[])
      .map(r => ({ run: r.run, file: r.file, offset: r.offset, reason: r.reason, time: r.time }));
  }

  *exportScalars(opts: { runs?: RegExp; tags?: RegExp } = {}): Iterable<ExportRow> {
    const tags = this.s.scalarTags.all() as { id: number; run: string; tag: string }[];
    for (const t of tags) {
      if (opts.runs && !testRe(opts.runs, t.run)) continue;
      if (opts.tags && !testRe(opts.tags, t.tag)) continue;
      yield* this.exportTag(t.id, t.run, t.tag);
    }
  }

  private *exportTag(tagId: number, run: string, tag: string): Iterable<ExportRow> {
    // Chunks stream in step order; a tag whose chunks overlap (restarted run, re-read file) is sorted whole.
    const rows = this.s.chunksMeta.all(tagId) as { id: number; min_step: number; max_step: number; sorted: number }[];
    let ordered = true, prevMax = -Infinity;
    for (const r of rows) { if (!r.sorted || r.min_step < prevMax) ordered = false; if (r.max_step > prevMax) prevMax = r.max_step; }
    if (!ordered) {
      const cols = this.readPoints(tagId, -Infinity, Infinity);
      // Big steps were read as numbers here; only a restarted run past 2^53 would lose digits.
      for (let i = 0; i < cols.n; i++) yield { run, tag, step: cols.steps[i]!, wallTime: wallOut(cols.walls[i]!), value: cols.values[i]! };
      return;
    }
    for (const r of rows) {
      const data = this.s.chunkData.pluck().get(r.id) as Buffer;
      const c = decodeChunk(data);
      for (let i = 0; i < c.n; i++) {
        const step = c.steps ? c.steps[i]! : bigStep(c.bigSteps![i]!);
        yield { run, tag, step, wallTime: wallOut(c.walls[i]!), value: c.values[i]! };
      }
    }
  }
}

function prepare(db: DB) {
  const p = (sql: string) => db.prepare(sql);
  const tags = p(`SELECT r.name run, t.tag, t.kind, t.plugin, t.count, t.min_step, t.max_step, t.display_name, t.description
    FROM tags t JOIN runs r ON r.id = t.run_id WHERE (? IS NULL OR r.name = ?) AND t.count > 0 ORDER BY r.name, t.tag, t.kind`);
  tags.safeIntegers(true);
  return {
    runs: p(`SELECT r.name, coalesce(t.tag_count, 0) tag_count, t.first_wall, t.last_wall,
        (SELECT count(*) FROM warnings w WHERE w.run_id = r.id) warnings
      FROM runs r LEFT JOIN (
        SELECT run_id, sum(count > 0) tag_count, min(first_wall) first_wall, max(last_wall) last_wall FROM tags GROUP BY run_id
      ) t ON t.run_id = r.id ORDER BY r.name`),
    runIds: p('SELECT id, name FROM runs'),
    scalarTagIds: p(`SELECT r.name, t.id, t.count FROM tags t JOIN runs r ON r.id = t.run_id WHERE t.tag = ? AND t.kind = 'scalar'`),
    tagChunks: p(`SELECT c.tag_id, c.n, c.min_step, c.max_step, c.sorted, c.data FROM scalar_chunks c
      WHERE c.tag_id IN (SELECT id FROM tags WHERE tag = ? AND kind = 'scalar') AND c.min_step <= ? AND c.max_step >= ? ORDER BY c.tag_id, c.min_step, c.id`),
    // Steps beyond 2^53 come out as decimal text (as listTags' bigStep does), the rest as numbers.
    tagGroups: p(`SELECT tag, kind, plugin, sum(count),
        CASE WHEN min(min_step) BETWEEN -9007199254740991 AND 9007199254740991 THEN min(min_step) ELSE CAST(min(min_step) AS TEXT) END,
        CASE WHEN max(max_step) BETWEEN -9007199254740991 AND 9007199254740991 THEN max(max_step) ELSE CAST(max(max_step) AS TEXT) END,
        max(display_name), max(description), group_concat(run_id)
      FROM tags WHERE count > 0 GROUP BY tag, kind, plugin`),
    tags,
    tagId: p(`SELECT t.id FROM tags t JOIN runs r ON r.id = t.run_id WHERE r.name = ? AND t.tag = ? AND t.kind = ?`),
    chunks: p(`SELECT n, min_step, max_step, sorted, data FROM scalar_chunks
      WHERE tag_id = ? AND min_step <= ? AND max_step >= ? ORDER BY min_step, id`),
    chunkMarks: p(`SELECT id, n, min_step, max_step, sorted, marks FROM scalar_chunks
      WHERE tag_id = ? AND min_step <= ? AND max_step >= ? ORDER BY min_step, id`),
    chunksMeta: p('SELECT id, min_step, max_step, sorted FROM scalar_chunks WHERE tag_id = ? ORDER BY min_step, id'),
    chunkData: p('SELECT data FROM scalar_chunks WHERE id = ?'),
    lastChunk: p('SELECT data FROM scalar_chunks WHERE tag_id = ? ORDER BY max_step DESC, id DESC LIMIT 1'),
    scalarTags: p(`SELECT t.id, r.name run, t.tag FROM tags t JOIN runs r ON r.id = t.run_id WHERE t.kind = 'scalar' ORDER BY r.name, t.tag`),
    imageSteps: p('SELECT DISTINCT step FROM images WHERE tag_id = ? ORDER BY step'),
    imagesAll: p(`SELECT i.step, i.wall, i.idx, i.width, i.height, i.blob_id, b.content_type FROM images i JOIN blobs b ON b.id = i.blob_id
      WHERE i.tag_id = ? ORDER BY i.step, i.wall, i.idx`),
    imagesAt: p(`SELECT i.step, i.wall, i.idx, i.width, i.height, i.blob_id, b.content_type FROM images i JOIN blobs b ON b.id = i.blob_id
      WHERE i.tag_id = ? AND i.step = ? ORDER BY i.wall, i.idx`),
    blob: p('SELECT id, content_type, etag, bytes FROM blobs WHERE id = ?'),
    audio: p(`SELECT a.step, a.wall, a.sample_rate, a.channels, a.frames, a.blob_id, b.content_type FROM audio a JOIN blobs b ON b.id = a.blob_id
      WHERE a.tag_id = ? ORDER BY a.step, a.wall`),
    // The newest layout per run (a writer may log it again).
    customScalars: p(`SELECT r.name run, (SELECT x.data FROM tensors x WHERE x.tag_id = t.id ORDER BY x.step DESC, x.wall DESC LIMIT 1) data
      FROM tags t JOIN runs r ON r.id = t.run_id WHERE t.plugin = 'custom_scalars' ORDER BY r.name`),
    histograms: p('SELECT step, wall, min, max, num, sum, sum_squares, buckets FROM histograms WHERE tag_id = ? ORDER BY step, wall'),
    graphs: p(`SELECT g.source, g.tag, g.step, g.bytes FROM graphs g JOIN runs r ON r.id = g.run_id WHERE r.name = ? ORDER BY g.source, g.step, g.id`),
    texts: p('SELECT step, wall, text FROM texts WHERE tag_id = ? ORDER BY step, wall'),
    prCurves: p('SELECT step, wall, thresholds, data FROM pr_curves WHERE tag_id = ? ORDER BY step, wall'),
    hparams: p(`SELECT r.name run, h.part, h.wall, h.payload FROM hparams h JOIN runs r ON r.id = h.run_id ORDER BY r.name, h.wall`),
    warnings: p(`SELECT r.name run, f.rel file, w.offset, w.reason, w.time FROM warnings w JOIN runs r ON r.id = w.run_id
      JOIN files f ON f.id = w.file_id WHERE (? IS NULL OR r.name = ?) ORDER BY r.name, f.rel, w.offset`),
  };
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
function chunkColumns(data: Buffer, lo: number, hi: number): PointColumns {
  const c = decodeChunk(data);
  const steps = new Float64Array(c.n), walls = new Float64Array(c.n), values = new Float64Array(c.n);
  let n = 0;
  for (let i = 0; i < c.n; i++) {
    const s = c.steps ? c.steps[i]! : Number(c.bigSteps![i]!);
    if (s < lo || s > hi) continue;
    steps[n] = s; walls[n] = c.walls[i]!; values[n] = c.values[i]!; n++;
  }
  return { n, steps: steps.subarray(0, n), walls: walls.subarray(0, n), values: values.subarray(0, n) };
}

function sortByStep(c: PointColumns): PointColumns {
  const idx = new Int32Array(c.n);
  for (let i = 0; i < c.n; i++) idx[i] = i;
  // Stable by position among equal steps (file order).
  idx.sort((a, b) => (c.steps[a]! - c.steps[b]!) || (a - b));
  const steps = new Float64Array(c.n), walls = new Float64Array(c.n), values = new Float64Array(c.n);
  for (let k = 0; k < c.n; k++) { const i = idx[k]!; steps[k] = c.steps[i]!; walls[k] = c.walls[i]!; values[k] = c.values[i]!; }
  return { n: c.n, steps, walls, values };
}

function f64(b: Buffer): Float64Array {
  if (b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  return new Float64Array(new Uint8Array(b).buffer);
}

function bigStep(s: bigint): number | string {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s.toString();
}

function wallOut(w: number): number | null { return w === w ? w : null; }

function testRe(re: RegExp, s: string): boolean { re.lastIndex = 0; return re.test(s); }

// ---- hparams -------------------------------------------------------------------------------------

/** Assemble the hparams view from stored plugin payloads (HParamsPluginData as JSON). */
function buildHparams(
  rows: { run: string; part: string; wall: number | null; payload: string }[],
  lastScalar: (run: string, tag: string) => number | undefined,
): HparamsView {
  const hparamInfos = new Map<string, HparamsView['hparamInfos'][number]>();
  const metricInfos = new Map<string, HparamsView['metricInfos'][number]>();
  const sessions = new Map<string, HparamsSession>();
  const session = (run: string) => {
    let s = sessions.get(run);
    if (!s) { s = { run, hparams: {}, metrics: {}, status: null, startTime: null, endTime: null }; sessions.set(run, s); }
    return s;
  };
  for (const r of rows) {
    let p: Record<string, any>;
    try { p = JSON.parse(r.payload); } catch { continue; }
    if (r.part === 'experiment') {
      const e = p.experiment ?? p;
      for (const h of e.hparamInfos ?? e.hparam_infos ?? []) {
        if (!h?.name || hparamInfos.has(h.name)) continue;
        const domain = h.domainDiscrete ?? h.domain_discrete ?? h.domainInterval ?? h.domain_interval;
        hparamInfos.set(h.name, { name: h.name, type: typeName(h.type), domain: domain && normalizeDomain(domain) });
      }
      for (const m of e.metricInfos ?? e.metric_infos ?? []) {
        const tag = m?.name?.tag;
        if (!tag) continue;
        const group = m.name.group || undefined;
        const key = `${group ?? ''}\u0000${tag}`;
        if (!metricInfos.has(key)) metricInfos.set(key, { tag, group, displayName: m.displayName ?? m.display_name ?? undefined });
      }
    } else if (r.part === 'session_start') {
      const st = p.sessionStartInfo ?? p.session_start_info ?? p;
      const s = session(r.run);
      for (const [k, v] of Object.entries((st.hparams ?? {}) as Record<string, unknown>)) s.hparams[k] = protoValue(v);
      const t = Number(st.startTimeSecs ?? st.start_time_secs);
      s.startTime = Number.isFinite(t) && t > 0 ? t : r.wall;
    } else if (r.part === 'session_end') {
      const en = p.sessionEndInfo ?? p.session_end_info ?? p;
      const s = session(r.run);
      s.status = statusName(en.status);
      const t = Number(en.endTimeSecs ?? en.end_time_secs);
      s.endTime = Number.isFinite(t) && t > 0 ? t : r.wall;
    }
  }
  // Metric values: the last value of each metric tag, in the session's run or its `group` sub-run
  // (Keras writes validation metrics to <session>/validation).
  for (const s of sessions.values()) {
    for (const m of metricInfos.values()) {
      const candidates = m.group ? [`${s.run}/${m.group}`, s.run] : [s.run];
      for (const run of candidates) {
        const v = lastScalar(run, m.tag);
        if (v !== undefined) { s.metrics[m.tag] = v; break; }
      }
    }
  }
  return { hparamInfos: [...hparamInfos.values()], metricInfos: [...metricInfos.values()], sessions: [...sessions.values()] };
}

function protoValue(v: unknown): string | number | boolean {
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['numberValue', 'number_value', 'stringValue', 'string_value', 'boolValue', 'bool_value']) {
      if (k in o) return o[k] as string | number | boolean;
    }
    return JSON.stringify(v);
  }
  return v as string | number | boolean;
}

function normalizeDomain(d: any): unknown {
  if (Array.isArray(d?.values)) return { values: d.values.map(protoValue) };
  return d;
}

const DATA_TYPES = ['DATA_TYPE_UNSET', 'DATA_TYPE_STRING', 'DATA_TYPE_BOOL', 'DATA_TYPE_FLOAT64'];
function typeName(t: unknown): string | undefined {
  if (typeof t === 'number') return DATA_TYPES[t];
  return typeof t === 'string' ? t : undefined;
}
const STATUSES = ['STATUS_UNKNOWN', 'STATUS_SUCCESS', 'STATUS_FAILURE', 'STATUS_RUNNING'];
function statusName(s: unknown): string | null {
  if (typeof s === 'number') return STATUSES[s] ?? String(s);
  return typeof s === 'string' ? s : null;
}
