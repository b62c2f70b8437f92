// Incremental reading of one event file into the store. Each read cycle starts at the file's
// stored offset, decodes slices of new bytes, and commits each slice's values together with the
// offset after its last complete record. A file that was truncated or replaced (smaller than the
// stored offset, another inode, or different first bytes) is forgotten and read again from the
// start, so nothing is counted twice.
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { crc32 } from '@node-rs/crc32';
import { RunNormalizer } from '../tfevents/normalize.ts';
import { decodeSlice, type DecodedSlice } from './slice.ts';
import { DecodePool } from './decode-pool.ts';
import type { ReadJob } from './decode-worker.ts';
import type { FileProgress, FileRecord } from '../store/writer.ts';
import type { IngestSink } from '../store/sink.ts';
import { remoteFilesFor, type RemoteFiles } from '../sources/remote.ts';
import type { EventFileEntry as EventFileTarget } from '../discovery/index.ts';

/** Bytes decoded per transaction. Large enough to amortize commits, small enough to keep RSS low
 *  and to let the event loop breathe between slices. */
export const SLICE_BYTES = 8 << 20;

/** Total new bytes above which the initial scan decodes in a worker thread ('auto'). */
export const WORKER_MIN_BYTES = 16 << 20;

const WORKER_SLICE_BYTES = 4 << 20;
/** Read buffers up to this size are kept for the next file (a full slice's buffer is not held). */
const SPARE_BUFFER_BYTES = 1 << 20;

/** Mean new bytes per file below which the worker is not used ('auto'). */
export const WORKER_MIN_FILE_BYTES = 1 << 20;

/**
 * Whether decoding in a worker thread is worth it ('auto'). Measured (bench/vs-rustboard.ts,
 * bench/RESULTS.md): with a free second core it overlaps decoding with the SQLite writes and
 * cuts wall time ~1.4x on big files; with no free core (load 20 on 2 cores) it cost 20-40% more
 * CPU and wall time. On a sweep of 2,000 small files, with slices now sent in batches
 * (decode-worker.ts), the main thread's CPU falls from ~0.9 s to ~0.6 s (the worker takes ~0.4 s)
 * but the process spends 0.2-0.4 CPU-s more, and with one core busy elsewhere (load 2.6-3.2 on 2
 * cores) wall time was 5 % better in one sitting and 10-20 % worse in the next: not shown to pay
 * on an idle machine either, so sweeps stay in-process unless forced. So: a large backlog, of
 * large files, and a core nobody is using. BOARD_DECODE_WORKER=1 (or 0) decides instead.
 */
function workerPays(backlog: number, files: number): boolean {
  const forced = process.env.BOARD_DECODE_WORKER;
  if (forced === '1' || forced === '0') return forced === '1';
  if (backlog < WORKER_MIN_BYTES || backlog / files < WORKER_MIN_FILE_BYTES) return false;
  return loadavg()[0]! < availableParallelism() - 0.5;
}

interface Prepared {
  t: EventFileTarget;
  rec: FileRecord;
  status: SyncResult['status'];
  size: number;
}

export interface SyncResult {
  /** Bytes consumed this cycle. */
  bytes: number;
  events: number;
  values: number;
  /** 'reset' when the file was re-read from the start, 'removed' when it is gone. */
  status: 'unchanged' | 'read' | 'reset' | 'removed' | 'skipped';
}

export class RunLoader {
  private normalizers = new Map<string, RunNormalizer>();
  /** Read buffers of files already read, for the next file (see readNew). */
  private spareBuffers: Buffer[] = [];
  private pool: DecodePool | null = null;
  /** Bytes read from event files by this loader in-process (tests check that waiting reads nothing). */
  bytesRead = 0;
  /** Files whose tail record is incomplete: the size they must reach before a read is worth it. */
  private waits = new Map<string, { ino: number; offset: number; size: number }>();

  constructor(
    private readonly writer: IngestSink,
    private readonly sliceBytes = SLICE_BYTES,
  ) {}

  async normalizerOf(run: string): Promise<RunNormalizer> {
    let n = this.normalizers.get(run);
    if (!n) {
      n = new RunNormalizer();
      // After a restart, tags whose plugin metadata was read before must keep their meaning.
      for (const [tag, plugin] of await this.writer.pluginsOfRun(run)) n.rememberPlugin(tag, plugin);
      this.normalizers.set(run, n);
    }
    return n;
  }

