// TFRecord framing: [u64 LE length][u32 masked crc32c(length)][data][u32 masked crc32c(data)].
// The reader verifies both CRCs, reports corrupt records with their offset and resynchronizes
// instead of giving up on the rest of the file (TensorBoard's reader stops there; we must not).
// A record cut off by the end of the buffer is a state, not an error: the writer may still be writing.
import { maskedCrc32c } from './crc32c.ts';
import type { CorruptRecord } from './types.ts';

export const HEADER_BYTES = 12;
export const FOOTER_BYTES = 4;

/**
 * Largest length accepted while resynchronizing. A valid header is 8 bytes + a 4-byte CRC that
 * matches, so a false positive needs a 1-in-4-billion CRC collision; the cap only keeps a collision
 * from swallowing the rest of the file.
 */
const MAX_PLAUSIBLE_LENGTH = 1 << 30;

/**
 * Largest record the reader holds in memory (256 MiB). A bigger one (a valid header that says so)
 * is reported 'too-large' and skipped without being read once the file holds all of it, so memory
 * stays bounded whatever the file declares. Images, graphs and tensors written by TF and PyTorch
 * are far smaller (protobuf itself stops at 2 GiB).
 */
export const MAX_RECORD_BYTES = 256 << 20;

export interface RecordScanLimits {
  /** Records with more data bytes than this are skipped as 'too-large' (default MAX_RECORD_BYTES). */
  maxRecordBytes?: number;
  /** Absolute size of the file: a too-large record is skipped only once the file holds all of it. */
  fileEnd?: number;
}

export interface RecordScanCallbacks {
  /** A complete record with valid CRCs: data is buf[start, end); offset is its absolute header offset. */
  onRecord(buf: Uint8Array, start: number, end: number, offset: number): void;
  onCorrupt(c: CorruptRecord): void;
}

export interface RecordScanResult {
  /** Absolute offset just after the last record consumed (valid or skipped as corrupt). */
  endOffset: number;
  /** Bytes of a truncated tail record (0 if the buffer ends on a record boundary). */
  incompleteBytes: number;
  /** Complete records with valid CRCs. */
  records: number;
  /**
   * True when the buffer ended inside a corrupt region (no record header found after a bad one).
   * Pass it back as `inCorruptRegion` when resuming at endOffset, so the region is reported once.
   */
  inCorruptRegion: boolean;
  /**
   * With a truncated tail: the bytes the tail record needs in all (header + data + footer, or a
   * header's 12 while even that is incomplete). A live reader need not look again before the file
   * has grown to endOffset + needBytes. 0 when the buffer ends on a record boundary.
   */
  needBytes: number;
}

function readLength(buf: Uint8Array, pos: number): number {
  const lo = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24);
  const hi = buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24);
  // Lengths below 2^31 stay small integers: the offsets computed from them are then not boxed
  // as heap numbers on every record (issue 16: ~50 bytes of garbage per record of a sweep).
  if (hi === 0 && lo >= 0) return lo;
  return (hi >>> 0) * 4294967296 + (lo >>> 0);
}

function readU32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
}

/**
 * Masked CRCs of the 8-byte length field for lengths below 2^16, computed on first use: almost every
 * record is that small, and this halves the CRC work of a scalar record.
 */
const LENGTH_CRC_CACHE = new Uint32Array(1 << 16);
const LENGTH_CRC_KNOWN = new Uint8Array(1 << 16);
const lengthScratch = new Uint8Array(8);

function lengthCrc(len: number): number {
  if (len < 65536) {
    if (LENGTH_CRC_KNOWN[len] === 0) {
      lengthScratch[0] = len & 0xff;
      lengthScratch[1] = len >>> 8;
      LENGTH_CRC_CACHE[len] = maskedCrc32c(lengthScratch, 0, 8);
      LENGTH_CRC_KNOWN[len] = 1;
    }
    return LENGTH_CRC_CACHE[len]!;
  }
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, len >>> 0, true);
  new DataView(b.buffer).setUint32(4, Math.floor(len / 4294967296), true);
  return maskedCrc32c(b, 0, 8);
}

function headerValid(buf: Uint8Array, pos: number): boolean {
  const stored = readU32(buf, pos + 8);
  // Small lengths (high 6 bytes zero) take the cached CRC.
  if ((buf[pos + 2]! | buf[pos + 3]! | buf[pos + 4]! | buf[pos + 5]! | buf[pos + 6]! | buf[pos + 7]!) === 0) {
    return lengthCrc(buf[pos]! | (buf[pos + 1]! << 8)) === stored;
  }
  return maskedCrc32c(buf, pos, pos + 8) === stored;
}

