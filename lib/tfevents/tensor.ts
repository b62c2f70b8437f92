// TensorProto decoding. parseTensor() records where each field lies (no copies) in a reusable
// TensorFields; the helpers below turn that into numbers, strings or raw byte strings on demand, so
// a TF2 scalar costs a few reads and no allocation beyond its result.
import { bfloat16ToNumber, dtypeSize, DT, halfToNumber } from './dtypes.ts';
import { decodeUtf8, ProtoReader, WIRE_LEN, WireError } from './wire.ts';
import type { TensorData } from './types.ts';

/**
 * A value whose declared size the bytes present cannot justify (a shape of 2,000,000 elements
 * with one float in it, a negative or absurd dimension). The record's other values are kept;
 * this one becomes a warning for its run (file and offset), see decodeSummary.
 */
export class BadValueError extends Error {}

/**
 * TensorFlow fills a tensor whose *_val holds fewer elements than its shape with the last value
 * (constant tensors are written that way). That expansion is allowed up to this many elements
 * (32 KiB of doubles); beyond it, a few bytes would allocate without bound.
 */
export const MAX_FILL_ELEMENTS = 4096;

/** Largest tensor decoded into memory (128 MiB of doubles); a bigger one is a bad value. */
export const MAX_TENSOR_ELEMENTS = 1 << 24;

/** Field positions of one TensorProto inside the reader's buffer. */
export class TensorFields {
  dtype = 0;
  shape: number[] = [];
  /** tensor_content bytes [contentStart, contentEnd), -1 if absent. */
  contentStart = -1;
  contentEnd = -1;
  /** The typed *_val field present (its field number) and its packed span, or -1. */
  valField = -1;
  valStart = -1;
  valEnd = -1;
  /** Non-packed repeated numeric values (rare; legal proto2-style encoding). */
  unpacked: number[] | null = null;
  /** string_val spans, [start, end) pairs. */
  strings: number[] = [];

  reset(): void {
    this.dtype = 0;
    // Setting an array's length is slow in V8; scalar tensors leave both arrays empty.
    if (this.shape.length) this.shape.length = 0;
    this.contentStart = this.contentEnd = this.valField = this.valStart = this.valEnd = -1;
    this.unpacked = null;
    if (this.strings.length) this.strings.length = 0;
  }
}

const F_DTYPE = 1,
  F_SHAPE = 2,
  F_CONTENT = 4,
  F_FLOAT = 5,
  F_DOUBLE = 6,
  F_INT = 7,
  F_STRING = 8,
  F_INT64 = 10,
  F_BOOL = 11,
  F_HALF = 13,
  F_UINT32 = 16,
  F_UINT64 = 17;

/** Parses the TensorProto in r.buf[r.pos, end) into `t`. Leaves r.pos at end. */
export function parseTensor(r: ProtoReader, end: number, t: TensorFields): void {
  t.reset();
  const outerEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === F_DTYPE && wt === 0) t.dtype = r.uint32();
    else if (field === F_SHAPE && wt === WIRE_LEN) parseShape(r, r.lenEnd(), t.shape);
    else if (field === F_CONTENT && wt === WIRE_LEN) {
      const e = r.lenEnd();
      t.contentStart = r.pos;
      t.contentEnd = e;
      r.pos = e;
    } else if (field === F_STRING && wt === WIRE_LEN) {
      const e = r.lenEnd();
      t.strings.push(r.pos, e);
      r.pos = e;
    } else if (isValField(field)) {
      if (wt === WIRE_LEN) {
        const e = r.lenEnd();
        t.valField = field;
        t.valStart = r.pos;
        t.valEnd = e;
        r.pos = e;
      } else {
        t.valField = field;
        (t.unpacked ??= []).push(readScalarField(r, field, wt));
      }
    } else r.skip(wt);
  }
  if (r.pos !== end) throw new WireError('TensorProto overruns its length');
  r.end = outerEnd;
}

function isValField(f: number): boolean {
  return (
    f === F_FLOAT || f === F_DOUBLE || f === F_INT || f === F_INT64 || f === F_BOOL || f === F_HALF || f === F_UINT32 || f === F_UINT64
  );
}

function readScalarField(r: ProtoReader, field: number, wt: number): number {
  if (wt === 5) return field === F_FLOAT ? r.float() : r.fixed32();
  if (wt === 1) return r.double();
  const v = field === F_INT ? r.uint32() | 0 : r.int64Number();
  return v;
}