  forgetRun(run: string): void {
    this.normalizers.delete(run);
  }

  /**
   * Bring the store up to date with one file. `onSlice` reports progress after each commit;
   * `yieldFn` is awaited between slices so a long first read does not block the event loop.
   */
  async sync(
    t: EventFileTarget,
    onSlice?: (bytes: number, events: number) => void,
    yieldFn?: () => Promise<void>,
    known?: FileRecord | null,
  ): Promise<SyncResult> {
    const p = await this.prepare(t, known === undefined ? this.writer.getFile(t.path) : known);
    if ('result' in p) return p.result;
    const r = await this.readInProcess(p, onSlice, yieldFn);
    return { ...r, status: r.bytes === 0 && p.status === 'read' ? 'unchanged' : p.status };
  }

  /**
   * Bring many files up to date (the initial scan). With a large backlog, files are read and
   * decoded in a worker thread while this thread commits the previous slice.
   */
  async syncMany(
    targets: EventFileTarget[],
    known: Map<string, FileRecord>,
    useWorker: boolean | 'auto',
    onSlice?: (bytes: number, events: number) => void,
    yieldFn?: () => Promise<void>,
  ): Promise<{ bytes: number; events: number }> {
    const w = this.writer;
    // The whole scan runs in groups of slices that share a transaction (see IngestSink.beginGroup).
    if (w.beginGroup && w.endGroup) {
      await w.beginGroup();
      this.grouping = { bytes: 0 };
    }
    try {
      const done = await this.syncManyGrouped(targets, known, useWorker, onSlice, yieldFn);
      if (this.grouping) {
        this.grouping = null;
        await w.endGroup!();
      }
      return done;
    } catch (err) {
      if (this.grouping) {
        this.grouping = null;
        await w.rollback();
      }
      throw err;
    }
  }

  /** Open group of the initial scan: bytes committed into it so far. */
  private grouping: { bytes: number } | null = null;
  /** Set when a group rolled back: files created in it are gone, so the scan must stop (the next one starts afresh from the store). */
  private groupLost = false;

  private async syncManyGrouped(
    targets: EventFileTarget[],
    known: Map<string, FileRecord>,
    useWorker: boolean | 'auto',
    onSlice?: (bytes: number, events: number) => void,
    yieldFn?: () => Promise<void>,
  ): Promise<{ bytes: number; events: number }> {
    this.groupLost = false;
    const jobs: Prepared[] = [];
    let backlog = 0;
    let warmed = false;
    for (const t of targets) {
      let p: Awaited<ReturnType<RunLoader['prepare']>>;
      try {
        p = await this.prepare(t, known.get(t.path) ?? null);
      } catch (err) {
        reportFileError(t, err);
        continue;
      }
      if ('result' in p) continue;
      jobs.push(p);
      backlog += Math.max(0, p.size - p.rec.offset);
      // Start the worker as soon as it will be used: its start (~60 ms) overlaps the rest of this loop.
      if (
        !warmed &&
        useWorker !== false &&
        backlog >= WORKER_MIN_BYTES &&
        !isRemotePath(t.path) &&
        (useWorker === true || workerPays(backlog, jobs.length))
      ) {
        warmed = true;
        (this.pool ??= new DecodePool()).warm();
      }
    }
    let bytes = 0,
      events = 0;
    const count = (b: number, e: number) => {
      bytes += b;
      events += e;
      onSlice?.(b, e);
    };
    // The worker reads local files; object-store files are fetched and decoded here.
    const anyRemote = jobs.some((j) => isRemotePath(j.t.path));
    if (jobs.length && !anyRemote && (useWorker === true || (useWorker === 'auto' && workerPays(backlog, jobs.length)))) {
      this.pool ??= new DecodePool();
      if (this.pool.available) {
        try {
          await this.readInWorker(jobs, count);
          return { bytes, events };
        } catch (err) {
          // Committed slices stay; carry on in-process from each file's committed offset.
          // A failure of the store stops the scan; anything else (a worker that died, one file's
          // error) must not: the files go on in-process, each failing alone at worst, and the
          // watcher starts.
          if (this.closing) return { bytes, events };
          if (isStoreError(err) || this.groupLost) throw err;
          console.error(`board ingest: ${(err as Error).message}; decoding in-process`);
        } finally {
          for (const j of jobs) this.forgetRun(j.t.run); // re-seeded from the store on next use
        }
      }
    }
    for (const p of jobs) {
      if (this.closing) break;
      // One unreadable file (permissions, I/O error) must not stop the others; a store error does.
      try {
        await this.readInProcess(p, count, yieldFn);
      } catch (err) {
        if (isStoreError(err) || this.groupLost) throw err;
        reportFileError(p.t, err);
      }
    }
    return { bytes, events };
  }

