// The web app's only door to SQLite: typed read-only queries over the store (see types.ts).
// better-sqlite3 is synchronous; the methods are async only to share the StoreQueries interface
// with the PostgreSQL store (lib/store/pg/queries.ts).
import Database from 'better-sqlite3';
import type { NameFilter } from '../pattern.ts';
import { openReaderDb, type DB } from './schema.ts';
import { decodeGraphs } from './graph-decode.ts';
import {
  bigStep,
  chunksOrdered,
  exportRowsOfChunk,
  exportRowsSorted,
  lastValueOfChunk,
  scalarSeries,
  testRe,
  type ChunkMeta,
  type ChunkRow,
  type ChunkSource,
} from './scalar-read.ts';
import { buildHparams, histogramEntry, prCurveEntry, type HistogramRow, type PrCurveRow } from './row-views.ts';
import type {
  Blob,
  ExportRow,
  GraphView,
  HistogramEntry,
  HparamsView,
  ImageEntry,
  ImageSeries,
  IngestWarning,
  PrCurveEntry,
  RunSummary,
  ScalarQuery,
  ScalarSeries,
  StoreQueries,
  TagSummary,
  TextEntry,
  ValueKind,
} from './types.ts';

export { DEFAULT_MAX_POINTS } from './scalar-read.ts';

/** Queries over a store: a file path opens a read-only connection; a Database is used as is
 *  (the ingester passes its own connection for `:memory:`). */
export function openQueries(dbPathOrDatabase: string | Database.Database): StoreQueries & { close(): void } {
  const db = typeof dbPathOrDatabase === 'string' ? openReaderDb(dbPathOrDatabase) : dbPathOrDatabase;
  const owned = typeof dbPathOrDatabase === 'string';
  return new SqliteQueries(db, owned);
}

class SqliteQueries implements StoreQueries {
  private s: ReturnType<typeof prepare>;
  private chunkSource: ChunkSource;
  constructor(
    private readonly db: DB,
    private readonly owned: boolean,
  ) {
    const s = (this.s = prepare(db));
    this.chunkSource = {
      marks: (tagId, lo, hi) => s.chunkMarks.all(tagId, hi, lo) as ChunkMeta[],
      chunks: (tagId, lo, hi) => s.chunks.all(tagId, hi, lo) as ChunkRow[],
      chunkData: (id) => s.chunkData.pluck().get(id) as Buffer,
    };
  }

  close(): void {
    if (this.owned) this.db.close();
  }

  async listRuns(): Promise<RunSummary[]> {
    return (
      this.s.runs.all() as { name: string; tag_count: number; first_wall: number | null; last_wall: number | null; warnings: number }[]
    ).map((r) => ({
      name: r.name,
      tagCount: r.tag_count,
      firstWallTime: r.first_wall,
      lastWallTime: r.last_wall,
      warningCount: r.warnings,
    }));
  }

  async listTags(run?: string): Promise<TagSummary[]> {
    const rows = this.s.tags.all(run ?? null, run ?? null) as {
      run: string;
      tag: string;
      kind: ValueKind;
      plugin: string | null;
      count: bigint;
      min_step: bigint | null;
      max_step: bigint | null;
      display_name: string | null;
      description: string | null;
    }[];
    return rows.map((r) => ({
      run: r.run,
      tag: r.tag,
      kind: r.kind,
      plugin: r.plugin,
      count: Number(r.count),
      minStep: bigStep(r.min_step ?? 0n),
      maxStep: bigStep(r.max_step ?? 0n),
      displayName: r.display_name,
      description: r.description,
    }));
  }

  async scalars(runs: string[], tag: string, q: ScalarQuery = {}): Promise<ScalarSeries[]> {
    const out: ScalarSeries[] = [];
    for (const run of runs) {
      const tagId = this.tagId(run, tag, 'scalar');
      if (tagId === undefined) continue;
      out.push({ run, tag, ...(await scalarSeries(this.chunkSource, tagId, q)) });
    }
    return out;
  }

  private tagId(run: string, tag: string, kind: ValueKind): number | undefined {
    return this.s.tagId.pluck().get(run, tag, kind) as number | undefined;
  }

