// Read-only queries over the PostgreSQL store: the same StoreQueries as SQLite (queries.ts), from
// the same chunk layout, so scalars() buckets, export order and views are computed by shared code.
import type pg from 'pg';
import type { NameFilter } from '../../pattern.ts';
import { decodeGraphs } from '../graph-decode.ts';
import { decodeLayout } from '../../tfevents/custom-scalars.ts';
import { CHUNK_POINTS } from '../scalar-chunk.ts';
import { toRanges, type TagIndex, type TagIndexEntry } from '../tag-index.ts';
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
} from '../scalar-read.ts';
import { buildHparams, histogramEntry, prCurveEntry, type HistogramRow, type PrCurveRow } from '../row-views.ts';
import type {
  AudioEntry,
  Blob,
  CustomScalarsLayout,
  ExportRow,
  GraphView,
  HistogramEntry,
  HparamsView,
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
} from '../types.ts';

/** Chunks fetched per round trip when exporting. */
const EXPORT_BATCH = 64;

export class PgQueries implements StoreQueries {
  private chunkSource: ChunkSource;
  constructor(private readonly pool: pg.Pool) {
    this.chunkSource = {
      marks: async (tagId, lo, hi) =>
        (
          await this.q<ChunkMeta>(
            `SELECT id, n, min_step, max_step, sorted, marks FROM scalar_chunks WHERE tag_id = $1 AND min_step <= $2 AND max_step >= $3 ORDER BY min_step, id`,
            [tagId, boundHi(hi), boundLo(lo)],
          )
        ).map(numMeta),
      chunks: async (tagId, lo, hi) =>
        (
          await this.q<ChunkRow>(
            `SELECT n, min_step, max_step, sorted, data FROM scalar_chunks WHERE tag_id = $1 AND min_step <= $2 AND max_step >= $3 ORDER BY min_step, id`,
            [tagId, boundHi(hi), boundLo(lo)],
          )
        ).map(numMeta),
      chunkData: async (id) => (await this.q<{ data: Buffer }>('SELECT data FROM scalar_chunks WHERE id = $1', [id]))[0]!.data,
    };
  }

  private async q<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async listRuns(): Promise<RunSummary[]> {
    const rows = await this.q<{ name: string; tag_count: number; first_wall: number | null; last_wall: number | null; warnings: number }>(
      `SELECT r.name,
        (SELECT count(*)::int FROM tags t WHERE t.run_id = r.id AND t.count > 0) tag_count,
        (SELECT min(first_wall) FROM tags t WHERE t.run_id = r.id) first_wall,
        (SELECT max(last_wall) FROM tags t WHERE t.run_id = r.id) last_wall,
        (SELECT count(*)::int FROM warnings w WHERE w.run_id = r.id) warnings
      FROM runs r ORDER BY r.name COLLATE "C"`,
    );
    return rows.map((r) => ({
      name: r.name,
      tagCount: r.tag_count,
      firstWallTime: r.first_wall,
      lastWallTime: r.last_wall,
      warningCount: r.warnings,
    }));
  }

  /**
   * Runs and tags grouped for the UI (lib/store/tag-index.ts), grouped by the server: each tag
   * lists its run ids in one text column rather than one row per (run, tag).
   */
  async tagIndex(): Promise<TagIndex> {
    const runs = await this.listRuns();
    const byName = new Map(runs.map((r, i) => [r.name, i]));
    const pos = new Map<number, number>();
    for (const r of await this.q<{ id: number; name: string }>('SELECT id, name FROM runs')) {
      const i = byName.get(r.name);
      if (i !== undefined) pos.set(Number(r.id), i);
    }
    const rows = await this.q<{
      tag: string;
      kind: ValueKind;
      plugin: string | null;
      count: number | bigint;
      min_step: number | bigint | null;
      max_step: number | bigint | null;
      display_name: string | null;
      description: string | null;
      run_ids: string;
    }>(
      `SELECT tag, kind, plugin, sum(count)::int8 count, min(min_step) min_step, max(max_step) max_step,
        max(display_name) display_name, max(description) description, string_agg(run_id::text, ',') run_ids
      FROM tags WHERE count > 0 GROUP BY tag, kind, plugin`,
    );
    const tags: TagIndexEntry[] = [];
    for (const r of rows) {
      const members: number[] = [];
      for (const id of r.run_ids.split(',')) {
        const i = pos.get(Number(id));
        if (i !== undefined) members.push(i);
      }
      if (members.length === 0) continue;
      const entry: TagIndexEntry = {
        tag: r.tag,
        kind: r.kind,
        plugin: r.plugin,
        ranges: toRanges(members),
        count: Number(r.count),
        minStep: stepOut(r.min_step),
        maxStep: stepOut(r.max_step),
      };
      if (r.display_name) entry.displayName = r.display_name;
      if (r.description) entry.description = r.description;
      tags.push(entry);
    }
    // Code-unit order, as SQLite's (and the C collation's) string order.
    tags.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    return { runs, tags };
  }

