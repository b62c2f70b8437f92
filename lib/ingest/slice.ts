// One decoded slice of an event file, in a form that crosses a worker boundary cheaply: scalars
// as columns (transferable typed arrays), everything else as NormalizedValues (structured clone).
// Used by the decode worker (decode-worker.ts) and applied to the store by StoreWriter.addSlice.
import { crc32 } from '@node-rs/crc32';
import { decodeEventBuffer } from '../tfevents/reader.ts';
import { PLUGIN, type RunNormalizer } from '../tfevents/normalize.ts';
import { parseScalarRecord, ScalarRecord } from '../tfevents/scalar-record.ts';
import { scalarOfTensor } from '../tfevents/tensor.ts';
import { ProtoReader } from '../tfevents/wire.ts';
import type { CorruptRecord, NormalizedValue, Step } from '../tfevents/types.ts';

/** Bytes at the start of a file whose CRC identifies it (to notice in-place rewrites). */
export const HEAD_BYTES = 4096;

export interface ScalarTagMeta {
  tag: string;
  plugin: string | null;
  displayName?: string;
  description?: string;
}

export interface DecodedSlice {
  /** Absolute offset of the first byte decoded. */
  from: number;
  endOffset: number;
  incompleteBytes: number;
  /** Bytes the truncated tail record needs in all (0 without one): no use reading before they are there. */
  needBytes: number;
  records: number;
  events: number;
  corrupt: CorruptRecord[];
  fileVersion?: string;
  /** Head identity, when the slice starts at offset 0. */
  headLen: number;
  headCrc: number;
  /** File size / mtime / inode seen when the slice was read. */
  size: number;
  mtimeMs: number;
  ino: number;
  /** Scalars as columns; tagIdx indexes scalarTags. Steps past 2^53 are listed in bigSteps. */
  scalarTags: ScalarTagMeta[];
  n: number;
  tagIdx: Int32Array;
  steps: Float64Array;
  bigSteps: Array<[number, bigint]> | null;
  walls: Float64Array;
  values: Float64Array;
  /** Every non-scalar value. */
  others: NormalizedValue[];
  /** Absolute offset of the record each of `others` came from (for a warning about it). */
  otherOffsets: number[];
}