  async images(run: string, tag: string, step?: number): Promise<ImageSeries> {
    const tagId = this.tagId(run, tag, 'image');
    if (tagId === undefined) return { run, tag, steps: [], images: [] };
    const steps = this.s.imageSteps.pluck().all(tagId) as number[];
    const rows = (step === undefined ? this.s.imagesAll.all(tagId) : this.s.imagesAt.all(tagId, step)) as {
      step: number;
      wall: number | null;
      idx: number;
      width: number;
      height: number;
      blob_id: number;
      content_type: string;
    }[];
    const images: ImageEntry[] = rows.map((r) => ({
      step: r.step,
      wallTime: r.wall,
      index: r.idx,
      width: r.width,
      height: r.height,
      blobId: r.blob_id,
      contentType: r.content_type,
    }));
    return { run, tag, steps, images };
  }

  async blob(id: number): Promise<Blob | null> {
    const r = this.s.blob.get(id) as { id: number; content_type: string; etag: string; bytes: Buffer } | undefined;
    return r
      ? {
          id: r.id,
          contentType: r.content_type,
          etag: r.etag,
          bytes: new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
        }
      : null;
  }

  async histograms(run: string, tag: string): Promise<HistogramEntry[]> {
    const tagId = this.tagId(run, tag, 'histogram');
    if (tagId === undefined) return [];
    return (this.s.histograms.all(tagId) as HistogramRow[]).map(histogramEntry);
  }

  async graph(run: string): Promise<GraphView[]> {
    const rows = this.s.graphs.all(run) as { source: string; tag: string | null; step: number; bytes: Buffer }[];
    return decodeGraphs(run, rows);
  }

  async text(run: string, tag: string): Promise<TextEntry[]> {
    const tagId = this.tagId(run, tag, 'text');
    if (tagId === undefined) return [];
    return (this.s.texts.all(tagId) as { step: number; wall: number | null; text: string }[]).map((r) => ({
      step: r.step,
      wallTime: r.wall,
      text: r.text,
    }));
  }

  async prCurves(run: string, tag: string): Promise<PrCurveEntry[]> {
    const tagId = this.tagId(run, tag, 'pr_curve');
    if (tagId === undefined) return [];
    return (this.s.prCurves.all(tagId) as PrCurveRow[]).map(prCurveEntry);
  }

  async hparams(): Promise<HparamsView> {
    const rows = this.s.hparams.all() as { run: string; part: string; wall: number | null; payload: string }[];
    return buildHparams(rows, (run, tag) => {
      const tagId = this.tagId(run, tag, 'scalar');
      if (tagId === undefined) return undefined;
      return lastValueOfChunk((this.s.lastChunk.get(tagId) as { data: Buffer } | undefined)?.data);
    });
  }

  async warnings(run?: string): Promise<IngestWarning[]> {
    return (
      this.s.warnings.all(run ?? null, run ?? null) as { run: string; file: string; offset: number; reason: string; time: number }[]
    ).map((r) => ({ run: r.run, file: r.file, offset: r.offset, reason: r.reason, time: r.time }));
  }

  async *exportScalars(opts: { runs?: NameFilter; tags?: NameFilter } = {}): AsyncIterable<ExportRow[]> {
    // A filter that no run or no tag name passes exports nothing: decide that from the distinct
    // names (a few dozen tags, however many runs) before joining and sorting every tag row.
    if (opts.tags && !(this.s.scalarTagNames.pluck().all() as string[]).some((t) => testRe(opts.tags!, t))) return;
    if (opts.runs && !(this.s.runNames.pluck().all() as string[]).some((r) => testRe(opts.runs!, r))) return;
    const tags = this.s.scalarTags.all() as { id: number; run: string; tag: string }[];
    for (const t of tags) {
      if (opts.runs && !testRe(opts.runs, t.run)) continue;
      if (opts.tags && !testRe(opts.tags, t.tag)) continue;
      // Chunks stream in step order; a tag whose chunks overlap (restarted run, re-read file) is sorted whole.
      const rows = this.s.chunksMeta.all(t.id) as { id: number; min_step: number; max_step: number; sorted: number }[];
      if (!chunksOrdered(rows)) {
        yield* exportRowsSorted(t.run, t.tag, this.chunkSource.chunks(t.id, -Infinity, Infinity) as ChunkRow[]);
        continue;
      }
      for (const r of rows) yield exportRowsOfChunk(t.run, t.tag, this.s.chunkData.pluck().get(r.id) as Buffer);
    }
  }
}