  async listTags(run?: string): Promise<TagSummary[]> {
    const rows = await this.q<{
      run: string;
      tag: string;
      kind: ValueKind;
      plugin: string | null;
      count: number;
      min_step: number | bigint | null;
      max_step: number | bigint | null;
      display_name: string | null;
      description: string | null;
    }>(
      `SELECT r.name run, t.tag, t.kind, t.plugin, t.count, t.min_step, t.max_step, t.display_name, t.description
      FROM tags t JOIN runs r ON r.id = t.run_id WHERE ($1::text IS NULL OR r.name = $1) AND t.count > 0
      ORDER BY r.name COLLATE "C", t.tag COLLATE "C", t.kind COLLATE "C"`,
      [run ?? null],
    );
    return rows.map((r) => ({
      run: r.run,
      tag: r.tag,
      kind: r.kind,
      plugin: r.plugin,
      count: Number(r.count),
      minStep: stepOut(r.min_step),
      maxStep: stepOut(r.max_step),
      displayName: r.display_name,
      description: r.description,
    }));
  }

  private async tagIds(runs: string[], tag: string, kind: ValueKind): Promise<Map<string, number>> {
    const rows = await this.q<{ run: string; id: number }>(
      `SELECT r.name run, t.id FROM tags t JOIN runs r ON r.id = t.run_id WHERE r.name = ANY($1::text[]) AND t.tag = $2 AND t.kind = $3`,
      [runs, tag, kind],
    );
    return new Map(rows.map((r) => [r.run, Number(r.id)]));
  }

  private async tagId(run: string, tag: string, kind: ValueKind): Promise<number | undefined> {
    return (await this.tagIds([run], tag, kind)).get(run);
  }

  async scalars(runs: string[], tag: string, q: ScalarQuery = {}): Promise<ScalarSeries[]> {
    if (runs.length >= 16) return this.sweepScalars(runs, tag, q);
    const ids = await this.tagIds(runs, tag, 'scalar');
    const present = runs.filter((r) => ids.has(r));
    // Series of different runs are read concurrently (each on its own pooled connection).
    const series = await Promise.all(present.map((run) => scalarSeries(this.chunkSource, ids.get(run)!, q)));
    return present.map((run, i) => ({ run, tag, ...series[i]! }));
  }

  /**
   * scalars() for sweeps (many runs, few points each): one round trip for the tag ids and one for
   * every chunk of the small series, instead of two per run. Series large enough for the marks
   * path are read as usual.
   */
  private async sweepScalars(runs: string[], tag: string, q: ScalarQuery): Promise<ScalarSeries[]> {
    const { lo, hi, maxPoints } = scalarBounds(q);
    const rows = await this.q<{ run: string; id: number; count: number }>(
      `SELECT r.name run, t.id, t.count FROM tags t JOIN runs r ON r.id = t.run_id WHERE r.name = ANY($1::text[]) AND t.tag = $2 AND t.kind = 'scalar'`,
      [runs, tag],
    );
    const ids = new Map<string, number>();
    const small = new Map<number, ChunkRow[]>();
    for (const r of rows) {
      ids.set(r.run, Number(r.id));
      if (Number(r.count) / maxPoints < CHUNK_POINTS / 2) small.set(Number(r.id), []);
    }
    if (small.size > 0) {
      const chunks = await this.q<ChunkRow & { tag_id: number }>(
        `SELECT tag_id, n, min_step, max_step, sorted, data FROM scalar_chunks
         WHERE tag_id = ANY($1::int8[]) AND min_step <= $2 AND max_step >= $3 ORDER BY tag_id, min_step, id`,
        [[...small.keys()], boundHi(hi), boundLo(lo)],
      );
      for (const c of chunks) small.get(Number(c.tag_id))?.push(numMeta(c));
    }
    const base = this.chunkSource;
    const src: ChunkSource = {
      // A small series' marks are never read (fromMarks gives up on n alone): metas without bytes.
      marks: (id, a, b) =>
        small.get(id)?.map((r) => ({ id: -1, n: r.n, min_step: r.min_step, max_step: r.max_step, sorted: r.sorted, marks: EMPTY })) ??
        base.marks(id, a, b),
      chunks: (id, a, b) => small.get(id) ?? base.chunks(id, a, b),
      chunkData: (id) => base.chunkData(id),
    };
    const present = runs.filter((r) => ids.has(r));
    const series = await Promise.all(present.map((run) => scalarSeries(src, ids.get(run)!, q)));
    return present.map((run, i) => ({ run, tag, ...series[i]! }));
  }

