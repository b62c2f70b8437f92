// Reading event files: records (record.ts) -> events (event-decode.ts) -> normalized values.
// decodeEventBuffer is resumable: give it the bytes from any record boundary and it says where it
// stopped, so a live reader can come back for more once the writer has appended.
import { readFileSync, openSync, readSync, fstatSync, closeSync } from 'node:fs';
import { decodeEvent, EventInfo, type EventKind } from './event-decode.ts';
import { RunNormalizer, ValueFields, type ScalarSink } from './normalize.ts';
import { scanRecords, type RecordScanLimits } from './record.ts';
import { ProtoReader } from './wire.ts';
import type { CorruptRecord, NormalizedValue } from './types.ts';

export interface DecodeResult {
  /** Absolute byte offset just after the last complete record consumed. */
  endOffset: number;
  /** Bytes of a truncated tail record (0 if the buffer ends on a boundary): "come back later". */
  incompleteBytes: number;
  /**
   * CRC failures / undecodable events, with file and absolute offset; reading resumed after them.
   * (Values of an undecodable event that precede its malformed part have already been delivered.)
   */
  corrupt: CorruptRecord[];
  /** Complete records whose CRCs were valid. */
  records: number;
  /** Events decoded (records minus undecodable ones). */
  events: number;
  /** file_version of the first event that carried one in this buffer. */
  fileVersion?: string;
  /**
   * The buffer ended inside a corrupt region (already reported). Pass it back as
   * `inCorruptRegion` when resuming at endOffset so the same region is not reported twice.
   */
  inCorruptRegion?: boolean;
  /** With a truncated tail, the bytes its record needs in all (see RecordScanResult.needBytes). */
  needBytes: number;
}

export interface DecodeOptions {
  file: string;
  /** Absolute file offset of buf[0]. */
  baseOffset: number;
  normalizer: RunNormalizer;
  /** Each value, with the absolute offset of the record it came from. */
  onValue: (v: NormalizedValue, recordOffset: number) => void;
  /**
   * Optional fast path for columnar consumers: plain scalars (simple_value or 'scalars' tensors,
   * without display name/description) go here instead of onValue, with no object allocated.
   */
  onScalar?: ScalarSink;
  /** Set when resuming where a previous result said `inCorruptRegion: true`. */
  inCorruptRegion?: boolean;
  /** Absolute file size, when known: lets a record above maxRecordBytes be skipped unread. */
  fileEnd?: number;
  /** Records above this many bytes are reported 'too-large' (default MAX_RECORD_BYTES). */
  maxRecordBytes?: number;
  /** Optional per-event hook (inspect and the corpus tests count event kinds with it). */
  onEvent?: (info: EventInfo, offset: number) => void;
  /**
   * Optional fast path tried on each record before the generic decoder (scalar-record.ts): it
   * returns true when it took the whole record, having delivered what the generic decoder would
   * have, and false (with no side effect) to leave the record to the generic decoder. Not used
   * together with onEvent.
   */
  fastRecord?: (buf: Uint8Array, start: number, end: number) => boolean;
}

/** Decodes every complete record of `buf` (the file's bytes from `baseOffset`). */
export function decodeEventBuffer(buf: Uint8Array, opts: DecodeOptions): DecodeResult {
  // Node's Buffer.slice() returns a view; values must own their bytes (callers reuse buffers),
  // so work on a plain Uint8Array whose slice() copies.
  if (Buffer.isBuffer(buf)) buf = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const reader = new ProtoReader(buf);
  const fields = new ValueFields();
  const info = new EventInfo();
  const corrupt: CorruptRecord[] = [];
  let events = 0;
  let fileVersion: string | undefined;
  const { file, normalizer, onValue, onEvent, onScalar } = opts;
  const fast = onEvent === undefined ? opts.fastRecord : undefined;
  let recordOffset = 0;
  const deliver = (v: NormalizedValue) => onValue(v, recordOffset);
  const scan = scanRecords(
    buf,
    opts.baseOffset,
    file,
    {
      onRecord(b, start, end, offset) {
        if (fast !== undefined && fast(b, start, end)) {
          events++;
          return;
        }
        recordOffset = offset;
        try {
          decodeEvent(reader, start, end, normalizer, fields, info, deliver, onScalar, (tag, why) => {
            corrupt.push({ file, offset, reason: 'bad-value', detail: `${tag ? `tag ${JSON.stringify(tag)}: ` : ''}${why}` });
          });
        } catch {
          // Malformed protobuf inside a record whose CRCs are fine (WireError, a RangeError from a
          // read past the end, or a protobufjs error in a plugin payload): skip just this record.
          corrupt.push({ file, offset, reason: 'undecodable' });
          return;
        }
        events++;
        if (info.fileVersion !== null && fileVersion === undefined) fileVersion = info.fileVersion;
        onEvent?.(info, offset);
      },
      onCorrupt(c) {
        corrupt.push(c);
      },
    },
    opts.inCorruptRegion ?? false,
    limitsOf(opts),
  );
  const result: DecodeResult = {
    endOffset: scan.endOffset,
    incompleteBytes: scan.incompleteBytes,
    corrupt,
    records: scan.records,
    events,
    needBytes: scan.needBytes,
  };
  if (fileVersion !== undefined) result.fileVersion = fileVersion;
  if (scan.inCorruptRegion) result.inCorruptRegion = true;
  return result;
}

