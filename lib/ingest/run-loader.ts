// Incremental reading of one event file into the store. Each read cycle starts at the file's
// stored offset, decodes slices of new bytes, and commits each slice's values together with the
// offset after its last complete record. A file that was truncated or replaced (smaller than the
// stored offset, another inode, or different first bytes) is forgotten and read again from the
// start, so nothing is counted twice.
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { crc32 } from '@node-rs/crc32';
import { decodeEventBuffer, RunNormalizer } from '../tfevents/index.ts';
import type { FileRecord, StoreWriter } from '../store/writer.ts';
import type { EventFileTarget } from './logdir.ts';

/** Bytes decoded per transaction. Large enough to amortize commits, small enough to keep RSS low
 *  and to let the event loop breathe between slices. */
export const SLICE_BYTES = 8 << 20;
/** Bytes at the start of a file whose CRC identifies it (to notice in-place rewrites). */
const HEAD_BYTES = 4096;

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

  constructor(private readonly writer: StoreWriter, private readonly sliceBytes = SLICE_BYTES) {}

  normalizerOf(run: string): RunNormalizer {
    let n = this.normalizers.get(run);
    if (!n) {
      n = new RunNormalizer();
      // After a restart, tags whose plugin metadata was read before must keep their meaning.
      for (const [tag, plugin] of this.writer.pluginsOfRun(run)) n.rememberPlugin(tag, plugin);
      this.normalizers.set(run, n);
    }
    return n;
  }

  forgetRun(run: string): void { this.normalizers.delete(run); }

  /**
   * Bring the store up to date with one file. `onSlice` reports progress after each commit;
   * `yieldFn` is awaited between slices so a long first read does not block the event loop.
   */
  async sync(
    t: EventFileTarget, onSlice?: (bytes: number, events: number) => void, yieldFn?: () => Promise<void>,
    known?: FileRecord | null,
  ): Promise<SyncResult> {
    const w = this.writer;
    let rec = known === undefined ? w.getFile(t.path) : known ?? undefined;
    let st: Stats;
    try { st = statSync(t.path); } catch (err) {
      if (!isGone(err)) throw err;
      return this.gone(t, rec);
    }
    if (!st.isFile()) return { bytes: 0, events: 0, values: 0, status: 'skipped' };
    // The common case of a re-scan: nothing changed, so not even an open().
    if (rec && rec.offset > 0 && rec.ino === st.ino && rec.size === st.size && rec.mtime === st.mtimeMs) {
      return { bytes: 0, events: 0, values: 0, status: 'unchanged' };
    }
    if (!rec && w.isTombstoned(t.path, st.ino)) return { bytes: 0, events: 0, values: 0, status: 'skipped' };
    let fd: number;
    try { fd = openSync(t.path, 'r'); } catch (err) {
      if (!isGone(err)) throw err;
      return this.gone(t, rec);
    }
    try {
      st = fstatSync(fd);
      let status: SyncResult['status'] = 'read';
      if (rec && rec.offset > 0 && (rec.ino !== st.ino || st.size < rec.offset || !headMatches(fd, rec))) {
        w.resetFile(rec);
        status = 'reset';
      }
      rec ??= w.ensureFile(t.run, t.path, t.rel);
      const r = await this.readNew(fd, st, rec, t.run, onSlice, yieldFn);
      return { ...r, status: r.bytes === 0 && status === 'read' ? 'unchanged' : status };
    } finally {
      closeSync(fd);
    }
  }

  private gone(t: EventFileTarget, rec: FileRecord | undefined): SyncResult {
    if (!rec) return { bytes: 0, events: 0, values: 0, status: 'skipped' };
    this.writer.removeFile(rec);
    if (!this.writer.hasRun(t.run)) this.forgetRun(t.run);
    return { bytes: 0, events: 0, values: 0, status: 'removed' };
  }

  private async readNew(
    fd: number, st: Stats, rec: FileRecord, run: string,
    onSlice?: (bytes: number, events: number) => void, yieldFn?: () => Promise<void>,
  ): Promise<Omit<SyncResult, 'status'>> {
    const w = this.writer;
    const normalizer = this.normalizerOf(run);
    let bytes = 0, events = 0, values = 0;
    let sliceBytes = this.sliceBytes;
    let buf = Buffer.allocUnsafe(Math.min(sliceBytes, Math.max(0, st.size - rec.offset)));
    // Keep reading while the file grows under us; stop at a truncated tail (the writer will finish it).
    for (;;) {
      const cur = fstatSync(fd);
      const size = cur.size;
      const from = rec.offset;
      const want = Math.min(sliceBytes, size - from);
      if (want <= 0) break;
      if (buf.length < want) buf = Buffer.allocUnsafe(want);
      const got = readFully(fd, buf, want, from);
      const view = buf.subarray(0, got);
      let n = 0;
      w.begin();
      let res;
      try {
        res = decodeEventBuffer(view, {
          file: rec.rel, baseOffset: from, normalizer,
          onValue: (v) => { w.addValue(rec, v); n++; },
        });
        for (const c of res.corrupt) w.addWarning(rec, c.offset, c.reason);
        let headLen = rec.headLen, headCrc = rec.headCrc;
        if (from === 0 && headLen === 0 && res.endOffset > 0) {
          headLen = Math.min(HEAD_BYTES, res.endOffset);
          headCrc = crc32(view.subarray(0, headLen));
        }
        w.commit(rec, {
          offset: res.endOffset, size, mtime: cur.mtimeMs, ino: cur.ino, headLen, headCrc,
          records: rec.records + res.records, events: rec.events + res.events, corrupt: rec.corrupt + res.corrupt.length,
          fileVersion: res.fileVersion ?? rec.fileVersion,
        });
      } catch (err) {
        w.rollback();
        throw err;
      }
      const consumed = res.endOffset - from;
      bytes += consumed; events += res.events; values += n;
      onSlice?.(consumed, res.events);
      if (consumed === 0) {
        // One record larger than the slice: read more at once. Otherwise a truncated tail: wait.
        if (res.incompleteBytes === got && got === sliceBytes) { sliceBytes *= 2; continue; }
        break;
      }
      if (yieldFn) await yieldFn();
    }
    w.releaseFile(rec);
    return { bytes, events, values };
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

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function headMatches(fd: number, rec: FileRecord): boolean {
  if (rec.headLen === 0) return true;
  const b = Buffer.allocUnsafe(rec.headLen);
  if (readFully(fd, b, rec.headLen, 0) !== rec.headLen) return false;
  return crc32(b) === rec.headCrc;
}