/** TensorShapeProto's dims (field 2, each with size in field 1), appended to `shape`. */
export function parseShape(r: ProtoReader, end: number, shape: number[]): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 2 && (tag & 7) === WIRE_LEN) {
      const dimEnd = r.lenEnd();
      let size = 0;
      while (r.pos < dimEnd) {
        const t2 = r.uint32();
        if (t2 >>> 3 === 1 && (t2 & 7) === 0) size = r.int64Number();
        else r.skip(t2 & 7);
      }
      shape.push(size);
    } else r.skip(tag & 7);
  }
}

export function numElements(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** numElements, refusing dimensions a real tensor cannot have (negative, fractional, absurd). */
export function checkedElements(shape: number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new BadValueError(`tensor shape [${shape.join(', ')}] has an invalid dimension ${d}`);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new BadValueError(`tensor shape [${shape.join(', ')}] declares too many elements`);
  return n;
}

/** The first numeric element (scalars), NaN if the tensor holds none. Allocation-free. */
export function firstNumber(r: ProtoReader, t: TensorFields): number {
  if (t.contentStart >= 0) {
    if (t.contentEnd - t.contentStart < dtypeSize(t.dtype) || dtypeSize(t.dtype) === 0) return NaN;
    return contentElement(r.view, t.dtype, t.contentStart);
  }
  if (t.valStart >= 0 && t.valEnd > t.valStart) {
    const saved = r.pos;
    r.pos = t.valStart;
    const v = readPackedElement(r, t.valField, t.dtype);
    r.pos = saved;
    return v;
  }
  if (t.unpacked && t.unpacked.length) return t.unpacked[0]!;
  return NaN;
}

/** Element of a little-endian tensor buffer at byte offset p, as a number (NaN for non-numeric dtypes). */
export function contentElement(view: DataView, dtype: number, p: number): number {
  switch (dtype) {
    case DT.FLOAT:
      return view.getFloat32(p, true);
    case DT.DOUBLE:
      return view.getFloat64(p, true);
    case DT.INT32:
      return view.getInt32(p, true);
    case DT.UINT32:
      return view.getUint32(p, true);
    case DT.INT64:
      return Number(view.getBigInt64(p, true));
    case DT.UINT64:
      return Number(view.getBigUint64(p, true));
    case DT.UINT8:
    case DT.BOOL:
      return view.getUint8(p);
    case DT.INT8:
      return view.getInt8(p);
    case DT.INT16:
      return view.getInt16(p, true);
    case DT.UINT16:
      return view.getUint16(p, true);
    case DT.HALF:
      return halfToNumber(view.getUint16(p, true));
    case DT.BFLOAT16:
      return bfloat16ToNumber(view.getUint16(p, true));
    default:
      return NaN;
  }
}

function readPackedElement(r: ProtoReader, field: number, dtype: number): number {
  switch (field) {
    case F_FLOAT:
      return r.float();
    case F_DOUBLE:
      return r.double();
    case F_INT:
      return r.uint32() | 0;
    case F_INT64:
    case F_UINT64:
      return r.int64Number();
    case F_UINT32:
      return r.uint32();
    case F_BOOL:
      return r.uint32() ? 1 : 0;
    case F_HALF:
      return dtype === DT.BFLOAT16 ? bfloat16ToNumber(r.uint32()) : halfToNumber(r.uint32());
    default:
      return NaN;
  }
}

/**
 * All numeric elements as doubles (row-major). A *_val shorter than the shape is filled with its
 * last value, as TF does, but only up to MAX_FILL_ELEMENTS: a declared size the bytes present
 * cannot justify throws BadValueError. Memory is bounded by the bytes present (or the fill limit).
 */
export function numbers(r: ProtoReader, t: TensorFields): Float64Array {
  const n = checkedElements(t.shape);
  if (t.contentStart >= 0) {
    const size = dtypeSize(t.dtype);
    if (size === 0) return new Float64Array(0);
    const count = Math.floor((t.contentEnd - t.contentStart) / size);
    if (count > MAX_TENSOR_ELEMENTS) throw new BadValueError(`tensor of ${count} elements exceeds the limit of ${MAX_TENSOR_ELEMENTS}`);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = contentElement(r.view, t.dtype, t.contentStart + i * size);
    return out;
  }
  const vals: number[] = [];
  if (t.valStart >= 0) {
    const saved = r.pos;
    const savedEnd = r.end;
    r.pos = t.valStart;
    r.end = t.valEnd;
    while (r.pos < t.valEnd) {
      vals.push(readPackedElement(r, t.valField, t.dtype));
      if (vals.length > MAX_TENSOR_ELEMENTS) throw new BadValueError(`tensor exceeds the limit of ${MAX_TENSOR_ELEMENTS} elements`);
    }
    if (r.pos > t.valEnd) throw new WireError('packed tensor values overrun their field');
    r.pos = saved;
    r.end = savedEnd;
  } else if (t.unpacked) for (const x of t.unpacked) vals.push(x);
  if (vals.length > 0 && vals.length < n) {
    if (n > MAX_FILL_ELEMENTS) {
      throw new BadValueError(`tensor shape [${t.shape.join(', ')}] declares ${n} elements but the record holds ${vals.length}`);
    }
    const last = vals[vals.length - 1]!;
    while (vals.length < n) vals.push(last);
  }
  return Float64Array.from(vals);
}

/** string_val elements as byte views (no copy: they alias the decode buffer). */
export function stringBytes(r: ProtoReader, t: TensorFields): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < t.strings.length; i += 2) out.push(r.buf.subarray(t.strings[i]!, t.strings[i + 1]!));
  return out;
}