  async audio(run: string, tag: string): Promise<AudioEntry[]> {
    const tagId = await this.tagId(run, tag, 'audio');
    if (tagId === undefined) return [];
    const rows = await this.q<{
      step: number;
      wall: number | null;
      sample_rate: number;
      channels: number;
      frames: number;
      blob_id: number;
      content_type: string;
    }>(
      `SELECT a.step, a.wall, a.sample_rate, a.channels, a.frames, a.blob_id, b.content_type FROM audio a JOIN blobs b ON b.id = a.blob_id
       WHERE a.tag_id = $1 ORDER BY a.step, a.wall`,
      [tagId],
    );
    return rows.map((r) => ({
      step: Number(r.step),
      wallTime: r.wall,
      sampleRate: r.sample_rate,
      channels: r.channels,
      frames: Number(r.frames),
      blobId: Number(r.blob_id),
      contentType: r.content_type,
    }));
  }

  async customScalarLayouts(): Promise<CustomScalarsLayout[]> {
    // The newest layout per run (a writer may log it again).
    const rows = await this.q<{ run: string; data: Buffer | null }>(
      `SELECT r.name run, (SELECT x.data FROM tensors x WHERE x.tag_id = t.id ORDER BY x.step DESC, x.wall DESC LIMIT 1) data
       FROM tags t JOIN runs r ON r.id = t.run_id WHERE t.plugin = 'custom_scalars' ORDER BY r.name COLLATE "C"`,
    );
    const out: CustomScalarsLayout[] = [];
    for (const r of rows) {
      if (!r.data || r.data.length === 0) continue;
      try {
        out.push({ run: r.run, categories: decodeLayout(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)) });
      } catch {
        /* a layout that does not decode is left out; its run still shows its scalars */
      }
    }
    return out;
  }

  async images(run: string, tag: string, step?: number): Promise<ImageSeries> {
    const tagId = await this.tagId(run, tag, 'image');
    if (tagId === undefined) return { run, tag, steps: [], images: [] };
    const steps = (await this.q<{ step: number }>('SELECT DISTINCT step FROM images WHERE tag_id = $1 ORDER BY step', [tagId])).map((r) =>
      Number(r.step),
    );
    const rows = await this.q<{
      step: number;
      wall: number | null;
      idx: number;
      width: number;
      height: number;
      blob_id: number;
      content_type: string;
    }>(
      `SELECT i.step, i.wall, i.idx, i.width, i.height, i.blob_id, b.content_type FROM images i JOIN blobs b ON b.id = i.blob_id
       WHERE i.tag_id = $1 AND ($2::bigint IS NULL OR i.step = $2) ORDER BY i.step, i.wall, i.idx`,
      [tagId, step ?? null],
    );
    return {
      run,
      tag,
      steps,
      images: rows.map((r) => ({
        step: Number(r.step),
        wallTime: r.wall,
        index: r.idx,
        width: r.width,
        height: r.height,
        blobId: Number(r.blob_id),
        contentType: r.content_type,
      })),
    };
  }

  async blob(id: number): Promise<Blob | null> {
    const r = (
      await this.q<{ id: number; content_type: string; etag: string; bytes: Buffer }>(
        'SELECT id, content_type, etag, bytes FROM blobs WHERE id = $1',
        [id],
      )
    )[0];
    return r
      ? {
          id: Number(r.id),
          contentType: r.content_type,
          etag: r.etag,
          bytes: new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
        }
      : null;
  }

  async histograms(run: string, tag: string): Promise<HistogramEntry[]> {
    const tagId = await this.tagId(run, tag, 'histogram');
    if (tagId === undefined) return [];
    const rows = await this.q<HistogramRow>(
      'SELECT step, wall, min, max, num, sum, sum_squares, buckets FROM histograms WHERE tag_id = $1 ORDER BY step, wall',
      [tagId],
    );
    return rows.map((r) => histogramEntry({ ...r, step: Number(r.step) }));
  }

  async graph(run: string): Promise<GraphView[]> {
    const rows = await this.q<{ source: string; tag: string | null; step: number; bytes: Buffer }>(
      `SELECT g.source, g.tag, g.step, g.bytes FROM graphs g JOIN runs r ON r.id = g.run_id WHERE r.name = $1 ORDER BY g.source, g.step, g.id`,
      [run],
    );
    return decodeGraphs(
      run,
      rows.map((r) => ({ ...r, step: Number(r.step) })),
    );
  }

  async text(run: string, tag: string): Promise<TextEntry[]> {
    const tagId = await this.tagId(run, tag, 'text');
    if (tagId === undefined) return [];
    return (
      await this.q<{ step: number; wall: number | null; text: string }>(
        'SELECT step, wall, text FROM texts WHERE tag_id = $1 ORDER BY step, wall',
        [tagId],
      )
    ).map((r) => ({ step: Number(r.step), wallTime: r.wall, text: r.text }));
  }

  async prCurves(run: string, tag: string): Promise<PrCurveEntry[]> {
    const tagId = await this.tagId(run, tag, 'pr_curve');
    if (tagId === undefined) return [];
    const rows = await this.q<PrCurveRow>('SELECT step, wall, thresholds, data FROM pr_curves WHERE tag_id = $1 ORDER BY step, wall', [
      tagId,
    ]);
    return rows.map((r) => prCurveEntry({ ...r, step: Number(r.step) }));
  }

  async hparams(): Promise<HparamsView> {
    const rows = await this.q<{ run: string; part: string; wall: number | null; payload: string }>(
      'SELECT r.name run, h.part, h.wall, h.payload FROM hparams h JOIN runs r ON r.id = h.run_id ORDER BY r.name COLLATE "C", h.wall',
    );
    return buildHparams(rows, async (run, tag) => {
      const tagId = await this.tagId(run, tag, 'scalar');
      if (tagId === undefined) return undefined;
      const r = await this.q<{ data: Buffer }>('SELECT data FROM scalar_chunks WHERE tag_id = $1 ORDER BY max_step DESC, id DESC LIMIT 1', [
        tagId,
      ]);
      return lastValueOfChunk(r[0]?.data);
    });
  }

  async warnings(run?: string): Promise<IngestWarning[]> {
    const rows = await this.q<{ run: string; file: string; offset: number; reason: string; time: number }>(
      `SELECT r.name run, f.rel file, w."offset", w.reason, w.time FROM warnings w JOIN runs r ON r.id = w.run_id
       JOIN files f ON f.id = w.file_id WHERE ($1::text IS NULL OR r.name = $1) ORDER BY r.name COLLATE "C", f.rel COLLATE "C", w."offset"`,
      [run ?? null],
    );
    return rows.map((r) => ({ run: r.run, file: r.file, offset: Number(r.offset), reason: r.reason, time: r.time }));
  }

  async *exportScalars(opts: { runs?: NameFilter; tags?: NameFilter } = {}): AsyncIterable<ExportRow[]> {
    const tags = await this.q<{ id: number; run: string; tag: string }>(
      `SELECT t.id, r.name run, t.tag FROM tags t JOIN runs r ON r.id = t.run_id WHERE t.kind = 'scalar' ORDER BY r.name COLLATE "C", t.tag COLLATE "C"`,
    );
    for (const t of tags) {
      if (opts.runs && !testRe(opts.runs, t.run)) continue;
      if (opts.tags && !testRe(opts.tags, t.tag)) continue;
      const metas = (
        await this.q<{ id: number; min_step: number; max_step: number; sorted: boolean }>(
          'SELECT id, min_step, max_step, sorted FROM scalar_chunks WHERE tag_id = $1 ORDER BY min_step, id',
          [t.id],
        )
      ).map(numMeta);
      // Chunks stream in step order; a tag whose chunks overlap (restarted run, re-read file) is sorted whole.
      if (!chunksOrdered(metas)) {
        yield* exportRowsSorted(t.run, t.tag, await this.chunkSource.chunks(Number(t.id), -Infinity, Infinity));
        continue;
      }
      for (let i = 0; i < metas.length; i += EXPORT_BATCH) {
        const ids = metas.slice(i, i + EXPORT_BATCH).map((m) => m.id);
        const rows = await this.q<{ id: number; data: Buffer }>('SELECT id, data FROM scalar_chunks WHERE id = ANY($1::bigint[])', [ids]);
        const byId = new Map(rows.map((r) => [Number(r.id), r.data]));
        for (const id of ids) yield exportRowsOfChunk(t.run, t.tag, byId.get(id)!);
      }
    }
  }
}

/** Step bounds as int8 parameters: steps are integers, so an upper bound rounds down and a lower
 *  bound up; ±Infinity become the ends of the int8 range. */
function boundHi(x: number): string {
  if (x >= 9.2e18) return '9223372036854775807';
  if (x <= -9.2e18) return '-9223372036854775808';
  return BigInt(Math.floor(x)).toString();
}
function boundLo(x: number): string {
  if (x >= 9.2e18) return '9223372036854775807';
  if (x <= -9.2e18) return '-9223372036854775808';
  return BigInt(Math.ceil(x)).toString();
}

/** Chunk step bounds as numbers (the readers compare them with float bounds). */
function numMeta<T extends { id?: number; min_step: number | bigint; max_step: number | bigint }>(r: T): T {
  return { ...r, id: r.id === undefined ? undefined : Number(r.id), min_step: Number(r.min_step), max_step: Number(r.max_step) } as T;
}

function stepOut(s: number | bigint | null): number | string {
  if (s === null) return 0;
  return typeof s === 'bigint' ? bigStep(s) : s;
}

const EMPTY = new Uint8Array(0);