function limitsOf(opts: DecodeOptions): RecordScanLimits {
  const l: RecordScanLimits = {};
  if (opts.fileEnd !== undefined) l.fileEnd = opts.fileEnd;
  if (opts.maxRecordBytes !== undefined) l.maxRecordBytes = opts.maxRecordBytes;
  return l;
}

/** Reads a whole event file (from `fromOffset`, default 0) and returns its values. */
export function readEventFile(
  path: string,
  opts: { fromOffset?: number; normalizer?: RunNormalizer; onEvent?: (info: EventInfo, offset: number) => void } = {},
): DecodeResult & { values: NormalizedValue[] } {
  const from = opts.fromOffset ?? 0;
  let buf: Uint8Array;
  if (from === 0) buf = readFileSync(path);
  else {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      buf = new Uint8Array(Math.max(0, size - from));
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, from + got);
        if (n === 0) break;
        got += n;
      }
      buf = buf.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }
  const values: NormalizedValue[] = [];
  const decodeOpts: DecodeOptions = {
    file: path,
    baseOffset: from,
    fileEnd: from + buf.length,
    normalizer: opts.normalizer ?? new RunNormalizer(),
    onValue: (v) => values.push(v),
  };
  if (opts.onEvent) decodeOpts.onEvent = opts.onEvent;
  const res = decodeEventBuffer(buf, decodeOpts);
  return { ...res, values };
}

export type StreamOptions = Omit<DecodeOptions, 'file' | 'baseOffset'> & { fromOffset?: number; chunkBytes?: number };

/**
 * Decodes a file of known size chunk by chunk, whatever reads its bytes (a local descriptor, a
 * ranged GET): ask nextRead() which bytes to fetch, hand them to feed(), until nextRead() is null.
 * A record larger than a chunk makes the next read bigger (bounded: bigger ones are skipped unread).
 */
export class ChunkedEventDecoder {
  readonly result: DecodeResult;
  private want: number;
  private asked = 0;
  private done = false;
  constructor(
    private readonly path: string,
    private readonly size: number,
    private readonly opts: StreamOptions,
  ) {
    this.want = opts.chunkBytes ?? 16 << 20;
    this.result = { endOffset: opts.fromOffset ?? 0, incompleteBytes: 0, corrupt: [], records: 0, events: 0, needBytes: 0 };
  }

  /** The byte range to read next, or null when the file is decoded to its end. */
  nextRead(): { from: number; length: number } | null {
    if (this.done || this.result.endOffset >= this.size) return null;
    this.asked = Math.min(this.want, this.size - this.result.endOffset);
    return { from: this.result.endOffset, length: this.asked };
  }

  /** The bytes read from nextRead().from (fewer than asked for: the file ends there). */
  feed(buf: Uint8Array): void {
    const total = this.result;
    const res = decodeEventBuffer(buf, {
      ...this.opts,
      file: this.path,
      baseOffset: total.endOffset,
      fileEnd: this.size,
      inCorruptRegion: total.inCorruptRegion ?? false,
    });
    total.corrupt.push(...res.corrupt);
    total.records += res.records;
    total.events += res.events;
    if (res.fileVersion !== undefined && total.fileVersion === undefined) total.fileVersion = res.fileVersion;
    // A short read means the file ended early (it shrank while being read): stop there too.
    const atEof = total.endOffset + buf.length >= this.size || buf.length < this.asked;
    if (res.endOffset === total.endOffset && !atEof) {
      // One record larger than the chunk: read it whole next time.
      this.want = Math.max(this.want * 2, res.needBytes);
      return;
    }
    total.endOffset = res.endOffset;
    total.incompleteBytes = res.incompleteBytes;
    total.needBytes = res.needBytes;
    if (res.inCorruptRegion) total.inCorruptRegion = true;
    else delete total.inCorruptRegion;
    if (atEof) this.done = true;
    this.want = this.opts.chunkBytes ?? 16 << 20;
  }
}

/**
 * Decodes a whole file in chunks of `chunkBytes` (default 16 MiB), so memory stays bounded however
 * large the file is: values go to the callbacks, nothing is collected. A record larger than a chunk
 * is read whole.
 */
export function streamEventFile(path: string, opts: StreamOptions): DecodeResult {
  const fd = openSync(path, 'r');
  try {
    const dec = new ChunkedEventDecoder(path, fstatSync(fd).size, opts);
    for (let r = dec.nextRead(); r; r = dec.nextRead()) {
      const buf = new Uint8Array(r.length);
      let got = 0;
      while (got < r.length) {
        const n = readSync(fd, buf, got, r.length - got, r.from + got);
        if (n === 0) break;
        got += n;
      }
      dec.feed(buf.subarray(0, got));
    }
    return dec.result;
  } finally {
    closeSync(fd);
  }
}

/** streamEventFile for bytes behind an async ranged read (an object store). */
export async function streamEventSource(
  path: string,
  size: number,
  read: (from: number, length: number) => Promise<Uint8Array>,
  opts: StreamOptions,
): Promise<DecodeResult> {
  const dec = new ChunkedEventDecoder(path, size, opts);
  for (let r = dec.nextRead(); r; r = dec.nextRead()) dec.feed(await read(r.from, r.length));
  return dec.result;
}

export type { EventKind };
