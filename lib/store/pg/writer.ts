// The PostgreSQL store's writer (IngestSink). Several ingesters may share one database; each file
// is written by at most one of them, which holds a session-level advisory lock on the file's id for
// as long as it runs (claim). A slice's values are collected in memory (addSlice) and written in
// one transaction together with the file's new position (commit), which also checks that the
// position it advances from is still the stored one: a crash at any moment leaves data and
// position consistent, and no two processes can store the same bytes twice.
//
// Tag aggregates (count, step and wall ranges) are updated with deltas (count = count + n), so two
// ingesters writing different files of one run never overwrite each other's counts.
import type pg from 'pg';
import { crc32 } from '@node-rs/crc32';
import type { NormalizedValue, Step } from '../../tfevents/types.ts';
import type { DecodedSlice } from '../../ingest/slice.ts';
import type { FileProgress, FileRecord } from '../writer.ts';
import type { IngestSink } from '../sink.ts';
import type { StoreChange, ValueKind } from '../types.ts';
import { ScalarAccum, CHUNK_POINTS, accumFromChunk, chunkStats, encodeChunk } from '../scalar-chunk.ts';
import { f64Bytes, renderText, sniffContentType, tensorBytes, toJson } from '../value-bytes.ts';
import { CHANGE_CHANNEL, PG_FILE_DATA_TABLES } from './db.ts';

interface TagInfo {
  id: number;
  runId: number;
  tag: string;
  kind: ValueKind;
  accum: ScalarAccum | null;
  /** Deltas of this transaction. */
  dCount: number;
  dMin: Step | null;
  dMax: Step | null;
  dW0: number | null;
  dW1: number | null;
  dirty: boolean;
}

interface PendingChunk {
  acc: ScalarAccum;
  args: unknown[];
}

/** Claimed file whose lock is held by another process. */
export class FileClaimedError extends Error {}

export class PgWriter implements IngestSink {
  private runIds = new Map<string, number>();
  private runNames = new Map<number, string>();
  private files = new Map<string, FileRecord>();
  private tags = new Map<number, Map<string, TagInfo>>();
  private claimed = new Set<number>();
  private listeners = new Set<(c: StoreChange) => void>();
  private dirtyTags: TagInfo[] = [];
  private chunks: PendingChunk[] = [];
  private others: Array<{ file: FileRecord; info: TagInfo | null; v: NormalizedValue }> = [];
  private warningsPending: Array<{ file: FileRecord; offset: number; reason: string }> = [];
  private inTx = false;

  private constructor(
    private readonly c: pg.Client,
    private readonly inScope: (path: string) => boolean,
  ) {}

  /** A writer on its own connection `c` (which holds the file locks); `inScope` picks this ingester's files. */
  static async open(c: pg.Client, inScope: (path: string) => boolean): Promise<PgWriter> {
    const w = new PgWriter(c, inScope);
    await w.reload();
    return w;
  }

  private async reload(): Promise<void> {
    this.runIds.clear();
    this.runNames.clear();
    this.files.clear();
    this.tags.clear();
    for (const r of (await this.c.query<{ id: number; name: string }>('SELECT id, name FROM runs')).rows) {
      this.runIds.set(r.name, r.id);
      this.runNames.set(r.id, r.name);
    }
    const { rows } = await this.c.query<FileRow>('SELECT * FROM files ORDER BY path');
    for (const r of rows) if (this.inScope(r.path)) this.files.set(r.path, fileFromRow(r));
  }