function writeU32(out: Uint8Array, pos: number, v: number): void {
  out[pos] = v & 0xff;
  out[pos + 1] = (v >>> 8) & 0xff;
  out[pos + 2] = (v >>> 16) & 0xff;
  out[pos + 3] = v >>> 24;
}

/**
 * After a bad header at `from`, the next offset where a record plausibly starts: a header whose
 * length CRC matches and whose data CRC matches too (or whose data runs past the buffer: then it is
 * the truncated tail). Returns -1 if none.
 */
function resync(buf: Uint8Array, from: number, before = Infinity): number {
  const last = Math.min(buf.length - HEADER_BYTES, before - 1);
  for (let p = from; p <= last; p++) {
    if (!headerValid(buf, p)) continue;
    const len = readLength(buf, p);
    if (len > MAX_PLAUSIBLE_LENGTH) continue;
    const dataEnd = p + HEADER_BYTES + len;
    if (dataEnd + FOOTER_BYTES > buf.length) return p;
    if (maskedCrc32c(buf, p + HEADER_BYTES, dataEnd) === readU32(buf, dataEnd)) return p;
  }
  return -1;
}

/** The first offset in [from, to) where a complete record with valid CRCs lies in `buf`, or -1. */
function completeRecordIn(buf: Uint8Array, from: number, to: number, maxRecord: number): number {
  const last = Math.min(to, buf.length) - HEADER_BYTES - FOOTER_BYTES;
  for (let p = from; p <= last; p++) {
    if (!headerValid(buf, p)) continue;
    const len = readLength(buf, p);
    if (len > maxRecord) continue;
    const dataEnd = p + HEADER_BYTES + len;
    if (dataEnd + FOOTER_BYTES > buf.length) continue;
    if (maskedCrc32c(buf, p + HEADER_BYTES, dataEnd) === readU32(buf, dataEnd)) return p;
  }
  return -1;
}

/** Whether a complete record with valid CRCs (and at most `maxRecord` bytes) starts at `p` in `buf`. */
function validRecordAt(buf: Uint8Array, p: number, maxRecord: number): boolean {
  if (p < 0 || p + HEADER_BYTES > buf.length || !headerValid(buf, p)) return false;
  const len = readLength(buf, p);
  const dataEnd = p + HEADER_BYTES + len;
  return len <= maxRecord && dataEnd + FOOTER_BYTES <= buf.length && maskedCrc32c(buf, p + HEADER_BYTES, dataEnd) === readU32(buf, dataEnd);
}

/**
 * Walks the records of `buf` (file bytes starting at absolute offset `baseOffset`).
 * Data-CRC failure with a good length CRC: exactly that record is skipped. Length-CRC failure: one
 * corrupt record is reported at that offset and reading resumes at the next plausible header.
 */
