// The store's only writer. The ingester opens a transaction per file chunk (begin), feeds the
// normalized values it decoded (addValue / addWarning), then commits them together with the file's
// new byte offset (commit): a crash at any moment leaves data and offset consistent.
import { crc32 } from '@node-rs/crc32';
import type { NormalizedValue, Step } from '../tfevents/types.ts';
import { stepOf, stepToJson, type JsonStep } from '../domain/step.ts';
import type { StoreChange, ValueKind } from './types.ts';
import type { DecodedSlice } from '../ingest/slice.ts';
import { FILE_DATA_TABLES, type DB } from './schema.ts';
import type { Statement } from 'better-sqlite3';
import { ScalarAccum, CHUNK_POINTS, accumFromChunk, chunkStats, encodeChunk } from './scalar-chunk.ts';
import type { IngestSink } from './sink.ts';
import { f64Bytes, renderText, sniffContentType, tensorBytes, toJson } from './value-bytes.ts';

/** What the loader learned about a file in one read cycle; `offset` is just after the last complete record. */
export interface FileProgress {
  offset: number;
  size: number;
  mtime: number;
  ino: number;
  headLen: number;
  headCrc: number;
  records: number;
  events: number;
  corrupt: number;
  fileVersion?: string | null;
}

/** A file as the store knows it: its identity plus the progress last committed with its data. */
export interface FileRecord extends FileProgress {
  id: number;
  runId: number;
  path: string;
  rel: string;
  fileVersion: string | null;
}

interface TagInfo {
  id: number;
  runId: number;
  tag: string;
  kind: ValueKind;
  count: number;
  minStep: Step | null;
  maxStep: Step | null;
  firstWall: number | null;
  lastWall: number | null;
  plugin: string | null;
  displayName: string | null;
  description: string | null;
  accum: ScalarAccum | null;
  dirty: boolean;
  /** Whether its row exists: a new tag's row is written once, with its aggregates, at commit. */
  stored: boolean;
}

type RunTags = Map<string, TagInfo>;

export class StoreWriter implements IngestSink {
  private runIds = new Map<string, number>();
  private runNames = new Map<number, string>();
  private tags = new Map<number, RunTags>();
  private dirtyTags: TagInfo[] = [];
  private inTx = false;
  private listeners = new Set<(c: StoreChange) => void>();
  private s: ReturnType<typeof prepare>;

  constructor(readonly db: DB) {
    this.s = prepare(db);
    for (const r of this.s.allRuns.all() as { id: number; name: string }[]) {
      this.runIds.set(r.name, r.id);
      this.runNames.set(r.id, r.name);
    }
  }