  onChange(listener: (c: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  hasRun(name: string): boolean {
    return this.runIds.has(name);
  }
  getFile(path: string): FileRecord | undefined {
    return this.files.get(path);
  }
  allFiles(): FileRecord[] {
    return [...this.files.values()];
  }
  filesOfRun(run: string): FileRecord[] {
    const id = this.runIds.get(run);
    if (id === undefined) return [];
    return [...this.files.values()].filter((f) => f.runId === id).sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  }

  async pluginsOfRun(run: string): Promise<[string, string][]> {
    const id = this.runIds.get(run);
    if (id === undefined) return [];
    const { rows } = await this.c.query<{ tag: string; plugin: string }>(
      'SELECT DISTINCT tag, plugin FROM tags WHERE run_id = $1 AND plugin IS NOT NULL',
      [id],
    );
    return rows.map((r) => [r.tag, r.plugin]);
  }

  private async ensureRun(name: string): Promise<number> {
    let id = this.runIds.get(name);
    if (id !== undefined) return id;
    // Another ingester may have created it: the upsert returns the existing id then.
    const { rows } = await this.c.query<{ id: number; inserted: boolean }>(
      `INSERT INTO runs(name, created) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, (xmax = 0) inserted`,
      [name, Date.now() / 1000],
    );
    id = rows[0]!.id;
    this.runIds.set(name, id);
    this.runNames.set(id, name);
    if (rows[0]!.inserted) await this.notify([{ type: 'run-added', run: name }]);
    return id;
  }

  async ensureFile(run: string, path: string, rel: string): Promise<FileRecord> {
    const existing = this.files.get(path);
    if (existing) return existing;
    const runId = await this.ensureRun(run);
    const { rows } = await this.c.query<FileRow>(
      `INSERT INTO files(run_id, path, rel) VALUES ($1, $2, $3) ON CONFLICT (path) DO UPDATE SET path = EXCLUDED.path RETURNING *`,
      [runId, path, rel],
    );
    const rec = fileFromRow(rows[0]!);
    this.files.set(path, rec);
    return rec;
  }

  /**
   * Take the file's advisory lock for the life of this connection. False when another process
   * holds it (that process ingests the file; this one leaves it alone). On success the record is
   * refreshed from the database: a previous owner may have advanced it.
   */
  async claim(file: FileRecord): Promise<boolean> {
    if (this.claimed.has(file.id)) return true;
    const { rows } = await this.c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) ok', [file.id]);
    if (!rows[0]!.ok) return false;
    this.claimed.add(file.id);
    const fresh = await this.c.query<FileRow>('SELECT * FROM files WHERE id = $1', [file.id]);
    if (fresh.rows[0]) Object.assign(file, fileFromRow(fresh.rows[0]));
    this.releaseFile(file);
    return true;
  }

  async isTombstoned(path: string, ino: number): Promise<boolean> {
    const { rows } = await this.c.query<{ ino: number }>('SELECT ino FROM tombstones WHERE path = $1', [path]);
    return rows.length > 0 && Number(rows[0]!.ino) === ino;
  }

  async begin(file: FileRecord): Promise<void> {
    if (this.inTx) throw new Error('store writer: transaction already open');
    if (!this.claimed.has(file.id) && !(await this.claim(file))) throw new FileClaimedError(`${file.rel}: ingested by another process`);
    this.inTx = true;
  }

  async addSlice(file: FileRecord, sl: DecodedSlice): Promise<void> {
    const infos = await this.tagInfos(
      file.runId,
      sl.scalarTags.map((m) => ({
        tag: m.tag,
        kind: 'scalar' as ValueKind,
        plugin: m.plugin,
        displayName: m.displayName,
        description: m.description,
      })),
    );
    await this.loadTails(file, infos);
    const big = sl.bigSteps ? new Map(sl.bigSteps) : null;
    const { tagIdx, steps, walls, values } = sl;
    for (let i = 0; i < sl.n; i++) {
      const info = infos[tagIdx[i]!]!;
      const step: Step = big?.get(i) ?? steps[i]!;
      const wall = walls[i]!;
      this.touch(info, step, wall === wall ? wall : null);
      let acc = info.accum;
      if (acc === null || acc.fileId !== file.id) acc = this.openAccum(info, file);
      acc.push(step, wall, values[i]!);
      if (acc.n === CHUNK_POINTS) {
        this.queueChunk(acc);
        info.accum = new ScalarAccum(info.id, file.id);
      }
    }
    if (sl.others.length) {
      const oinfos = await this.tagInfos(
        file.runId,
        sl.others.map((v) => ({ tag: v.tag, kind: v.kind, plugin: v.plugin, displayName: v.displayName, description: v.description })),
      );
      sl.others.forEach((v, k) => {
        const info = oinfos[k]!;
        this.touch(info, v.step, v.wallTime);
        this.others.push({ file, info, v });
      });
    }
    for (const c of sl.corrupt) this.warningsPending.push({ file, offset: c.offset, reason: c.reason });
  }

  async addWarning(file: FileRecord, offset: number, reason: string): Promise<void> {
    this.warningsPending.push({ file, offset, reason });
  }

  private touch(info: TagInfo, step: Step, wall: number | null): void {
    info.dCount++;
    if (info.dMin === null || step < info.dMin) info.dMin = step;
    if (info.dMax === null || step > info.dMax) info.dMax = step;
    if (wall !== null) {
      if (info.dW0 === null || wall < info.dW0) info.dW0 = wall;
      if (info.dW1 === null || wall > info.dW1) info.dW1 = wall;
    }
    if (!info.dirty) {
      info.dirty = true;
      this.dirtyTags.push(info);
    }
  }

  async commit(file: FileRecord, p: FileProgress): Promise<void> {
    if (!this.inTx) throw new Error('store writer: commit without begin');
    const c = this.c;
    const changed = this.dirtyTags;
    let committed = false;
    try {
      await c.query('BEGIN');
      for (const info of changed) if (info.accum && info.accum.dirty && info.accum.n > 0) this.queueChunk(info.accum);
      await this.writeChunks();
      for (const o of this.others) await this.writeValue(o.file, o.info!, o.v);
      for (const w of this.warningsPending) {
        await c.query('INSERT INTO warnings(run_id, file_id, "offset", reason, time) VALUES ($1, $2, $3, $4, $5)', [
          w.file.runId,
          w.file.id,
          w.offset,
          w.reason,
          Date.now() / 1000,
        ]);
      }
      const maxSteps = new Map<number, number | string | undefined>();
      if (changed.length) {
        const { rows } = await c.query<{ id: number; max_step: number | bigint | null }>(
          `UPDATE tags t SET count = t.count + v.dc,
              min_step = LEAST(t.min_step, v.lo), max_step = GREATEST(t.max_step, v.hi),
              first_wall = LEAST(t.first_wall, v.w0), last_wall = GREATEST(t.last_wall, v.w1)
           FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::float8[], $6::float8[]) AS v(id, dc, lo, hi, w0, w1)
           WHERE t.id = v.id RETURNING t.id, t.max_step`,
          [
            changed.map((i) => i.id),
            changed.map((i) => i.dCount),
            changed.map((i) => stepArg(i.dMin)),
            changed.map((i) => stepArg(i.dMax)),
            changed.map((i) => i.dW0),
            changed.map((i) => i.dW1),
          ],
        );
        for (const r of rows) maxSteps.set(Number(r.id), stepOut(r.max_step));
      }
      const upd = await c.query(
        `UPDATE files SET pos = $1, size = $2, mtime = $3, ino = $4, head_len = $5, head_crc = $6, records = $7, events = $8, corrupt = $9, file_version = $10
         WHERE id = $11 AND pos = $12`,
        [
          p.offset,
          p.size,
          p.mtime,
          p.ino,
          p.headLen,
          p.headCrc,
          p.records,
          p.events,
          p.corrupt,
          p.fileVersion ?? file.fileVersion,
          file.id,
          file.offset,
        ],
      );
      if (upd.rowCount !== 1) throw new Error(`${file.rel}: the stored position moved (another writer?); nothing was committed`);
      const run = this.runNames.get(file.runId)!;
      const feed: StoreChange[] = changed.map((info) => ({
        type: 'data',
        run,
        tag: info.tag,
        kind: info.kind,
        maxStep: maxSteps.get(info.id),
      }));
      if (this.warningsPending.length) feed.push({ type: 'warning', run });
      await this.notify(feed);
      await c.query('COMMIT');
      committed = true;
      Object.assign(file, p, { fileVersion: p.fileVersion ?? file.fileVersion });
      for (const l of this.listeners) for (const ch of feed) l(ch);
    } finally {
      if (!committed) await c.query('ROLLBACK').catch(() => {});
      for (const info of changed) {
        info.dirty = false;
        info.dCount = 0;
        info.dMin = info.dMax = null;
        info.dW0 = info.dW1 = null;
      }
      this.dirtyTags = [];
      this.chunks = [];
      this.others = [];
      this.warningsPending = [];
      this.inTx = false;
      // After a failed commit the partial chunks in memory no longer match the database.
      if (!committed) this.tags.clear();
    }
  }

  async rollback(): Promise<void> {
    // Nothing reached the database before commit; drop what was collected.
    this.inTx = false;
    this.dirtyTags = [];
    this.chunks = [];
    this.others = [];
    this.warningsPending = [];
    this.tags.clear();
  }

  releaseFile(file: FileRecord): void {
    const tags = this.tags.get(file.runId);
    if (!tags) return;
    for (const info of tags.values()) if (info.accum && info.accum.fileId === file.id && !info.accum.dirty) info.accum = null;
  }

  async resetFile(file: FileRecord): Promise<void> {
    if (!(await this.claim(file))) return;
    await this.tx(async () => {
      await this.deleteFileData(file);
      await this.c.query(
        `UPDATE files SET pos = 0, size = 0, mtime = 0, ino = 0, head_len = 0, head_crc = 0, records = 0, events = 0, corrupt = 0 WHERE id = $1`,
        [file.id],
      );
      await this.recomputeTags(file.runId);
    });
    Object.assign(file, { offset: 0, size: 0, mtime: 0, ino: 0, headLen: 0, headCrc: 0, records: 0, events: 0, corrupt: 0 });
    this.tags.delete(file.runId);
    await this.emitAfterDelete(file.runId);
  }

  async removeFile(file: FileRecord, tombstoneIno?: number): Promise<void> {
    if (!(await this.claim(file))) {
      this.files.delete(file.path);
      return;
    }
    let runGone = false;
    await this.tx(async () => {
      await this.deleteFileData(file);
      await this.c.query('DELETE FROM files WHERE id = $1', [file.id]);
      if (tombstoneIno !== undefined)
        await this.c.query('INSERT INTO tombstones(path, ino) VALUES ($1, $2) ON CONFLICT (path) DO UPDATE SET ino = EXCLUDED.ino', [
          file.path,
          tombstoneIno,
        ]);
      const { rows } = await this.c.query<{ n: number }>('SELECT count(*)::int n FROM files WHERE run_id = $1', [file.runId]);
      runGone = rows[0]!.n === 0;
      if (runGone) await this.deleteRunRows(file.runId);
      else await this.recomputeTags(file.runId);
    });
    this.files.delete(file.path);
    await this.unlock(file.id);
    if (runGone) await this.forgetRun(file.runId);
    else {
      this.tags.delete(file.runId);
      await this.emitAfterDelete(file.runId);
    }
  }

  async removeRun(name: string, tombstones?: Map<string, number>): Promise<boolean> {
    const runId = this.runIds.get(name);
    if (runId === undefined) return false;
    const files = this.filesOfRun(name);
    for (const f of files)
      if (!(await this.claim(f))) throw new Error(`run ${JSON.stringify(name)}: ${f.rel} is being ingested by another process`);
    await this.tx(async () => {
      for (const f of files) {
        await this.deleteFileData(f);
        await this.c.query('DELETE FROM files WHERE id = $1', [f.id]);
      }
      for (const [path, ino] of tombstones ?? [])
        await this.c.query('INSERT INTO tombstones(path, ino) VALUES ($1, $2) ON CONFLICT (path) DO UPDATE SET ino = EXCLUDED.ino', [
          path,
          ino,
        ]);
      const { rows } = await this.c.query<{ n: number }>('SELECT count(*)::int n FROM files WHERE run_id = $1', [runId]);
      if (rows[0]!.n === 0) await this.deleteRunRows(runId);
      else await this.recomputeTags(runId);
    });
    for (const f of files) {
      this.files.delete(f.path);
      await this.unlock(f.id);
    }
    await this.forgetRun(runId);
    return true;
  }

  private async unlock(fileId: number): Promise<void> {
    if (!this.claimed.delete(fileId)) return;
    await this.c.query('SELECT pg_advisory_unlock($1)', [fileId]).catch(() => {});
  }

  private async tx(fn: () => Promise<void>): Promise<void> {
    await this.c.query('BEGIN');
    try {
      await fn();
      await this.c.query('COMMIT');
    } catch (err) {
      await this.c.query('ROLLBACK').catch(() => {});
      await this.reload();
      throw err;
    }
  }

  private async forgetRun(runId: number): Promise<void> {
    const name = this.runNames.get(runId)!;
    this.runIds.delete(name);
    this.runNames.delete(runId);
    this.tags.delete(runId);
    await this.notify([{ type: 'run-removed', run: name }]);
    for (const l of this.listeners) l({ type: 'run-removed', run: name });
  }

  private async emitAfterDelete(runId: number): Promise<void> {
    const run = this.runNames.get(runId);
    if (run === undefined) return;
    await this.notify([{ type: 'data', run }]);
    for (const l of this.listeners) l({ type: 'data', run });
  }

  private async deleteRunRows(runId: number): Promise<void> {
    await this.c.query('DELETE FROM tags WHERE run_id = $1', [runId]);
    await this.c.query('DELETE FROM runs WHERE id = $1', [runId]);
  }

  private async deleteFileData(file: FileRecord): Promise<void> {
    for (const t of PG_FILE_DATA_TABLES) await this.c.query(`DELETE FROM ${t} WHERE file_id = $1`, [file.id]);
  }

  /** Recompute the aggregates of every tag of a run from the remaining rows; drop empty tags. */
  private async recomputeTags(runId: number): Promise<void> {
    const q = (sql: string) => this.c.query(sql, [runId]);
    await q(`UPDATE tags t SET count = coalesce(a.c, 0), min_step = a.lo, max_step = a.hi, first_wall = a.w0, last_wall = a.w1
      FROM tags t2 LEFT JOIN LATERAL (
        SELECT sum(n) c, min(min_step) lo, max(max_step) hi, min(min_wall) w0, max(max_wall) w1 FROM scalar_chunks WHERE tag_id = t2.id
      ) a ON true WHERE t.id = t2.id AND t2.run_id = $1 AND t2.kind = 'scalar'`);
    for (const table of ['audio', 'histograms', 'texts', 'pr_curves', 'tensors']) {
      await q(`UPDATE tags t SET count = coalesce(a.c, 0), min_step = a.lo, max_step = a.hi, first_wall = a.w0, last_wall = a.w1
        FROM tags t2 LEFT JOIN LATERAL (SELECT count(*) c, min(step) lo, max(step) hi, min(wall) w0, max(wall) w1 FROM ${table} WHERE tag_id = t2.id) a ON true
        WHERE t.id = t2.id AND t2.run_id = $1 AND t2.kind IN (${KINDS_OF_TABLE[table]})`);
    }
    // Images count per event (several images of one event share its step).
    await q(`UPDATE tags t SET count = coalesce(a.c, 0), min_step = a.lo, max_step = a.hi, first_wall = a.w0, last_wall = a.w1
      FROM tags t2 LEFT JOIN LATERAL (SELECT count(DISTINCT (step, wall)) c, min(step) lo, max(step) hi, min(wall) w0, max(wall) w1 FROM images WHERE tag_id = t2.id) a ON true
      WHERE t.id = t2.id AND t2.run_id = $1 AND t2.kind = 'image'`);
    await q(`UPDATE tags t SET count = coalesce(a.c, 0), min_step = a.lo, max_step = a.hi, first_wall = a.w0, last_wall = a.w1
      FROM tags t2 LEFT JOIN LATERAL (SELECT count(*) c, min(step) lo, max(step) hi, min(wall) w0, max(wall) w1 FROM graphs g
        WHERE g.run_id = t2.run_id AND ((t2.kind = 'graph' AND g.source = 'graph_def') OR (t2.kind = 'run_metadata' AND g.source = 'run_metadata' AND g.tag = t2.tag))) a ON true
      WHERE t.id = t2.id AND t2.run_id = $1 AND t2.kind IN ('graph', 'run_metadata')`);
    // The three hparams tags hold the three payload parts (PyTorch and TF2 name them alike).
    await q(`UPDATE tags t SET count = coalesce(a.c, 0), min_step = a.lo, max_step = a.hi, first_wall = a.w0, last_wall = a.w1
      FROM tags t2 LEFT JOIN LATERAL (SELECT count(*) c, min(step) lo, max(step) hi, min(wall) w0, max(wall) w1 FROM hparams h
        WHERE h.run_id = t2.run_id AND h.part = CASE WHEN t2.tag LIKE '%session_start_info' THEN 'session_start'
          WHEN t2.tag LIKE '%session_end_info' THEN 'session_end' ELSE 'experiment' END) a ON true
      WHERE t.id = t2.id AND t2.run_id = $1 AND t2.kind = 'hparams'`);
    await q('DELETE FROM tags WHERE run_id = $1 AND count = 0');
  }

  /** Tag rows for (tag, kind) keys of a run, created when missing (one round trip for the unknown ones). */
  private async tagInfos(
    runId: number,
    metas: Array<{ tag: string; kind: ValueKind; plugin: string | null; displayName?: string; description?: string }>,
  ): Promise<TagInfo[]> {
    let tags = this.tags.get(runId);
    if (!tags) {
      tags = new Map();
      this.tags.set(runId, tags);
    }
    const key = (m: { tag: string; kind: ValueKind }) => (m.kind === 'scalar' ? m.tag : `${m.kind}\u0000${m.tag}`);
    const missing = new Map<string, (typeof metas)[number]>();
    for (const m of metas) if (!tags.has(key(m)) && !missing.has(key(m))) missing.set(key(m), m);
    if (missing.size) {
      const ms = [...missing.values()];
      const { rows } = await this.c.query<{ id: number; tag: string; kind: ValueKind }>(
        `INSERT INTO tags(run_id, tag, kind, plugin, display_name, description)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         ON CONFLICT (run_id, tag, kind) DO UPDATE SET plugin = coalesce(tags.plugin, EXCLUDED.plugin),
           display_name = coalesce(tags.display_name, EXCLUDED.display_name), description = coalesce(tags.description, EXCLUDED.description)
         RETURNING id, tag, kind`,
        [
          runId,
          ms.map((m) => m.tag),
          ms.map((m) => m.kind),
          ms.map((m) => m.plugin),
          ms.map((m) => m.displayName ?? null),
          ms.map((m) => m.description ?? null),
        ],
      );
      for (const r of rows) {
        tags.set(key(r), {
          id: Number(r.id),
          runId,
          tag: r.tag,
          kind: r.kind,
          accum: null,
          dCount: 0,
          dMin: null,
          dMax: null,
          dW0: null,
          dW1: null,
          dirty: false,
        });
      }
    }
    return metas.map((m) => tags.get(key(m))!);
  }

  /** Partly filled tail chunks this file left (an earlier run of the ingester): appends continue them. */
  private async loadTails(file: FileRecord, infos: TagInfo[]): Promise<void> {
    if (file.offset === 0) return;
    const need = [...new Set(infos.filter((i) => i.accum === null || i.accum.fileId !== file.id))];
    if (!need.length) return;
    const { rows } = await this.c.query<{ id: number; tag_id: number; n: number; data: Buffer }>(
      `SELECT DISTINCT ON (tag_id) id, tag_id, n, data FROM scalar_chunks WHERE file_id = $1 AND tag_id = ANY($2::bigint[]) ORDER BY tag_id, id DESC`,
      [file.id, need.map((i) => i.id)],
    );
    const tails = new Map(rows.map((r) => [Number(r.tag_id), r]));
    for (const info of need) {
      if (info.accum && info.accum.dirty && info.accum.n > 0) this.queueChunk(info.accum);
      const r = tails.get(info.id);
      info.accum = r && r.n < CHUNK_POINTS ? accumFromChunk(info.id, file.id, Number(r.id), r.data) : new ScalarAccum(info.id, file.id);
    }
  }

  private openAccum(info: TagInfo, file: FileRecord): ScalarAccum {
    if (info.accum && info.accum.dirty && info.accum.n > 0) this.queueChunk(info.accum);
    const acc = new ScalarAccum(info.id, file.id);
    info.accum = acc;
    return acc;
  }

  private queueChunk(acc: ScalarAccum): void {
    const st = chunkStats(acc);
    const data = encodeChunk(acc);
    this.chunks.push({
      acc,
      args: [st.n, stepArg(st.minStep), stepArg(st.maxStep), st.minValue, st.maxValue, st.minWall, st.maxWall, st.sorted, st.marks, data],
    });
    acc.dirty = false;
  }

  /** New chunks in one multi-row INSERT per batch; grown tail chunks updated in place. */
  private async writeChunks(): Promise<void> {
    const fresh = this.chunks.filter((ch) => ch.acc.rowId === null);
    for (const ch of this.chunks) {
      if (ch.acc.rowId === null) continue;
      await this.c.query(
        `UPDATE scalar_chunks SET n = $1, min_step = $2, max_step = $3, min_value = $4, max_value = $5, min_wall = $6, max_wall = $7, sorted = $8, marks = $9, data = $10 WHERE id = $11`,
        [...ch.args, ch.acc.rowId],
      );
    }
    for (let i = 0; i < fresh.length; i += 200) {
      const batch = fresh.slice(i, i + 200);
      const params: unknown[] = [];
      const tuples = batch.map((ch) => {
        const base = params.length;
        params.push(ch.acc.tagId, ch.acc.fileId, ...ch.args);
        return `(${Array.from({ length: 12 }, (_, k) => `$${base + k + 1}`).join(',')})`;
      });
      const { rows } = await this.c.query<{ id: number }>(
        `INSERT INTO scalar_chunks(tag_id, file_id, n, min_step, max_step, min_value, max_value, min_wall, max_wall, sorted, marks, data) VALUES ${tuples.join(',')} RETURNING id`,
        params,
      );
      // RETURNING follows the VALUES order for a single INSERT.
      rows.forEach((r, k) => {
        batch[k]!.acc.rowId = Number(r.id);
      });
    }
  }

  private async writeValue(file: FileRecord, info: TagInfo, v: NormalizedValue): Promise<void> {
    const c = this.c;
    const step = stepArg(v.step),
      wall = v.wallTime;
    const d = v.data;
    switch (d.kind) {
      case 'scalar':
        throw new Error('store writer: scalar values arrive as slice columns');
      case 'image':
        for (let idx = 0; idx < d.images.length; idx++) {
          const img = d.images[idx]!;
          const blobId = await this.insertBlob(file.id, sniffContentType(img.encoded), img.encoded);
          await c.query(
            'INSERT INTO images(tag_id, file_id, step, wall, idx, width, height, blob_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
            [info.id, file.id, step, wall, idx, img.width, img.height, blobId],
          );
        }
        return;
      case 'audio': {
        const blobId = await this.insertBlob(file.id, d.contentType || sniffContentType(d.encoded), d.encoded);
        await c.query(
          'INSERT INTO audio(tag_id, file_id, step, wall, sample_rate, channels, frames, blob_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [info.id, file.id, step, wall, d.sampleRate, d.numChannels, d.lengthFrames, blobId],
        );
        return;
      }
      case 'histogram': {
        const k = d.counts.length;
        const packed = new Float64Array(3 * k);
        packed.set(d.left, 0);
        packed.set(d.right, k);
        packed.set(d.counts, 2 * k);
        await c.query(
          'INSERT INTO histograms(tag_id, file_id, step, wall, min, max, num, sum, sum_squares, buckets) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
          [info.id, file.id, step, wall, d.min, d.max, d.num, d.sum, d.sumSquares, f64Bytes(packed)],
        );
        return;
      }
      case 'text':
        await c.query('INSERT INTO texts(tag_id, file_id, step, wall, text) VALUES ($1, $2, $3, $4, $5)', [
          info.id,
          file.id,
          step,
          wall,
          renderText(d.texts, d.shape).replace(/\0/g, '\uFFFD'),
        ]);
        return;
      case 'pr_curve': {
        const t = d.numThresholds;
        const packed = new Float64Array(6 * t);
        [d.tp, d.fp, d.tn, d.fn, d.precision, d.recall].forEach((row, i) => packed.set(row.subarray(0, t), i * t));
        await c.query('INSERT INTO pr_curves(tag_id, file_id, step, wall, thresholds, data) VALUES ($1, $2, $3, $4, $5, $6)', [
          info.id,
          file.id,
          step,
          wall,
          t,
          f64Bytes(packed),
        ]);
        return;
      }
      case 'graph':
        await c.query('INSERT INTO graphs(run_id, file_id, source, tag, step, wall, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          file.runId,
          file.id,
          'graph_def',
          null,
          step,
          wall,
          Buffer.from(d.graphDef),
        ]);
        return;
      case 'run_metadata':
        await c.query('INSERT INTO graphs(run_id, file_id, source, tag, step, wall, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          file.runId,
          file.id,
          'run_metadata',
          d.tag,
          step,
          wall,
          Buffer.from(d.runMetadata),
        ]);
        return;
      case 'hparams':
        await c.query('INSERT INTO hparams(run_id, file_id, part, step, wall, payload) VALUES ($1, $2, $3, $4, $5, $6)', [
          file.runId,
          file.id,
          d.part,
          step,
          wall,
          toJson(d.payload).replace(/\\u0000/g, '\\ufffd'),
        ]);
        return;
      case 'tensor':
        await c.query('INSERT INTO tensors(tag_id, file_id, step, wall, dtype, shape, data) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          info.id,
          file.id,
          step,
          wall,
          d.dtype,
          JSON.stringify(d.shape),
          tensorBytes(d.values),
        ]);
        return;
      case 'unknown_plugin': {
        const t = d.tensor;
        if (t)
          await c.query('INSERT INTO tensors(tag_id, file_id, step, wall, dtype, shape, data) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
            info.id,
            file.id,
            step,
            wall,
            t.dtype,
            JSON.stringify(t.shape),
            tensorBytes(t.values),
          ]);
        else
          await c.query('INSERT INTO tensors(tag_id, file_id, step, wall, dtype, shape, data) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
            info.id,
            file.id,
            step,
            wall,
            -1,
            '[]',
            d.content.length ? Buffer.from(d.content) : null,
          ]);
        return;
      }
      default: {
        const never: never = d;
        throw new Error(`store writer: unhandled value kind ${JSON.stringify(never)}`);
      }
    }
  }

  private async insertBlob(fileId: number, contentType: string, bytes: Uint8Array): Promise<number> {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const etag = `${crc32(buf).toString(16)}-${bytes.byteLength.toString(16)}`;
    const { rows } = await this.c.query<{ id: number }>(
      'INSERT INTO blobs(file_id, content_type, etag, bytes) VALUES ($1, $2, $3, $4) RETURNING id',
      [fileId, contentType, etag, buf],
    );
    return Number(rows[0]!.id);
  }

  /** Publish changes to every listening web server (delivered when the transaction commits). */
  private async notify(changes: StoreChange[]): Promise<void> {
    // NOTIFY payloads are limited to 8000 bytes: send in pieces.
    let batch: StoreChange[] = [],
      size = 2;
    const flush = async () => {
      if (batch.length) await this.c.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify(batch)]);
      batch = [];
      size = 2;
    };
    for (const ch of changes) {
      const len = JSON.stringify(ch).length + 1;
      if (len > 7000) continue; // an absurdly long tag name: the change is dropped rather than the commit
      if (size + len > 7000) await flush();
      batch.push(ch);
      size += len;
    }
    await flush();
  }

  async close(): Promise<void> {
    // Session locks end with the connection; the owner closes it.
  }
}