export function scanRecords(
  buf: Uint8Array,
  baseOffset: number,
  file: string,
  cb: RecordScanCallbacks,
  inCorruptRegion = false,
  limits: RecordScanLimits = {},
): RecordScanResult {
  const maxRecord = Math.min(limits.maxRecordBytes ?? MAX_RECORD_BYTES, MAX_PLAUSIBLE_LENGTH);
  let pos = 0;
  let records = 0;
  /** Where the last record read ended (-1: none yet in this buffer). */
  let afterRecord = -1;
  const n = buf.length;
  while (pos < n) {
    if (n - pos < HEADER_BYTES)
      return { endOffset: baseOffset + pos, incompleteBytes: n - pos, records, inCorruptRegion, needBytes: HEADER_BYTES };
    const len = readLength(buf, pos);
    if (!headerValid(buf, pos) || len > MAX_PLAUSIBLE_LENGTH) {
      const reason = headerValid(buf, pos) ? 'bad-length' : 'length-crc';
      // Right after a record: a record cut short whose missing checksum bytes happen to equal the
      // next record's first ones (1 in 256 for one byte) passed its CRCs and ended inside that next
      // record. A complete valid record starting within the checksum just read is that next record
      // (by accident: 1 in 2^64): read it. (Within one buffer: a scan that ends exactly after the
      // cut record cannot look back; the live reader's next buffer starts there.)
      if (pos === afterRecord && !inCorruptRegion) {
        let inside = -1;
        for (let p = pos - FOOTER_BYTES; p < pos && inside < 0; p++) if (validRecordAt(buf, p, maxRecord)) inside = p;
        if (inside >= 0) {
          cb.onCorrupt({
            file,
            offset: baseOffset + pos,
            reason,
            detail: `a record starts at ${baseOffset + inside}, inside the previous record's checksum`,
          });
          pos = inside;
          continue;
        }
      }
      // Still in the region a previous call reported: resynchronize without a second report.
      if (!inCorruptRegion) cb.onCorrupt({ file, offset: baseOffset + pos, reason });
      inCorruptRegion = true;
      const next = resync(buf, pos + 1);
      if (next < 0) {
        // No record starts in the rest of the buffer, except perhaps in its last 11 bytes, too few
        // to check a header: keep them as "incomplete" so a reader that comes back with more bytes
        // (a live file, or the next chunk) does not lose a record that starts there.
        const keep = Math.max(pos + 1, n - (HEADER_BYTES - 1));
        return {
          endOffset: baseOffset + keep,
          incompleteBytes: n - keep,
          records,
          inCorruptRegion: true,
          needBytes: n > keep ? HEADER_BYTES : 0,
        };
      }
      pos = next;
      inCorruptRegion = false;
      continue;
    }
    inCorruptRegion = false;
    const dataStart = pos + HEADER_BYTES;
    const dataEnd = dataStart + len;
    // A header whose declared span, as far as the buffer goes, holds a complete valid record (both
    // CRCs match: a 1-in-2^64 accident otherwise) lies about its length, e.g. a writer died after
    // the header and another appended after it: report it and read on from that record, instead
    // of skipping the records inside the span or waiting for bytes that never come.
    const spanEnd = Math.min(n, dataEnd + FOOTER_BYTES);
    if (dataEnd + FOOTER_BYTES > n || len > maxRecord) {
      const inside = completeRecordIn(buf, pos + 1, spanEnd, maxRecord);
      if (inside >= 0) {
        cb.onCorrupt({
          file,
          offset: baseOffset + pos,
          reason: 'bad-length',
          detail: `declares ${len} bytes, but a record starts at ${baseOffset + inside}`,
        });
        pos = inside;
        continue;
      }
    }
    if (len > maxRecord) {
      // Never read into memory: once the file holds all of it, report it and step over it.
      const after = dataEnd + FOOTER_BYTES;
      if (limits.fileEnd === undefined || baseOffset + after > limits.fileEnd) {
        return { endOffset: baseOffset + pos, incompleteBytes: n - pos, records, inCorruptRegion: false, needBytes: after - pos };
      }
      cb.onCorrupt({
        file,
        offset: baseOffset + pos,
        reason: 'too-large',
        detail: `record of ${len} bytes exceeds the limit of ${maxRecord}`,
      });
      if (after >= n) return { endOffset: baseOffset + after, incompleteBytes: 0, records, inCorruptRegion: false, needBytes: 0 };
      pos = after;
      continue;
    }
    if (dataEnd + FOOTER_BYTES > n)
      return {
        endOffset: baseOffset + pos,
        incompleteBytes: n - pos,
        records,
        inCorruptRegion: false,
        needBytes: len + HEADER_BYTES + FOOTER_BYTES,
      };
    if (maskedCrc32c(buf, dataStart, dataEnd) !== readU32(buf, dataEnd)) {
      cb.onCorrupt({ file, offset: baseOffset + pos, reason: 'data-crc' });
      // Flipped bits in the data: the next record is right after it. A length that lies (a record
      // cut short, then others): the next record starts inside or across the declared span, and
      // skipping the span would lose it. Resynchronize from the next byte, as after a bad header.
      const next = resync(buf, pos + 1, dataEnd + FOOTER_BYTES);
      if (next >= 0) {
        pos = next;
        continue;
      }
      // No record starts inside the span: it was right, the data is damaged; go on after it.
    } else {
      records++;
      cb.onRecord(buf, dataStart, dataEnd, baseOffset + pos);
      afterRecord = dataEnd + FOOTER_BYTES;
    }
    pos = dataEnd + FOOTER_BYTES;
  }
  return { endOffset: baseOffset + pos, incompleteBytes: 0, records, inCorruptRegion: false, needBytes: 0 };
}

/** Frames `data` as one TFRecord. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + data.length + FOOTER_BYTES);
  writeRecordInto(out, 0, data);
  return out;
}

/** Writes one framed record at out[pos]; returns the offset after it. */
export function writeRecordInto(out: Uint8Array, pos: number, data: Uint8Array): number {
  writeU32(out, pos, data.length >>> 0);
  writeU32(out, pos + 4, Math.floor(data.length / 4294967296));
  writeU32(out, pos + 8, lengthCrc(data.length));
  out.set(data, pos + HEADER_BYTES);
  const end = pos + HEADER_BYTES + data.length;
  writeU32(out, end, maskedCrc32c(data));
  return end + FOOTER_BYTES;
}

/** Size of the framed record for a payload of `dataLength` bytes. */
export function framedSize(dataLength: number): number {
  return HEADER_BYTES + dataLength + FOOTER_BYTES;
}