/** Decode `buf` (file bytes from absolute offset `from`) into a DecodedSlice. */
export function decodeSlice(
  buf: Uint8Array,
  from: number,
  rel: string,
  normalizer: RunNormalizer,
  stat: { size: number; mtimeMs: number; ino: number },
  /** Off only to check the fast path against the generic decoder (tests). */
  fastScalars = true,
): DecodedSlice {
  // A first guess at the number of scalars (a one-scalar record is ~50 bytes); grows as needed.
  let cap = Math.max(64, Math.ceil(buf.length / 48));
  let tagIdx = new Int32Array(cap),
    steps = new Float64Array(cap),
    walls = new Float64Array(cap),
    values = new Float64Array(cap);
  const tagIndex = new Map<string, number>();
  const scalarTags: ScalarTagMeta[] = [];
  const others: NormalizedValue[] = [];
  const otherOffsets: number[] = [];
  let bigSteps: Array<[number, bigint]> | null = null;
  let n = 0;
  const slotOf = (tag: string, plugin: string | null, displayName?: string, description?: string): number => {
    let t = tagIndex.get(tag);
    if (t === undefined) {
      t = scalarTags.length;
      tagIndex.set(tag, t);
      const meta: ScalarTagMeta = { tag, plugin };
      if (displayName) meta.displayName = displayName;
      if (description) meta.description = description;
      scalarTags.push(meta);
    }
    return t;
  };
  const push = (t: number, step: Step, wallTime: number, value: number) => {
    if (n === cap) {
      cap *= 2;
      tagIdx = grow(tagIdx, cap);
      steps = grow(steps, cap);
      walls = grow(walls, cap);
      values = grow(values, cap);
    }
    tagIdx[n] = t;
    if (typeof step === 'bigint') {
      (bigSteps ??= []).push([n, step]);
      steps[n] = Number(step);
    } else steps[n] = step;
    walls[n] = wallTime;
    values[n] = value;
    n++;
  };
  const scalar = (
    tag: string,
    step: Step,
    wallTime: number | null,
    value: number,
    plugin: string | null,
    displayName?: string,
    description?: string,
  ) => push(slotOf(tag, plugin, displayName, description), step, wallTime ?? NaN, value);

  // The scalar fast path (tfevents/scalar-record.ts). Writers cycle through their tags in a fixed
  // order, so the tag that followed this one last time is compared (bytes) first; otherwise the
  // normalizer resolves the tag as the generic path does. Same points, same tags, same plugins.
  const rec = new ScalarRecord();
  // Where each slot's tag bytes lie in this slice's buffer (offsets, not copies: the buffer is the
  // same for the whole call).
  const slotStart: number[] = [];
  const slotEnd: number[] = [];
  const slotInfo: (TagState | undefined)[] = [];
  const next: number[] = [];
  let last = -1;
  let view: DataView | null = null;
  let reader: ProtoReader | null = null;
  const fastRecord = (b: Uint8Array, start: number, end: number): boolean => {
    view ??= new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (!parseScalarRecord(b, view, start, end, rec)) return false;
    const ts = rec.tagStart,
      te = rec.tagEnd;
    let t = last >= 0 ? (next[last] ?? -1) : -1;
    if (t >= 0 && !sameBytes(b, slotStart[t]!, slotEnd[t]!, ts, te)) t = -1;
    let info = t >= 0 ? slotInfo[t]! : null;
    let resolved: { readonly str: string; readonly info: TagState } | null = null;
    if (info === null) {
      resolved = normalizer.tagAt(b, ts, te);
      info = resolved.info;
    }
    let value = rec.value;
    if (rec.tensorStart >= 0) {
      // A TF2 tensor is a scalar point only for a tag of the scalars plugin (as tryScalar decides).
      if (info.plugin !== PLUGIN.scalars) return false;
      reader ??= new ProtoReader(b);
      try {
        value = scalarOfTensor(reader, rec.tensorStart, rec.tensorEnd);
      } catch {
        return false; // the generic path reports it
      }
    }
    if (resolved !== null) {
      t = slotOf(resolved.str, info.plugin);
      if (slotStart[t] === undefined) {
        slotStart[t] = ts;
        slotEnd[t] = te;
        slotInfo[t] = info;
      }
      if (last >= 0) next[last] = t;
    }
    last = t;
    push(t, rec.step, rec.wall, value);
    return true;
  };
  const res = decodeEventBuffer(buf, {
    file: rel,
    baseOffset: from,
    fileEnd: stat.size,
    normalizer,
    fastRecord: fastScalars ? fastRecord : undefined,
    // Plain scalars arrive without an object per value; the rest (and scalars carrying a display
    // name or description) as NormalizedValues.
    onScalar: scalar,
    onValue: (v, offset) => {
      if (v.data.kind === 'scalar') scalar(v.tag, v.step, v.wallTime, v.data.value, v.plugin, v.displayName, v.description);
      else {
        others.push(v);
        otherOffsets.push(offset);
      }
    },
  });
  let headLen = 0,
    headCrc = 0;
  if (from === 0 && res.endOffset > 0) {
    headLen = Math.min(HEAD_BYTES, res.endOffset);
    headCrc = crc32(buf.subarray(0, headLen));
  }
  const out: DecodedSlice = {
    from,
    endOffset: res.endOffset,
    incompleteBytes: res.incompleteBytes,
    needBytes: res.needBytes,
    records: res.records,
    events: res.events,
    corrupt: res.corrupt,
    headLen,
    headCrc,
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    ino: stat.ino,
    scalarTags,
    n,
    // Views, not copies: each column was allocated for this slice alone (a copy was ~7 % of the
    // bytes a 2,000-run sweep allocated, issue 16); the decode worker transfers their buffers.
    tagIdx: tagIdx.subarray(0, n),
    steps: steps.subarray(0, n),
    bigSteps,
    walls: walls.subarray(0, n),
    values: values.subarray(0, n),
    others,
    otherOffsets,
  };
  if (res.fileVersion !== undefined) out.fileVersion = res.fileVersion;
  return out;
}

type TagState = { readonly plugin: string | null };

/** Whether b[aStart, aEnd) and b[start, end) hold the same bytes. */
function sameBytes(b: Uint8Array, aStart: number, aEnd: number, start: number, end: number): boolean {
  const len = end - start;
  if (aEnd - aStart !== len) return false;
  for (let k = len - 1; k >= 0; k--) if (b[aStart + k] !== b[start + k]) return false;
  return true;
}

function grow<T extends Int32Array | Float64Array>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  return b;
}