  /** Stop reading (between slices) and stop the worker; used when the ingester closes. */
  async close(): Promise<void> {
    this.closing = true;
    await this.pool?.close();
  }
  private closing = false;

  /** Stat a file and decide: nothing to do (result), or read from rec.offset (after a reset if needed). */
  private async prepare(t: EventFileTarget, known: FileRecord | null | undefined): Promise<Prepared | { result: SyncResult }> {
    const w = this.writer;
    let rec = known ?? undefined;
    const remote = await remoteFilesFor(t.path);
    let st: Pick<Stats, 'size' | 'mtimeMs' | 'ino' | 'isFile'>;
    if (remote) {
      // An object: its state in this poll's listing (no request).
      const rs = remote.stat(t.path);
      if (!rs) return { result: await this.gone(t, rec) };
      st = { size: rs.size, mtimeMs: rs.mtimeMs, ino: rs.ino, isFile: () => true };
    } else {
      try {
        st = statSync(t.path);
      } catch (err) {
        if (!isGone(err)) throw err;
        return { result: await this.gone(t, rec) };
      }
    }
    const none = (status: SyncResult['status']) => ({ result: { bytes: 0, events: 0, values: 0, status } });
    if (!st.isFile()) return none('skipped');
    // A shared store: another ingester may own this file (claim refreshes rec when it is ours).
    if (rec && w.claim && !(await w.claim(rec))) return none('skipped');
    // The common case of a re-scan: nothing changed, so not even an open().
    if (rec && rec.offset > 0 && rec.ino === st.ino && rec.size === st.size && rec.mtime === st.mtimeMs) return none('unchanged');
    if (!rec) {
      if (await w.isTombstoned(t.path, st.ino)) return none('skipped');
      rec = await w.ensureFile(t.run, t.path, t.rel);
      if (w.claim) {
        if (!(await w.claim(rec))) return none('skipped');
        // Claiming refreshed the record: a previous owner may have read this file already.
        if (rec.offset > 0 && rec.ino === st.ino && rec.size === st.size && rec.mtime === st.mtimeMs) return none('unchanged');
      }
    }
    // A record header whose data has not all arrived: wait for the file to grow that far (a header
    // claiming a huge length must not make every change event re-read a growing tail).
    const wait = this.waits.get(t.path);
    if (wait) {
      if (rec && rec.ino === st.ino && rec.offset === wait.offset && wait.ino === st.ino && st.size >= rec.offset && st.size < wait.size)
        return none('unchanged');
      this.waits.delete(t.path);
    }
    let status: SyncResult['status'] = 'read';
    // Objects get a new ETag (ino) whenever they are rewritten, appends included: one that did not
    // grow was replaced; one that grew is an append when its first bytes are unchanged.
    const replaced = remote
      ? rec.offset > 0 &&
        (st.size < rec.offset ||
          (rec.ino !== st.ino && st.size <= Math.max(rec.size, rec.offset)) ||
          !(await remoteHeadMatches(remote, t.path, rec)))
      : rec.offset > 0 && (rec.ino !== st.ino || st.size < rec.offset || !headMatches(t.path, rec));
    if (replaced) {
      await w.resetFile(rec);
      status = 'reset';
    }
    return { t, rec, status, size: st.size };
  }

  private async readInProcess(p: Prepared, onSlice?: (bytes: number, events: number) => void, yieldFn?: () => Promise<void>) {
    const remote = await remoteFilesFor(p.t.path);
    if (remote) {
      const rs = remote.stat(p.t.path)!;
      const stat = { size: rs.size, mtimeMs: rs.mtimeMs, ino: rs.ino };
      const source: ByteSource = {
        stat: () => stat,
        read: async (buf, len, pos) => {
          const b = await remote.read(p.t.path, pos, len);
          buf.set(b, 0);
          return b.length;
        },
        fixedSize: true,
      };
      return this.readNew(source, p.rec, p.t.run, onSlice, yieldFn);
    }
    let fd: number;
    try {
      fd = openSync(p.t.path, 'r');
    } catch (err) {
      if (!isGone(err)) throw err;
      await this.gone(p.t, p.rec);
      return { bytes: 0, events: 0, values: 0 };
    }
    const source: ByteSource = { stat: () => fstatSync(fd), read: async (buf, len, pos) => readFully(fd, buf, len, pos) };
    try {
      return await this.readNew(source, p.rec, p.t.run, onSlice, yieldFn);
    } finally {
      closeSync(fd);
    }
  }