const KINDS_OF_TABLE: Record<string, string> = {
  audio: `'audio'`,
  histograms: `'histogram'`,
  texts: `'text'`,
  pr_curves: `'pr_curve'`,
  tensors: `'tensor', 'unknown_plugin'`,
};

interface FileRow {
  id: number;
  run_id: number;
  path: string;
  rel: string;
  pos: number;
  size: number;
  mtime: number;
  ino: number;
  head_len: number;
  head_crc: number;
  records: number;
  events: number;
  corrupt: number;
  file_version: string | null;
}

function fileFromRow(r: FileRow): FileRecord {
  return {
    id: Number(r.id),
    runId: Number(r.run_id),
    path: r.path,
    rel: r.rel,
    offset: Number(r.pos),
    size: Number(r.size),
    mtime: r.mtime,
    ino: Number(r.ino),
    headLen: r.head_len,
    headCrc: Number(r.head_crc),
    records: Number(r.records),
    events: Number(r.events),
    corrupt: Number(r.corrupt),
    fileVersion: r.file_version,
  };
}

/** A step as a query parameter: bigint goes as its decimal text (int8 keeps every digit). */
function stepArg(s: Step | null): number | string | null {
  if (s === null) return null;
  return typeof s === 'bigint' ? s.toString() : s;
}

function stepOut(s: number | bigint | null): number | string | undefined {
  if (s === null) return undefined;
  if (typeof s === 'bigint') return s.toString();
  return s;
}