  /** Subscribe to committed changes. */
  onChange(listener: (c: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(c: StoreChange): void {
    // Inside a group nothing is committed yet: readers would not see what the change announces.
    if (this.group) {
      this.group.changes.push(c);
      return;
    }
    for (const l of this.listeners) l(c);
  }

  /**
   * One transaction shared by the slices (begin ... commit) of many files, until endGroup: a
   * sweep of small runs pays the fixed cost of a commit (and of creating its runs and files) once
   * per group instead of once per file. Crash safety is the same: each file's offset is written
   * in the transaction that holds its data, so a kill loses the whole group and the next start
   * reads those files again from their committed offsets. Changes are announced at endGroup.
   */
  beginGroup(): void {
    if (this.inTx || this.group) throw new Error('store writer: transaction already open');
    this.s.begin.run();
    this.group = { changes: [], saved: new Map() };
  }

  /** Commit the open group (if any) and announce its changes. */
  endGroup(): void {
    const g = this.group;
    if (!g) return;
    if (this.inTx) throw new Error('store writer: endGroup inside a slice');
    this.s.commit.run();
    this.group = null;
    for (const c of g.changes) this.emit(c);
  }

  /** The open group, if any: changes to announce at its commit, and file states to restore if it rolls back. */
  private group: { changes: StoreChange[]; saved: Map<FileRecord, FileRecord> } | null = null;

  runNamesList(): string[] {
    return [...this.runIds.keys()];
  }
  hasRun(name: string): boolean {
    return this.runIds.has(name);
  }

  ensureRun(name: string): number {
    let id = this.runIds.get(name);
    if (id !== undefined) return id;
    id = Number(this.s.insertRun.run(name, Date.now() / 1000).lastInsertRowid);
    this.runIds.set(name, id);
    this.runNames.set(id, name);
    // A run this writer just created has no tags: no query to load them (a sweep creates thousands).
    this.tags.set(id, new Map());
    this.emit({ type: 'run-added', run: name });
    return id;
  }

  /** File records by path, cached: this is the only writer, so memory and database agree. The
   *  same object is handed out and updated by commit/resetFile. */
  private fileCache: Map<string, FileRecord> | null = null;
  private files(): Map<string, FileRecord> {
    if (!this.fileCache) {
      this.fileCache = new Map();
      for (const r of this.s.allFiles.all() as FileRow[]) this.fileCache.set(r.path, fileFromRow(r));
    }
    return this.fileCache;
  }

  getFile(path: string): FileRecord | undefined {
    return this.files().get(path);
  }

  filesOfRun(run: string): FileRecord[] {
    const id = this.runIds.get(run);
    if (id === undefined) return [];
    return [...this.files().values()].filter((f) => f.runId === id).sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  }

  /** (tag, plugin) of the run's tags that have a plugin, to seed a fresh normalizer. */
  pluginsOfRun(run: string): [string, string][] {
    const id = this.runIds.get(run);
    if (id === undefined) return [];
    // From the run's tag cache (loaded now if needed, and used by the writes that follow).
    const out = new Map<string, string>();
    for (const t of (this.tags.get(id) ?? this.loadTags(id)).values()) if (t.plugin !== null && !out.has(t.tag)) out.set(t.tag, t.plugin);
    return [...out];
  }

  allFiles(): FileRecord[] {
    return [...this.files().values()];
  }

  ensureFile(run: string, path: string, rel: string): FileRecord {
    const existing = this.getFile(path);
    if (existing) return existing;
    const runId = this.ensureRun(run);
    const id = Number(this.s.insertFile.run(runId, path, rel).lastInsertRowid);
    const rec: FileRecord = {
      id,
      runId,
      path,
      rel,
      offset: 0,
      size: 0,
      mtime: 0,
      ino: 0,
      headLen: 0,
      headCrc: 0,
      records: 0,
      events: 0,
      corrupt: 0,
      fileVersion: null,
    };
    this.files().set(path, rec);
    return rec;
  }

  isTombstoned(path: string, ino: number): boolean {
    this.hasTombstones ??= this.s.anyTombstone.get() !== undefined;
    if (!this.hasTombstones) return false;
    const r = this.s.tombstone.get(path) as { ino: number } | undefined;
    return r !== undefined && r.ino === ino;
  }

  begin(): void {
    if (this.inTx) throw new Error('store writer: transaction already open');
    if (!this.group) this.s.begin.run();
    this.inTx = true;
  }

  /** Add one normalized value read from `file` (inside begin/commit). */
  addValue(file: FileRecord, v: NormalizedValue): void {
    const info = this.tagInfo(file.runId, v.tag, v.kind, v.plugin, v.displayName, v.description);
    const step = v.step;
    const wall = v.wallTime;
    info.count++;
    if (info.minStep === null || step < info.minStep) info.minStep = step;
    if (info.maxStep === null || step > info.maxStep) info.maxStep = step;
    if (wall !== null) {
      if (info.firstWall === null || wall < info.firstWall) info.firstWall = wall;
      if (info.lastWall === null || wall > info.lastWall) info.lastWall = wall;
    }
    if (!info.dirty) {
      info.dirty = true;
      this.dirtyTags.push(info);
    }
    const d = v.data;
    const s = this.s;
    switch (d.kind) {
      case 'scalar': {
        let acc = info.accum;
        if (acc === null || acc.fileId !== file.id) acc = this.openAccum(info, file);
        acc.push(step, wall ?? NaN, d.value);
        if (acc.n === CHUNK_POINTS) {
          this.writeChunk(acc);
          acc.reuse(info.id, file.id);
        }
        return;
      }
      case 'image':
        d.images.forEach((img, idx) => {
          const blobId = this.insertBlob(file.id, sniffContentType(img.encoded), img.encoded);
          s.insertImage.run(info.id, file.id, step, wall, idx, img.width, img.height, blobId);
        });
        return;
      case 'audio': {
        const blobId = this.insertBlob(file.id, d.contentType || sniffContentType(d.encoded), d.encoded);
        s.insertAudio.run(info.id, file.id, step, wall, d.sampleRate, d.numChannels, d.lengthFrames, blobId);
        return;
      }
      case 'histogram': {
        const k = d.counts.length;
        const packed = new Float64Array(3 * k);
        packed.set(d.left, 0);
        packed.set(d.right, k);
        packed.set(d.counts, 2 * k);
        s.insertHistogram.run(info.id, file.id, step, wall, d.min, d.max, d.num, d.sum, d.sumSquares, f64Bytes(packed));
        return;
      }
      case 'text':
        s.insertText.run(info.id, file.id, step, wall, renderText(d.texts, d.shape));
        return;
      case 'pr_curve': {
        const t = d.numThresholds;
        const packed = new Float64Array(6 * t);
        [d.tp, d.fp, d.tn, d.fn, d.precision, d.recall].forEach((row, i) => packed.set(row.subarray(0, t), i * t));
        s.insertPr.run(info.id, file.id, step, wall, t, f64Bytes(packed));
        return;
      }
      case 'graph':
        s.insertGraph.run(file.runId, file.id, 'graph_def', null, step, wall, d.graphDef);
        return;
      case 'run_metadata':
        s.insertGraph.run(file.runId, file.id, 'run_metadata', d.tag, step, wall, d.runMetadata);
        return;
      case 'hparams':
        s.insertHparams.run(file.runId, file.id, d.part, step, wall, toJson(d.payload));
        return;
      case 'tensor': {
        s.insertTensor.run(info.id, file.id, step, wall, d.dtype, JSON.stringify(d.shape), tensorBytes(d.values));
        return;
      }
      case 'unknown_plugin': {
        const t = d.tensor;
        if (t) s.insertTensor.run(info.id, file.id, step, wall, t.dtype, JSON.stringify(t.shape), tensorBytes(t.values));
        else s.insertTensor.run(info.id, file.id, step, wall, -1, '[]', d.content.length ? d.content : null);
        return;
      }
      default:
        assertNever(d);
    }
  }

  /** Add a decoded slice (scalar columns + other values) read from `file` (inside begin/commit). */
  addSlice(file: FileRecord, sl: DecodedSlice): void {
    const infos = sl.scalarTags.map((m) => this.tagInfo(file.runId, m.tag, 'scalar', m.plugin, m.displayName, m.description));
    const big = sl.bigSteps ? new Map(sl.bigSteps) : null;
    const { tagIdx, steps, walls, values } = sl;
    for (let i = 0; i < sl.n; i++) {
      const info = infos[tagIdx[i]!]!;
      const step: Step = big?.get(i) ?? steps[i]!;
      const wall = walls[i]!;
      info.count++;
      if (info.minStep === null || step < info.minStep) info.minStep = step;
      if (info.maxStep === null || step > info.maxStep) info.maxStep = step;
      if (wall === wall) {
        if (info.firstWall === null || wall < info.firstWall) info.firstWall = wall;
        if (info.lastWall === null || wall > info.lastWall) info.lastWall = wall;
      }
      if (!info.dirty) {
        info.dirty = true;
        this.dirtyTags.push(info);
      }
      let acc = info.accum;
      if (acc === null || acc.fileId !== file.id) acc = this.openAccum(info, file);
      acc.push(step, wall, values[i]!);
      if (acc.n === CHUNK_POINTS) {
        // The chunk is encoded into its own blob: its columns are free for the next one.
        this.writeChunk(acc);
        acc.reuse(info.id, file.id);
      }
    }
    sl.others.forEach((v, i) => this.addValueOrWarn(file, v, sl.otherOffsets?.[i] ?? sl.from));
    for (const c of sl.corrupt) this.addWarning(file, c.offset, c.detail ? `${c.reason}: ${c.detail}` : c.reason);
  }

  /**
   * addValue for a value read from `file` at record `offset`, inside a savepoint: an error in this
   * one value (an absurd size, a value SQLite refuses) becomes a warning for its run, and the rest
   * of the slice is committed, so the file's offset moves past it. A failure of the store itself
   * (disk full, I/O error, busy) is not the value's fault: it propagates and the slice rolls back.
   */
  addValueOrWarn(file: FileRecord, v: NormalizedValue, offset: number): void {
    const s = this.s;
    const key = tagKey(v.tag, v.kind);
    const before = this.tags.get(file.runId)?.get(key);
    const saved = before
      ? {
          count: before.count,
          minStep: before.minStep,
          maxStep: before.maxStep,
          firstWall: before.firstWall,
          lastWall: before.lastWall,
          dirty: before.dirty,
          plugin: before.plugin,
          displayName: before.displayName,
          description: before.description,
        }
      : null;
    const dirtyLen = this.dirtyTags.length;
    s.savepoint.run();
    try {
      this.addValue(file, v);
      s.release.run();
    } catch (err) {
      if (isStoreFailure(err)) throw err;
      s.rollbackTo.run();
      s.release.run();
      // Undo what addValue did in memory: its tag row (if new) was rolled back with the savepoint.
      if (before && saved) Object.assign(before, saved);
      else this.tags.get(file.runId)?.delete(key);
      this.dirtyTags.length = dirtyLen;
      this.addWarning(
        file,
        offset,
        `bad-value: tag ${JSON.stringify(v.tag.slice(0, 200))}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  addWarning(file: FileRecord, offset: number, reason: string): void {
    this.s.insertWarning.run(file.runId, file.id, offset, reason, Date.now() / 1000);
    this.pendingWarnings.push(this.runNames.get(file.runId)!);
  }
  private pendingWarnings: string[] = [];
  /** Whether the tombstones table has rows (cached: most stores never have any). */
  private hasTombstones: boolean | undefined;

  /** Flush buffered points, record the file's progress and commit. Emits the change feed. */
  commit(file: FileRecord, p: FileProgress): void {
    if (!this.inTx) throw new Error('store writer: commit without begin');
    const s = this.s;
    const changed = this.dirtyTags;
    // New chunk rows and new tag rows are written with multi-row INSERTs: a sweep of small runs
    // commits ~20 of each per file, and one statement per row was most of its per-file cost.
    const newChunks: ScalarAccum[] = [];
    const newTags: TagInfo[] = [];
    for (const info of changed) {
      const acc = info.accum;
      if (acc && acc.dirty && acc.n > 0) {
        if (acc.rowId === null) newChunks.push(acc);
        else this.writeChunk(acc);
      }
      if (info.stored) s.updateTag.run(info.count, info.minStep, info.maxStep, info.firstWall, info.lastWall, info.id);
      else newTags.push(info);
    }
    this.insertChunks(newChunks);
    this.insertTags(newTags);
    s.updateFile.run(
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
    );
    if (this.group) {
      if (!this.group.saved.has(file)) this.group.saved.set(file, { ...file });
    } else s.commit.run();
    this.inTx = false;
    Object.assign(file, p, { fileVersion: p.fileVersion ?? file.fileVersion });
    this.dirtyTags = [];
    const run = this.runNames.get(file.runId)!;
    for (const info of changed) {
      info.dirty = false;
      this.emit({ type: 'data', run, tag: info.tag, kind: info.kind, maxStep: stepOut(info.maxStep) });
    }
    const warned = this.pendingWarnings;
    this.pendingWarnings = [];
    for (const w of new Set(warned)) this.emit({ type: 'warning', run: w });
  }

  /** Abandon the open transaction; in-memory caches are dropped and reloaded from the database. */
  rollback(): void {
    if (this.inTx || this.group) {
      try {
        this.s.rollback.run();
      } catch {
        /* already rolled back by SQLite */
      }
    }
    // Files committed earlier in the group go back to their last committed state.
    for (const [file, before] of this.group?.saved ?? []) Object.assign(file, before);
    this.group = null;
    this.inTx = false;
    this.dirtyTags = [];
    this.pendingWarnings = [];
    this.tags.clear();
    this.fileCache = null;
  }

  /** Drop cached partial chunks of a file (committed already); they are reloaded on the next append. */
  releaseFile(file: FileRecord): void {
    const tags = this.tags.get(file.runId);
    if (!tags) return;
    for (const info of tags.values()) {
      const acc = info.accum;
      if (acc && acc.fileId === file.id && !acc.dirty) {
        info.accum = null;
        if (this.spareAccums.length < MAX_SPARE_ACCUMS && acc.capacity <= SPARE_ACCUM_CAPACITY) this.spareAccums.push(acc);
      }
    }
  }

  /** Delete everything read from a file and rewind it to offset 0 (file replaced or truncated). */
  resetFile(file: FileRecord): void {
    this.db.transaction(() => {
      this.deleteFileData(file);
      this.s.resetFile.run(file.id);
    })();
    Object.assign(file, { offset: 0, size: 0, mtime: 0, ino: 0, headLen: 0, headCrc: 0, records: 0, events: 0, corrupt: 0 });
    this.afterDelete(file.runId);
  }

  /** Forget a file (deleted from disk). Removes its run when no file is left. */
  removeFile(file: FileRecord, tombstoneIno?: number): void {
    let runGone = false;
    this.guard(() =>
      this.db.transaction(() => {
        this.deleteFileData(file);
        this.s.deleteFile.run(file.id);
        this.files().delete(file.path);
        if (tombstoneIno !== undefined) {
          this.s.insertTombstone.run(file.path, tombstoneIno);
          this.hasTombstones = true;
        }
        runGone = this.s.countFiles.pluck().get(file.runId) === 0;
        if (runGone) this.deleteRunRows(file.runId);
      })(),
    );
    if (runGone) this.forgetRun(file.runId);
    else this.afterDelete(file.runId);
  }

  /** Remove a run and all its files' data. `tombstones` maps file path -> inode to ignore from now on. */
  removeRun(name: string, tombstones?: Map<string, number>): boolean {
    const runId = this.runIds.get(name);
    if (runId === undefined) return false;
    this.guard(() =>
      this.db.transaction(() => {
        for (const f of this.filesOfRun(name)) {
          this.deleteFileData(f);
          this.s.deleteFile.run(f.id);
          this.files().delete(f.path);
        }
        for (const [path, ino] of tombstones ?? []) {
          this.s.insertTombstone.run(path, ino);
          this.hasTombstones = true;
        }
        this.deleteRunRows(runId);
      })(),
    );
    this.forgetRun(runId);
    return true;
  }

  /** Run a transaction; if it fails, in-memory caches are dropped so they reload from the database. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fileCache = null;
      this.tags.clear();
      throw err;
    }
  }

  private forgetRun(runId: number): void {
    const name = this.runNames.get(runId)!;
    this.runIds.delete(name);
    this.runNames.delete(runId);
    this.tags.delete(runId);
    this.emit({ type: 'run-removed', run: name });
  }

  private deleteRunRows(runId: number): void {
    this.s.deleteTagsOfRun.run(runId);
    this.s.deleteRun.run(runId);
  }

  private deleteFileData(file: FileRecord): void {
    for (const t of FILE_DATA_TABLES) this.db.prepare(`DELETE FROM ${t} WHERE file_id = ?`).run(file.id);
  }

  /** Recompute tag aggregates of a run after data was deleted, drop empty tags, and notify. */
  private afterDelete(runId: number): void {
    this.tags.delete(runId);
    recomputeTags(this.db, runId);
    const run = this.runNames.get(runId);
    if (run !== undefined) this.emit({ type: 'data', run });
  }

  private tagInfo(runId: number, tag: string, kind: ValueKind, plugin: string | null, displayName?: string, description?: string): TagInfo {
    const v = { tag, kind, plugin, displayName, description };
    const tags = this.tags.get(runId) ?? this.loadTags(runId);
    const key = tagKey(v.tag, v.kind);
    let info = tags.get(key);
    if (info) {
      if (
        (info.plugin === null && v.plugin) ||
        (info.displayName === null && v.displayName) ||
        (info.description === null && v.description)
      ) {
        if (info.stored) this.s.updateTagMeta.run(v.plugin, v.displayName ?? null, v.description ?? null, info.id);
        info.plugin ??= v.plugin;
        info.displayName ??= v.displayName ?? null;
        info.description ??= v.description ?? null;
      }
      return info;
    }
    // Not in the run's tags (all loaded): a new tag. Its id is taken here (this is the only writer);
    // the row is written at commit together with its aggregates.
    this.lastTagId ??= Number(this.s.maxTagId.pluck().get() ?? 0);
    const id = ++this.lastTagId;
    info = {
      id,
      runId,
      stored: false,
      tag: v.tag,
      kind: v.kind,
      count: 0,
      minStep: null,
      maxStep: null,
      firstWall: null,
      lastWall: null,
      plugin: v.plugin,
      displayName: v.displayName ?? null,
      description: v.description ?? null,
      accum: null,
      dirty: false,
    };
    tags.set(key, info);
    return info;
  }

  /** Every tag of a run, read once when the run is first written to (one query instead of one per tag). */
  private loadTags(runId: number): RunTags {
    const tags: RunTags = new Map();
    for (const row of this.s.tagsOfRun.all(runId) as TagRow[]) {
      tags.set(tagKey(row.tag, row.kind), {
        id: Number(row.id),
        runId,
        tag: row.tag,
        kind: row.kind,
        count: Number(row.count),
        minStep: stepIn(row.min_step),
        maxStep: stepIn(row.max_step),
        firstWall: numIn(row.first_wall),
        lastWall: numIn(row.last_wall),
        plugin: row.plugin,
        displayName: row.display_name,
        description: row.description,
        accum: null,
        dirty: false,
        stored: true,
      });
    }
    this.tags.set(runId, tags);
    return tags;
  }

  /** Highest tag id given out (read once from the store). */
  private lastTagId: number | undefined;
  /** Small accumulators of files that are done, reused: a sweep opens one per tag and file. */
  private spareAccums: ScalarAccum[] = [];

  private openAccum(info: TagInfo, file: FileRecord): ScalarAccum {
    if (info.accum && info.accum.dirty && info.accum.n > 0) this.writeChunk(info.accum);
    let acc: ScalarAccum | null = null;
    // A file read before may have left a partly filled tail chunk: continue it.
    if (file.offset > 0) {
      const row = this.s.tailChunk.get(file.id, info.id) as { id: number; n: number; data: Buffer } | undefined;
      if (row && row.n < CHUNK_POINTS) acc = accumFromChunk(info.id, file.id, row.id, row.data);
    }
    acc ??= this.spareAccums.pop()?.reuse(info.id, file.id) ?? new ScalarAccum(info.id, file.id);
    info.accum = acc;
    return acc;
  }

  private writeChunk(acc: ScalarAccum): void {
    const st = chunkStats(acc);
    const data = encodeChunk(acc);
    const args = [
      st.n,
      st.minStep,
      st.maxStep,
      st.minValue,
      st.maxValue,
      st.minWall,
      st.maxWall,
      st.sorted ? 1 : 0,
      st.marks,
      data,
    ] as const;
    if (acc.rowId === null) {
      const id = this.nextChunkId();
      this.s.insertChunk.run(id, acc.tagId, acc.fileId, ...args);
      acc.rowId = id;
    } else this.s.updateChunk.run(...args, acc.rowId);
    acc.dirty = false;
  }

  /** Multi-row INSERT statements by row count (at most MULTI_ROWS rows each), prepared on first use. */
  private multiChunk = new Map<number, Statement>();
  private multiTag = new Map<number, Statement>();

  /** Highest chunk row id given out (read once from the store; this is the only writer). Ids are
   *  chosen here rather than by SQLite so that a multi-row INSERT needs no RETURNING clause (which
   *  made SQLite buffer the rows in an ephemeral table and better-sqlite3 build an object per row:
   *  issue 16 measured ~2 us per row). Rolled-back ids are not reused: gaps are harmless. */
  private lastChunkId: number | undefined;
  private nextChunkId(): number {
    this.lastChunkId ??= Number(this.s.maxChunkId.pluck().get() ?? 0);
    return ++this.lastChunkId;
  }

  /** Insert new chunk rows, many per statement, with ids chosen by this writer. */
  private insertChunks(accs: ScalarAccum[]): void {
    for (let i = 0; i < accs.length; i += MULTI_ROWS) {
      const part = accs.slice(i, i + MULTI_ROWS);
      if (part.length === 1) {
        this.writeChunk(part[0]!);
        continue;
      }
      const args: unknown[] = [];
      const first = this.nextChunkId();
      this.lastChunkId = first + part.length - 1;
      for (let k = 0; k < part.length; k++) {
        const acc = part[k]!;
        const st = chunkStats(acc);
        args.push(first + k, acc.tagId, acc.fileId, st.n, st.minStep, st.maxStep, st.minValue, st.maxValue, st.minWall, st.maxWall);
        args.push(st.sorted ? 1 : 0, st.marks, encodeChunk(acc));
      }
      multiStatement(this.db, this.multiChunk, part.length, CHUNK_INSERT_HEAD, 13, '').run(...args);
      for (let k = 0; k < part.length; k++) {
        part[k]!.rowId = first + k;
        part[k]!.dirty = false;
      }
    }
  }

  /** Write the rows of new tags (ids chosen by this writer), many per statement. */
  private insertTags(infos: TagInfo[]): void {
    for (let i = 0; i < infos.length; i += MULTI_ROWS) {
      const part = infos.slice(i, i + MULTI_ROWS);
      const args: unknown[] = [];
      for (const t of part) {
        args.push(t.id, t.runId, t.tag, t.kind, t.plugin, t.displayName, t.description);
        args.push(t.count, t.minStep, t.maxStep, t.firstWall, t.lastWall);
        t.stored = true;
      }
      multiStatement(this.db, this.multiTag, part.length, TAG_INSERT_HEAD, 12, '').run(...args);
    }
  }

  private insertBlob(fileId: number, contentType: string, bytes: Uint8Array): number {
    const etag = `${crc32(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString(16)}-${bytes.byteLength.toString(16)}`;
    return Number(this.s.insertBlob.run(fileId, contentType, etag, bytes).lastInsertRowid);
  }
}

interface FileRow {
  id: number;
  run_id: number;
  path: string;
  rel: string;
  offset: number;
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
interface TagRow {
  id: bigint;
  tag: string;
  kind: ValueKind;
  count: bigint;
  plugin: string | null;
  display_name: string | null;
  description: string | null;
  min_step: bigint | null;
  max_step: bigint | null;
  first_wall: number | null;
  last_wall: number | null;
}

/** Rows per multi-row INSERT (12-13 parameters each: far below SQLite's parameter limit). */
const MULTI_ROWS = 32;
const CHUNK_INSERT_HEAD =
  'INSERT INTO scalar_chunks(id, tag_id, file_id, n, min_step, max_step, min_value, max_value, min_wall, max_wall, sorted, marks, data) VALUES ';
const TAG_INSERT_HEAD =
  'INSERT INTO tags(id, run_id, tag, kind, plugin, display_name, description, count, min_step, max_step, first_wall, last_wall) VALUES ';

/** The INSERT of `rows` rows of `cols` parameters each, cached in `cache`. */
function multiStatement(db: DB, cache: Map<number, Statement>, rows: number, head: string, cols: number, tail: string): Statement {
  let st = cache.get(rows);
  if (!st) {
    const row = `(${Array(cols).fill('?').join(', ')})`;
    st = db.prepare(head + Array(rows).fill(row).join(', ') + tail);
    cache.set(rows, st);
  }
  return st;
}

const MAX_SPARE_ACCUMS = 1024;
const SPARE_ACCUM_CAPACITY = 64;

function fileFromRow(r: FileRow): FileRecord {
  return {
    id: r.id,
    runId: r.run_id,
    path: r.path,
    rel: r.rel,
    offset: r.offset,
    size: r.size,
    mtime: r.mtime,
    ino: r.ino,
    headLen: r.head_len,
    headCrc: r.head_crc,
    records: r.records,
    events: r.events,
    corrupt: r.corrupt,
    fileVersion: r.file_version,
  };
}

function prepare(db: DB) {
  const p = (sql: string) => db.prepare(sql);
  const tagsOfRun = p(
    `SELECT id, tag, kind, count, plugin, display_name, description, min_step, max_step, first_wall, last_wall FROM tags WHERE run_id = ?`,
  );
  tagsOfRun.safeIntegers(true); // steps past 2^53 must survive a restart
  return {
    begin: p('BEGIN IMMEDIATE'),
    commit: p('COMMIT'),
    rollback: p('ROLLBACK'),
    savepoint: p('SAVEPOINT board_value'),
    release: p('RELEASE board_value'),
    rollbackTo: p('ROLLBACK TO board_value'),
    allRuns: p('SELECT id, name FROM runs'),
    insertRun: p('INSERT INTO runs(name, created) VALUES (?, ?)'),
    deleteRun: p('DELETE FROM runs WHERE id = ?'),
    allFiles: p('SELECT * FROM files ORDER BY path'),
    countFiles: p('SELECT count(*) FROM files WHERE run_id = ?'),
    insertFile: p('INSERT INTO files(run_id, path, rel) VALUES (?, ?, ?)'),
    updateFile: p(
      `UPDATE files SET offset = ?, size = ?, mtime = ?, ino = ?, head_len = ?, head_crc = ?, records = ?, events = ?, corrupt = ?, file_version = ? WHERE id = ?`,
    ),
    resetFile: p(
      `UPDATE files SET offset = 0, size = 0, mtime = 0, ino = 0, head_len = 0, head_crc = 0, records = 0, events = 0, corrupt = 0 WHERE id = ?`,
    ),
    deleteFile: p('DELETE FROM files WHERE id = ?'),
    tombstone: p('SELECT ino FROM tombstones WHERE path = ?'),
    anyTombstone: p('SELECT 1 FROM tombstones LIMIT 1'),
    insertTombstone: p('INSERT OR REPLACE INTO tombstones(path, ino) VALUES (?, ?)'),
    tagsOfRun,
    maxTagId: p('SELECT max(id) FROM tags'),
    updateTagMeta: p(
      'UPDATE tags SET plugin = coalesce(plugin, ?), display_name = coalesce(display_name, ?), description = coalesce(description, ?) WHERE id = ?',
    ),
    updateTag: p('UPDATE tags SET count = ?, min_step = ?, max_step = ?, first_wall = ?, last_wall = ? WHERE id = ?'),
    deleteTagsOfRun: p('DELETE FROM tags WHERE run_id = ?'),
    tailChunk: p('SELECT id, n, data FROM scalar_chunks WHERE file_id = ? AND tag_id = ? ORDER BY id DESC LIMIT 1'),
    maxChunkId: p('SELECT max(id) FROM scalar_chunks'),
    insertChunk: p(
      `INSERT INTO scalar_chunks(id, tag_id, file_id, n, min_step, max_step, min_value, max_value, min_wall, max_wall, sorted, marks, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateChunk: p(
      `UPDATE scalar_chunks SET n = ?, min_step = ?, max_step = ?, min_value = ?, max_value = ?, min_wall = ?, max_wall = ?, sorted = ?, marks = ?, data = ? WHERE id = ?`,
    ),
    insertBlob: p('INSERT INTO blobs(file_id, content_type, etag, bytes) VALUES (?, ?, ?, ?)'),
    insertImage: p('INSERT INTO images(tag_id, file_id, step, wall, idx, width, height, blob_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    insertAudio: p(
      'INSERT INTO audio(tag_id, file_id, step, wall, sample_rate, channels, frames, blob_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertHistogram: p(
      'INSERT INTO histograms(tag_id, file_id, step, wall, min, max, num, sum, sum_squares, buckets) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertText: p('INSERT INTO texts(tag_id, file_id, step, wall, text) VALUES (?, ?, ?, ?, ?)'),
    insertPr: p('INSERT INTO pr_curves(tag_id, file_id, step, wall, thresholds, data) VALUES (?, ?, ?, ?, ?, ?)'),
    insertTensor: p('INSERT INTO tensors(tag_id, file_id, step, wall, dtype, shape, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    insertGraph: p('INSERT INTO graphs(run_id, file_id, source, tag, step, wall, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    insertHparams: p('INSERT INTO hparams(run_id, file_id, part, step, wall, payload) VALUES (?, ?, ?, ?, ?, ?)'),
    insertWarning: p('INSERT INTO warnings(run_id, file_id, offset, reason, time) VALUES (?, ?, ?, ?, ?)'),
  };
}

/** Recompute count / step range / wall range of every tag of a run from the remaining rows. */
function recomputeTags(db: DB, runId: number): void {
  const tags = db.prepare('SELECT id, tag, kind FROM tags WHERE run_id = ?').all(runId) as { id: number; tag: string; kind: ValueKind }[];
  const update = db.prepare('UPDATE tags SET count = ?, min_step = ?, max_step = ?, first_wall = ?, last_wall = ? WHERE id = ?');
  const del = db.prepare('DELETE FROM tags WHERE id = ?');
  db.transaction(() => {
    for (const t of tags) {
      const table = tableOfKind(t.kind);
      let row: { c: number; lo: number | null; hi: number | null; w0: number | null; w1: number | null } | undefined;
      if (table === 'scalar_chunks')
        row = db
          .prepare(
            `SELECT sum(n) c, min(min_step) lo, max(max_step) hi, min(min_wall) w0, max(max_wall) w1 FROM scalar_chunks WHERE tag_id = ?`,
          )
          .get(t.id) as typeof row;
      else if (table === 'graphs') {
        const source = t.kind === 'graph' ? 'graph_def' : 'run_metadata';
        row = db
          .prepare(
            `SELECT count(*) c, min(step) lo, max(step) hi, min(wall) w0, max(wall) w1 FROM graphs
          WHERE run_id = ? AND source = ? AND (? = 'graph_def' OR tag = ?)`,
          )
          .get(runId, source, source, t.tag) as typeof row;
      } else if (table === 'hparams') {
        // The three hparams tags hold the three payload parts (PyTorch and TF2 name them alike).
        const part = t.tag.endsWith('session_start_info')
          ? 'session_start'
          : t.tag.endsWith('session_end_info')
            ? 'session_end'
            : 'experiment';
        row = db
          .prepare(
            `SELECT count(*) c, min(step) lo, max(step) hi, min(wall) w0, max(wall) w1 FROM hparams
          WHERE run_id = ? AND part = ?`,
          )
          .get(runId, part) as typeof row;
      } else {
        // Images count per event (several images of one event share its step).
        const count = table === 'images' ? "count(DISTINCT step || ':' || coalesce(wall, ''))" : 'count(*)';
        row = db
          .prepare(`SELECT ${count} c, min(step) lo, max(step) hi, min(wall) w0, max(wall) w1 FROM ${table} WHERE tag_id = ?`)
          .get(t.id) as typeof row;
      }
      if (!row || !row.c) del.run(t.id);
      else update.run(row.c, row.lo, row.hi, row.w0, row.w1, t.id);
    }
  })();
}

function tableOfKind(kind: ValueKind): string {
  switch (kind) {
    case 'scalar':
      return 'scalar_chunks';
    case 'image':
      return 'images';
    case 'audio':
      return 'audio';
    case 'histogram':
      return 'histograms';
    case 'text':
      return 'texts';
    case 'pr_curve':
      return 'pr_curves';
    case 'graph':
    case 'run_metadata':
      return 'graphs';
    case 'hparams':
      return 'hparams';
    case 'tensor':
    case 'unknown_plugin':
      return 'tensors';
    default:
      return assertNever(kind);
  }
}

function stepIn(s: bigint | null): Step | null {
  return s === null ? null : stepOf(s);
}
function numIn(x: number | bigint | null): number | null {
  return x === null ? null : Number(x);
}

export function stepOut(s: Step | null): JsonStep | undefined {
  return s === null ? undefined : stepToJson(s);
}

/** Key of a tag in the per-run cache (scalars, the common case, by their name alone). */
function tagKey(tag: string, kind: ValueKind): string {
  return kind === 'scalar' ? tag : `${kind}\u0000${tag}`;
}

/** An error of the store itself (full disk, I/O, locking), as opposed to one value it refused. */
export function isStoreFailure(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return false;
  return !(code === 'SQLITE_TOOBIG' || code === 'SQLITE_MISMATCH' || code === 'SQLITE_RANGE' || code.startsWith('SQLITE_CONSTRAINT'));
}

function assertNever(x: never): never {
  throw new Error(`store writer: unhandled value kind ${JSON.stringify(x)}`);
}
