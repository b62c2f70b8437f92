// The IDX format of (Fashion-)MNIST: a 4-byte magic (0, 0, type code, number of dimensions), the
// dimensions as big-endian int32, then the values in row-major order. Files may be gzipped.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const TYPE_CODES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

export interface IdxArray {
  /** Only uint8 payloads (all of MNIST and Fashion-MNIST) are returned as bytes; others are decoded to numbers. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  shape: number[];
  type: string;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a file and gunzips it when it starts with the gzip magic (whatever its name). */
export function readMaybeGzip(path: string): Uint8Array {
  const raw = readFileSync(path);
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw);
  } catch (e) {
    throw new Error(`${path}: corrupt gzip data (${(e as Error).message})`, { cause: e });
  }
}

/** Parses IDX bytes; `what` names the source in errors (file path). */
export function parseIdx(bytes: Uint8Array, what = 'IDX data'): IdxArray {
  if (bytes.length < 4) throw new Error(`${what}: too short for an IDX header (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${what}: bad IDX magic at offset 0 (expected 00 00, got ${bytes[0].toString(16).padStart(2, '0')} ${bytes[1].toString(16).padStart(2, '0')})`,
    );
  }
  const type = TYPE_CODES[bytes[2]];
  if (!type) throw new Error(`${what}: unknown IDX type code 0x${bytes[2].toString(16)} at offset 2`);
  const ndim = bytes[3];
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) throw new Error(`${what}: truncated IDX header (needs ${headerLen} bytes, file has ${bytes.length})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const need = headerLen + count * type.bytes;
  if (bytes.length < need) {
    throw new Error(
      `${what}: truncated IDX payload: shape [${shape.join(', ')}] of ${type.name} needs ${need} bytes, file has ${bytes.length} (data ends at offset ${bytes.length})`,
    );
  }
  if (type.bytes === 1) {
    const sub = bytes.subarray(headerLen, headerLen + count);
    return { data: type.name === 'uint8' ? sub : new Int8Array(sub.buffer, sub.byteOffset, count), shape, type: type.name };
  }
  const out =
    type.name === 'int16'
      ? new Int16Array(count)
      : type.name === 'int32'
        ? new Int32Array(count)
        : type.name === 'float32'
          ? new Float32Array(count)
          : new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const o = headerLen + i * type.bytes;
    out[i] =
      type.name === 'int16'
        ? view.getInt16(o, false)
        : type.name === 'int32'
          ? view.getInt32(o, false)
          : type.name === 'float32'
            ? view.getFloat32(o, false)
            : view.getFloat64(o, false);
  }
  return { data: out, shape, type: type.name };
}

/** Encodes a uint8 array as IDX (for fixtures and tests). */
export function encodeIdxUint8(data: Uint8Array, shape: readonly number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  const view = new DataView(header.buffer);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}