function prepare(db: DB) {
  const p = (sql: string) => db.prepare(sql);
  const tags = p(`SELECT r.name run, t.tag, t.kind, t.plugin, t.count, t.min_step, t.max_step, t.display_name, t.description
    FROM tags t JOIN runs r ON r.id = t.run_id WHERE (? IS NULL OR r.name = ?) AND t.count > 0 ORDER BY r.name, t.tag, t.kind`);
  tags.safeIntegers(true);
  return {
    runs: p(`SELECT r.name,
        (SELECT count(*) FROM tags t WHERE t.run_id = r.id AND t.count > 0) tag_count,
        (SELECT min(first_wall) FROM tags t WHERE t.run_id = r.id) first_wall,
        (SELECT max(last_wall) FROM tags t WHERE t.run_id = r.id) last_wall,
        (SELECT count(*) FROM warnings w WHERE w.run_id = r.id) warnings
      FROM runs r ORDER BY r.name`),
    tags,
    tagId: p(`SELECT t.id FROM tags t JOIN runs r ON r.id = t.run_id WHERE r.name = ? AND t.tag = ? AND t.kind = ?`),
    chunks: p(`SELECT n, min_step, max_step, sorted, data FROM scalar_chunks
      WHERE tag_id = ? AND min_step <= ? AND max_step >= ? ORDER BY min_step, id`),
    chunkMarks: p(`SELECT id, n, min_step, max_step, sorted, marks FROM scalar_chunks
      WHERE tag_id = ? AND min_step <= ? AND max_step >= ? ORDER BY min_step, id`),
    chunksMeta: p('SELECT id, min_step, max_step, sorted FROM scalar_chunks WHERE tag_id = ? ORDER BY min_step, id'),
    chunkData: p('SELECT data FROM scalar_chunks WHERE id = ?'),
    lastChunk: p('SELECT data FROM scalar_chunks WHERE tag_id = ? ORDER BY max_step DESC, id DESC LIMIT 1'),
    scalarTagNames: p(`SELECT DISTINCT tag FROM tags WHERE kind = 'scalar'`),
    runNames: p('SELECT name FROM runs'),
    scalarTags: p(
      `SELECT t.id, r.name run, t.tag FROM tags t JOIN runs r ON r.id = t.run_id WHERE t.kind = 'scalar' ORDER BY r.name, t.tag`,
    ),
    imageSteps: p('SELECT DISTINCT step FROM images WHERE tag_id = ? ORDER BY step'),
    imagesAll: p(`SELECT i.step, i.wall, i.idx, i.width, i.height, i.blob_id, b.content_type FROM images i JOIN blobs b ON b.id = i.blob_id
      WHERE i.tag_id = ? ORDER BY i.step, i.wall, i.idx`),
    imagesAt: p(`SELECT i.step, i.wall, i.idx, i.width, i.height, i.blob_id, b.content_type FROM images i JOIN blobs b ON b.id = i.blob_id
      WHERE i.tag_id = ? AND i.step = ? ORDER BY i.wall, i.idx`),
    blob: p('SELECT id, content_type, etag, bytes FROM blobs WHERE id = ?'),
    histograms: p('SELECT step, wall, min, max, num, sum, sum_squares, buckets FROM histograms WHERE tag_id = ? ORDER BY step, wall'),
    graphs: p(
      `SELECT g.source, g.tag, g.step, g.bytes FROM graphs g JOIN runs r ON r.id = g.run_id WHERE r.name = ? ORDER BY g.source, g.step, g.id`,
    ),
    texts: p('SELECT step, wall, text FROM texts WHERE tag_id = ? ORDER BY step, wall'),
    prCurves: p('SELECT step, wall, thresholds, data FROM pr_curves WHERE tag_id = ? ORDER BY step, wall'),
    hparams: p(`SELECT r.name run, h.part, h.wall, h.payload FROM hparams h JOIN runs r ON r.id = h.run_id ORDER BY r.name, h.wall`),
    warnings: p(`SELECT r.name run, f.rel file, w.offset, w.reason, w.time FROM warnings w JOIN runs r ON r.id = w.run_id
      JOIN files f ON f.id = w.file_id WHERE (? IS NULL OR r.name = ?) ORDER BY r.name, f.rel, w.offset`),
  };
}