  private async readInWorker(jobs: Prepared[], count: (bytes: number, events: number) => void): Promise<void> {
    const w = this.writer;
    const seeds: Record<string, [string, string][]> = {};
    for (const j of jobs) seeds[j.t.run] ??= await w.pluginsOfRun(j.t.run);
    const readJobs: ReadJob[] = jobs.map((j, file) => ({ file, run: j.t.run, path: j.t.path, rel: j.rec.rel, from: j.rec.offset }));
    // Smaller slices than in-process: two are in flight, and they cross the thread boundary.
    await this.pool!.run(
      readJobs,
      Math.min(this.sliceBytes, WORKER_SLICE_BYTES),
      seeds,
      async (file, sl) => {
        const rec = jobs[file]!.rec;
        if (sl.from !== rec.offset) throw new Error(`ingest: ${rec.rel}: slice at ${sl.from} but the store is at ${rec.offset}`);
        await this.commitSlice(rec, sl);
        count(sl.endOffset - sl.from, sl.events);
      },
      (file, error) => {
        w.releaseFile(jobs[file]!.rec);
        if (error) console.error(`board ingest: ${jobs[file]!.rec.rel}: ${error}`);
      },
    );
  }

  /** Write one slice with the file's new offset in one transaction (or into the open group). */
  private async commitSlice(rec: FileRecord, sl: DecodedSlice): Promise<void> {
    const w = this.writer;
    await w.begin(rec);
    try {
      await w.addSlice(rec, sl);
      await w.commit(rec, progressAfter(rec, sl));
    } catch (err) {
      if (this.grouping) {
        this.grouping = null;
        this.groupLost = true;
      }
      await w.rollback();
      throw err;
    }
    const g = this.grouping;
    if (g && (g.bytes += sl.endOffset - sl.from) >= this.sliceBytes) {
      // Bound a group like a slice: commit it and open the next one.
      g.bytes = 0;
      this.grouping = null;
      await w.endGroup!();
      await w.beginGroup!();
      this.grouping = g;
    }
  }

  private async gone(t: EventFileTarget, rec: FileRecord | undefined): Promise<SyncResult> {
    if (!rec) return { bytes: 0, events: 0, values: 0, status: 'skipped' };
    await this.writer.removeFile(rec);
    if (!this.writer.hasRun(t.run)) this.forgetRun(t.run);
    return { bytes: 0, events: 0, values: 0, status: 'removed' };
  }

