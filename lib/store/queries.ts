// The web app's only door to SQLite: typed read-only queries over the store (see types.ts).
// better-sqlite3 is synchronous; the methods are async only to share the StoreQueries interface
// with the PostgreSQL store (lib/store/pg/queries.ts).
import Database from 'better-sqlite3';
import type { NameFilter } from '../pattern.ts';
import { openReaderDb, type DB } from './schema.ts';
import { decodeGraphs } from './graph-decode.ts';
import { decodeLayout } from '../tfevents/custom-scalars.ts';
import { CHUNK_POINTS } from './scalar-chunk.ts';
import { toRanges, type TagIndex, type TagIndexEntry } from './tag-index.ts';
import {
  bigStep,
  chunksOrdered,
  scalarBounds,
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
  AudioEntry,
  CustomScalarsLayout,
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

  /**
   * Runs and tags grouped for the UI (lib/store/tag-index.ts). SQLite groups the rows and lists
   * each tag's run ids (group_concat): a 2,000-run x 50-tag sweep is 100,000 rows, which as JS
   * objects (listTags) cost several times more.
   */
  async tagIndex(): Promise<TagIndex> {
    const runs = await this.listRuns();
    const byName = new Map(runs.map((r, i) => [r.name, i]));
    const pos = new Map<number, number>();
    for (const [id, name] of this.s.runIds.raw().all() as [number, string][]) {
      const i = byName.get(name);
      if (i !== undefined) pos.set(id, i);
    }
    type Row = [
      string,
      ValueKind,
      string | null,
      number,
      number | string | null,
      number | string | null,
      string | null,
      string | null,
      string,
    ];
    const tags: TagIndexEntry[] = [];
    for (const r of this.s.tagGroups.raw().all() as Row[]) {
      const members: number[] = [];
      for (const id of r[8].split(',')) {
        const i = pos.get(Number(id));
        if (i !== undefined) members.push(i);
      }
      if (members.length === 0) continue;
      const entry: TagIndexEntry = {
        tag: r[0],
        kind: r[1],
        plugin: r[2],
        ranges: toRanges(members),
        count: r[3],
        minStep: r[4] ?? 0,
        maxStep: r[5] ?? 0,
      };
      if (r[6]) entry.displayName = r[6];
      if (r[7]) entry.description = r[7];
      tags.push(entry);
    }
    tags.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    return { runs, tags };
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
    if (runs.length >= 16) return this.sweepScalars(runs, tag, q);
    const out: ScalarSeries[] = [];
    for (const run of runs) {
      const tagId = this.tagId(run, tag, 'scalar');
      if (tagId === undefined) continue;
      out.push({ run, tag, ...(await scalarSeries(this.chunkSource, tagId, q)) });
    }
    return out;
  }

  /**
   * scalars() for sweeps (many runs, few points each): one query for the tag ids and one for all
   * chunks of the small series, instead of three statements per run. Series large enough for the
   * marks path are read as usual.
   */
  private async sweepScalars(runs: string[], tag: string, q: ScalarQuery): Promise<ScalarSeries[]> {
    const { lo, hi, maxPoints } = scalarBounds(q);
    const ids = new Map<string, number>();
    const small = new Map<number, ChunkRow[]>();
    for (const [name, id, count] of this.s.scalarTagIds.raw().all(tag) as [string, number, number][]) {
      ids.set(name, id);
      if (count / maxPoints < CHUNK_POINTS / 2) small.set(id, []);
    }
    if (small.size > 0)
      for (const r of this.s.tagChunks.all(tag, hi, lo) as Array<ChunkRow & { tag_id: number }>) small.get(r.tag_id)?.push(r);
    const base = this.chunkSource;
    const src: ChunkSource = {
      // A small series' marks are never read (fromMarks gives up on n alone): metas without bytes.
      marks: (id, a, b) =>
        small.get(id)?.map((r) => ({ id: -1, n: r.n, min_step: r.min_step, max_step: r.max_step, sorted: r.sorted, marks: EMPTY })) ??
        base.marks(id, a, b),
      chunks: (id, a, b) => small.get(id) ?? base.chunks(id, a, b),
      chunkData: (id) => base.chunkData(id),
    };
    const out: ScalarSeries[] = [];
    for (const run of runs) {
      const id = ids.get(run);
      if (id === undefined) continue;
      out.push({ run, tag, ...(await scalarSeries(src, id, q)) });
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

  async audio(run: string, tag: string): Promise<AudioEntry[]> {
    const tagId = this.tagId(run, tag, 'audio');
    if (tagId === undefined) return [];
    return (
      this.s.audio.all(tagId) as {
        step: number;
        wall: number | null;
        sample_rate: number;
        channels: number;
        frames: number;
        blob_id: number;
        content_type: string;
      }[]
    ).map((r) => ({
      step: r.step,
      wallTime: r.wall,
      sampleRate: r.sample_rate,
      channels: r.channels,
      frames: r.frames,
      blobId: r.blob_id,
      contentType: r.content_type,
    }));
  }

  async customScalarLayouts(): Promise<CustomScalarsLayout[]> {
    const out: CustomScalarsLayout[] = [];
    for (const r of this.s.customScalars.all() as { run: string; data: Buffer | null }[]) {
      if (!r.data || r.data.length === 0) continue;
      try {
        out.push({ run: r.run, categories: decodeLayout(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)) });
      } catch {
        /* a layout that does not decode is left out; its run still shows its scalars */
      }
    }
    return out;
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
    audio:
      p(`SELECT a.step, a.wall, a.sample_rate, a.channels, a.frames, a.blob_id, b.content_type FROM audio a JOIN blobs b ON b.id = a.blob_id
      WHERE a.tag_id = ? ORDER BY a.step, a.wall`),
    // The newest layout per run (a writer may log it again).
    customScalars: p(`SELECT r.name run, (SELECT x.data FROM tensors x WHERE x.tag_id = t.id ORDER BY x.step DESC, x.wall DESC LIMIT 1) data
      FROM tags t JOIN runs r ON r.id = t.run_id WHERE t.plugin = 'custom_scalars' ORDER BY r.name`),
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

const EMPTY = new Uint8Array(0);
