// One event file being written: PyTorch's EventFileWriter + RecordWriter, synchronous. Events are
// queued already framed; flush() appends the whole queue with ONE write (O_APPEND) and, by
// default, fsyncs, so a crash leaves the file readable up to its last complete record.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { encodeEvent } from './event-encode.ts';
import { framedSize, writeRecordInto } from './record.ts';

/** Written into Event.source_metadata of the first record, like TensorBoard's writer does. */
export const SOURCE_WRITER = 'board.tfevents';

export interface EventFileWriterOptions {
  /** Events queued before a flush is forced (PyTorch: max_queue=10). */
  maxQueue?: number;
  /** Seconds between automatic flushes (PyTorch: flush_secs=120). */
  flushSecs?: number;
  filenameSuffix?: string;
  /**
   * fsync on explicit flush() and close() (default true), so flushed events survive power loss too.
   * Automatic flushes (queue full, flushSecs timer) only hand the bytes to the OS, as PyTorch does:
   * that survives a crash of the process, and keeps logging loops fast.
   */
  fsync?: boolean;
}

/** Per-process counter so several writers in one process never pick the same file name. */
let globalUid = 0;

const open = new Set<EventFileWriter>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Flush what is queued when the process ends normally (a crash loses at most the queue).
  process.on('exit', () => {
    for (const w of open) {
      try {
        w.flush(false);
      } catch {
        /* best effort */
      }
    }
  });
}

/** events.out.tfevents.<10-digit secs>.<host>.<pid>.<n><suffix>, as PyTorch names them. */
export function eventFileName(secs: number, suffix = ''): string {
  return `events.out.tfevents.${String(Math.floor(secs)).padStart(10, '0')}.${hostname()}.${process.pid}.${globalUid++}${suffix}`;
}

export class EventFileWriter {
  readonly logDir: string;
  readonly path: string;
  private fd: number | null;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private readonly maxQueue: number;
  private readonly fsync: boolean;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(logDir: string, opts: EventFileWriterOptions = {}) {
    this.logDir = logDir;
    this.maxQueue = opts.maxQueue ?? 10;
    this.fsync = opts.fsync ?? true;
    mkdirSync(logDir, { recursive: true });
    const now = Date.now() / 1000;
    this.path = join(logDir, eventFileName(now, opts.filenameSuffix ?? ''));
    // 'ax': exclusive create, so two writers can never share a file even if names collided.
    this.fd = openSync(this.path, 'ax');
    open.add(this);
    installExitHook();
    this.addEvent(encodeEvent({ wallTime: now, fileVersion: 'brain.Event:2', sourceWriter: SOURCE_WRITER }));
    this.flush(false);
    const secs = opts.flushSecs ?? 120;
    if (secs > 0 && Number.isFinite(secs)) {
      this.timer = setInterval(() => this.flush(false), secs * 1000);
      this.timer.unref();
    }
  }

  /** Queues one serialized Event; flushes when the queue is full. */
  addEvent(event: Uint8Array): void {
    if (this.fd === null) throw new Error(`EventFileWriter: ${this.path} is closed`);
    this.queue.push(event);
    this.queuedBytes += framedSize(event.length);
    if (this.queue.length >= this.maxQueue) this.flush(false);
  }

  /** Appends every queued event to the file in one write, then fsyncs (when `sync`, default: the fsync option). */
  flush(sync = this.fsync): void {
    if (this.fd === null || this.queue.length === 0) return;
    const out = new Uint8Array(this.queuedBytes);
    let pos = 0;
    for (const e of this.queue) pos = writeRecordInto(out, pos, e);
    let written = 0;
    while (written < out.length) written += writeSync(this.fd, out, written, out.length - written);
    this.queue = [];
    this.queuedBytes = 0;
    if (sync) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    if (this.timer) clearInterval(this.timer);
    closeSync(this.fd);
    this.fd = null;
    open.delete(this);
  }

  get closed(): boolean {
    return this.fd === null;
  }
}
