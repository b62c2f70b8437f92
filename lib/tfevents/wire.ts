// Protobuf wire format by hand: the reader used on the decode hot path (Event -> Summary -> Value)
// and the writer used to encode events. protobufjs handles only the rare messages (proto.ts).
import type { Step } from './types.ts';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export class WireError extends Error {}

const TWO_32 = 4294967296;

/**
 * Cursor over a protobuf message. One instance is reused for many messages (reset()), so the hot
 * loop allocates nothing per field.
 */
export class ProtoReader {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  end = 0;
  /** High 32 bits of the last varint read by varint64(). */
  hi = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  reset(pos: number, end: number): void {
    this.pos = pos;
    this.end = end;
  }

  /** Varint that must fit 32 bits (tags, lengths, enums); the upper bits of longer ones are dropped. */
  uint32(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    if (b < 0x80) return b;
    let v = b & 0x7f;
    b = buf[this.pos++]!;
    v |= (b & 0x7f) << 7;
    if (b < 0x80) return v;
    b = buf[this.pos++]!;
    v |= (b & 0x7f) << 14;
    if (b < 0x80) return v;
    b = buf[this.pos++]!;
    v |= (b & 0x7f) << 21;
    if (b < 0x80) return v;
    b = buf[this.pos++]!;
    v = (v | ((b & 0x0f) << 28)) >>> 0;
    if (b < 0x80) return v;
    // Sign-extended negative int32s take 10 bytes: skip the rest.
    for (let i = 0; i < 5; i++) if (buf[this.pos++]! < 0x80) return v;
    throw new WireError('varint longer than 10 bytes');
  }

  /** Reads a 64-bit varint; returns the low 32 bits (unsigned) and leaves the high ones in `hi`. */
  varint64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let b = 0;
    let i = 0;
    for (; i < 4; i++) {
      b = buf[this.pos++]!;
      lo |= (b & 0x7f) << (i * 7);
      if (b < 0x80) {
        this.hi = 0;
        return lo >>> 0;
      }
    }
    b = buf[this.pos++]!;
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >>> 4;
    if (b < 0x80) {
      this.hi = hi;
      return lo >>> 0;
    }
    for (i = 0; i < 5; i++) {
      b = buf[this.pos++]!;
      hi |= (b & 0x7f) << (i * 7 + 3);
      if (b < 0x80) {
        this.hi = hi >>> 0;
        return lo >>> 0;
      }
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** int64 as a Step: a number while safe, else a bigint (negative steps are 10-byte varints). */
  int64(): Step {
    const lo = this.varint64();
    const hi = this.hi;
    if (hi === 0) return lo;
    if (hi < 0x200000) return hi * TWO_32 + lo; // < 2^53
    if (hi > 0xffe00000 || (hi === 0xffe00000 && lo !== 0)) {
      // Negative and > -2^53 (a safe integer): two's complement.
      return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
    }
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }

  /** uint64/int64 that callers only need as a double (sizes, counts). */
  int64Number(): number {
    const v = this.int64();
    return typeof v === 'bigint' ? Number(v) : v;
  }

  double(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  float(): number {
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  fixed32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Reads a length prefix; returns the end offset of the payload (pos is at its start). */
  lenEnd(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.end) throw new WireError(`length ${len} at offset ${this.pos} overruns the message`);
    return end;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        break;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.pos = this.lenEnd();
        break;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        throw new WireError(`unsupported wire type ${wireType} at offset ${this.pos}`);
    }
    if (this.pos > this.end) throw new WireError('field overruns the message');
  }
}

const utf8 = new TextDecoder('utf-8');

/** UTF-8 decode of buf[start, end), with a fast path for short ASCII (tags are). */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return utf8.decode(buf.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(buf.subarray(start, end));
}

const utf8Encoder = new TextEncoder();

/** Growable protobuf encoder. Nested messages are encoded into their own writer and appended. */
export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint32(((field << 3) | wireType) >>> 0);
  }

  rawVarint32(v: number): void {
    this.ensure(5);
    while (v > 0x7f) {
      this.buf[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.length++] = v;
  }

  /** int64/uint64 varint from a number or bigint (negative values use 10 bytes, as proto does). */
  rawVarint64(v: number | bigint): void {
    let big = typeof v === 'bigint' ? BigInt.asUintN(64, v) : null;
    if (big === null) {
      const n = v as number;
      if (n >= 0 && n <= 0xffffffff && Number.isInteger(n)) {
        this.rawVarint32(n);
        return;
      }
      big = BigInt.asUintN(64, BigInt(Math.trunc(n)));
    }
    this.ensure(10);
    while (big > 0x7fn) {
      this.buf[this.length++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.buf[this.length++] = Number(big);
  }

  uint32(field: number, v: number): void {
    this.tag(field, WIRE_VARINT);
    this.rawVarint32(v >>> 0);
  }
  /** int32 field: negative values are sign-extended to 10 bytes. */
  int32(field: number, v: number): void {
    this.tag(field, WIRE_VARINT);
    if (v < 0) this.rawVarint64(BigInt(v));
    else this.rawVarint32(v);
  }
  int64(field: number, v: number | bigint): void {
    this.tag(field, WIRE_VARINT);
    this.rawVarint64(v);
  }
  bool(field: number, v: boolean): void {
    this.tag(field, WIRE_VARINT);
    this.rawVarint32(v ? 1 : 0);
  }
  double(field: number, v: number): void {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  float(field: number, v: number): void {
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }
  bytes(field: number, v: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.rawVarint32(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.length);
    this.length += v.length;
  }
  string(field: number, v: string): void {
    this.bytes(field, utf8Encoder.encode(v));
  }
  message(field: number, w: ProtoWriter): void {
    this.bytes(field, w.finish());
  }
  packedFloats(field: number, v: ArrayLike<number>): void {
    this.tag(field, WIRE_LEN);
    this.rawVarint32(v.length * 4);
    this.ensure(v.length * 4);
    for (let i = 0; i < v.length; i++) {
      this.view.setFloat32(this.length, v[i]!, true);
      this.length += 4;
    }
  }
  packedDoubles(field: number, v: ArrayLike<number>): void {
    this.tag(field, WIRE_LEN);
    this.rawVarint32(v.length * 8);
    this.ensure(v.length * 8);
    for (let i = 0; i < v.length; i++) {
      this.view.setFloat64(this.length, v[i]!, true);
      this.length += 8;
    }
  }

  /** The encoded bytes (a view into the internal buffer: copy if the writer is reused). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