  private async readNew(
    src: ByteSource,
    rec: FileRecord,
    run: string,
    onSlice?: (bytes: number, events: number) => void,
    yieldFn?: () => Promise<void>,
  ): Promise<Omit<SyncResult, 'status'>> {
    const w = this.writer;
    const normalizer = await this.normalizerOf(run);
    let bytes = 0,
      events = 0,
      values = 0;
    let sliceBytes = this.sliceBytes;
    // A read buffer from the previous file when there is one: a sweep reads thousands of small
    // files, and a fresh buffer each was external memory for the GC to account (issue 16). Safe
    // because decoding copies whatever it keeps (decodeEventBuffer: values own their bytes).
    let buf = this.spareBuffers.pop() ?? Buffer.allocUnsafe(0);
    // Keep reading while the file grows under us; stop at a truncated tail (the writer will finish it).
    for (;;) {
      if (this.closing) break;
      const cur = src.stat();
      const size = cur.size;
      const from = rec.offset;
      const want = Math.min(sliceBytes, size - from);
      if (want <= 0) break;
      if (buf.length < want) buf = Buffer.allocUnsafe(want);
      const got = await src.read(buf, want, from);
      this.bytesRead += got;
      const view = buf.subarray(0, got);
      const res = decodeSlice(view, from, rec.rel, normalizer, cur);
      await this.commitSlice(rec, res);
      const n = res.n + res.others.length;
      const consumed = res.endOffset - from;
      bytes += consumed;
      events += res.events;
      values += n;
      onSlice?.(consumed, res.events);
      // An object does not grow while we read it: a half-written last record waits for the next poll.
      if (src.fixedSize && res.endOffset + res.incompleteBytes >= size) break;
      if (consumed === 0) {
        // One record larger than the slice, all there: read exactly it (bounded by MAX_RECORD_BYTES).
        if (res.needBytes > got && size - from >= res.needBytes) {
          sliceBytes = res.needBytes;
          continue;
        }
        // A truncated tail: no use reading it again before the file holds all of the record.
        // Or once the unread tail has doubled (at least 64 KiB): a header that lies about its length
        // is then found out by the records appended after it (record.ts), and each byte is read
        // O(1) times on average whatever the header claims.
        if (res.needBytes > got) {
          const look = from + Math.min(res.needBytes, Math.max(2 * got, got + (64 << 10)));
          this.waits.set(rec.path, { ino: cur.ino, offset: from, size: look });
        }
        break;
      }
      if (yieldFn) await yieldFn();
    }
    if (buf.length > 0 && buf.length <= SPARE_BUFFER_BYTES && this.spareBuffers.length < 2) this.spareBuffers.push(buf);
    w.releaseFile(rec);
    return { bytes, events, values };
  }
}

/** Where readNew gets bytes: a local file descriptor, or an object read with ranged GETs. */
interface ByteSource {
  /** Current size (a local file may grow while it is read; an object is as listed). */
  stat(): { size: number; mtimeMs: number; ino: number };
  read(buf: Buffer, len: number, pos: number): Promise<number>;
  /** The size cannot change during this read (an object): stop as soon as its end is reached. */
  fixedSize?: boolean;
}

function isRemotePath(path: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(path);
}

/** The object's first bytes are still the ones read before (one small ranged GET, made only for a changed object). */
async function remoteHeadMatches(remote: RemoteFiles, url: string, rec: FileRecord): Promise<boolean> {
  if (rec.headLen === 0) return true;
  try {
    return crc32(await remote.read(url, 0, rec.headLen)) === rec.headCrc;
  } catch {
    return false;
  }
}

function readFully(fd: number, buf: Buffer, len: number, pos: number): number {
  let got = 0;
  while (got < len) {
    const k = readSync(fd, buf, got, len - got, pos + got);
    if (k === 0) break;
    got += k;
  }
  return got;
}

/** The file's state once `sl` is committed. */
export function progressAfter(rec: FileRecord, sl: DecodedSlice): FileProgress {
  const first = rec.headLen === 0 && sl.headLen > 0;
  // size/mtime let a re-scan skip the file without reading it, so they are only recorded when
  // this slice reached the end of the file; a slice cut by the slice limit must not look "done"
  // (a restart after a kill between two slices would otherwise skip the rest of the file).
  const reachedEnd = sl.endOffset + sl.incompleteBytes >= sl.size;
  return {
    offset: sl.endOffset,
    size: reachedEnd ? sl.size : -1,
    mtime: sl.mtimeMs,
    ino: sl.ino,
    headLen: first ? sl.headLen : rec.headLen,
    headCrc: first ? sl.headCrc : rec.headCrc,
    records: rec.records + sl.records,
    events: rec.events + sl.events,
    corrupt: rec.corrupt + sl.corrupt.length,
    fileVersion: sl.fileVersion ?? rec.fileVersion,
  };
}

function reportFileError(t: EventFileTarget, err: unknown): void {
  console.error(`board ingest: ${t.rel}: ${(err as Error).message} (skipped; retried on the next change)`);
}

/** A database error (SQLite's codes, or a PostgreSQL error, which carries a severity): it stops the scan. */
function isStoreError(err: unknown): boolean {
  const e = err as { code?: string; severity?: string };
  return e.code?.startsWith('SQLITE') === true || typeof e.severity === 'string';
}

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function headMatches(path: string, rec: FileRecord): boolean {
  if (rec.headLen === 0) return true;
  const b = Buffer.allocUnsafe(rec.headLen);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    if (readFully(fd, b, rec.headLen, 0) !== rec.headLen) return false;
  } finally {
    closeSync(fd);
  }
  return crc32(b) === rec.headCrc;
}