export function strings(r: ProtoReader, t: TensorFields): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.strings.length; i += 2) out.push(decodeUtf8(r.buf, t.strings[i]!, t.strings[i + 1]!));
  return out;
}

/** Generic TensorData (kind 'tensor'). */
export function tensorData(r: ProtoReader, t: TensorFields): TensorData {
  return {
    kind: 'tensor',
    dtype: t.dtype,
    shape: t.shape.slice(),
    values: t.dtype === DT.STRING ? checkedStrings(r, t) : numbers(r, t),
  };
}

/** strings(), refusing a shape that declares more strings than the record holds (beyond a fill). */
export function checkedStrings(r: ProtoReader, t: TensorFields): string[] {
  const n = checkedElements(t.shape);
  const k = t.strings.length / 2;
  if (n > k && k > 0 && n > MAX_FILL_ELEMENTS) {
    throw new BadValueError(`string tensor shape [${t.shape.join(', ')}] declares ${n} elements but the record holds ${k}`);
  }
  return strings(r, t);
}

/**
 * First element of the TensorProto at r.buf[start, end), for 'scalars' tensors on the hot path:
 * one pass over the fields, no shape or bookkeeping. NaN when the tensor holds no number.
 */
export function scalarOfTensor(r: ProtoReader, start: number, end: number): number {
  const outerEnd = r.end;
  r.pos = start;
  r.end = end;
  let dtype = 0;
  let contentStart = -1;
  let contentEnd = -1;
  let val = NaN;
  let haveVal = false;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 0x08:
        dtype = r.uint32();
        break;
      case 0x22:
        contentEnd = r.lenEnd();
        contentStart = r.pos;
        r.pos = contentEnd;
        break;
      case 0x2a:
      case 0x32:
      case 0x3a:
      case 0x52:
      case 0x5a:
      case 0x6a:
      case 0x82:
      case 0x8a: {
        // Packed *_val: the first element, unless an earlier field gave one.
        const e = r.lenEnd();
        if (!haveVal && e > r.pos) {
          val = readPackedElement(r, tag >>> 3, dtype);
          haveVal = true;
        }
        r.pos = e;
        break;
      }
      case 0x2d: {
        const x = r.float();
        if (!haveVal) {
          val = x;
          haveVal = true;
        }
        break;
      }
      case 0x31: {
        const x = r.double();
        if (!haveVal) {
          val = x;
          haveVal = true;
        }
        break;
      }
      case 0x38: {
        const x = r.uint32() | 0;
        if (!haveVal) {
          val = x;
          haveVal = true;
        }
        break;
      }
      case 0x50: {
        const x = r.int64Number();
        if (!haveVal) {
          val = x;
          haveVal = true;
        }
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  r.end = outerEnd;
  if (contentStart >= 0) {
    const size = dtypeSize(dtype);
    return size > 0 && contentEnd - contentStart >= size ? contentElement(r.view, dtype, contentStart) : NaN;
  }
  return val;
}
