// The safetensors container (https://github.com/huggingface/safetensors, "Format" section), on typed arrays only:
//   8 bytes   N, the header length, unsigned 64-bit little-endian
//   N bytes   UTF-8 JSON: { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ...,
//             "__metadata__": { "<key>": "<string value>" } }, may be padded with trailing spaces
//   rest      the tensors' raw little-endian bytes; offsets are relative to this section, which they cover exactly.
// Board's dtypes map to F32, F64, F16, I64, I32, I16, I8, U8 and BOOL. Reading also accepts BF16 (widened to
// float32), U16, U32 (widened to int32/int64) and U64.
import { halfBits, halfFromBits } from '../engine/half.ts';

/** A Board dtype name. */
export type StDType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** One tensor as stored: Board dtype, shape and row-major values in Board's storage class (float16 in a Float32Array). */
export interface StTensor {
  dtype: StDType;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;
}

const TO_ST: Record<StDType, string> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};
const ITEM_SIZE: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};
const MAX_HEADER = 100_000_000; // the reference implementation's limit
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('safetensors: big-endian platforms are not supported');

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = 'SafetensorsError';
  }
}

function numel(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Little-endian bytes of one tensor's values in its safetensors dtype. */
function encodeData(t: StTensor): Uint8Array {
  const n = numel(t.shape);
  if (t.data.length !== n)
    throw new SafetensorsError(`tensor data has ${t.data.length} elements but shape [${t.shape.join(', ')}] needs ${n}`);
  // Same-class storages are copied byte for byte (keeps NaN payloads and -0 bit-exact); the format is
  // little-endian, as is every platform Node runs on (checked below).
  const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
  switch (t.dtype) {
    case 'float32':
      return t.data instanceof Float32Array ? bytesOf(t.data) : new Uint8Array(Float32Array.from(t.data).buffer);
    case 'float64':
      return t.data instanceof Float64Array ? bytesOf(t.data) : new Uint8Array(Float64Array.from(t.data).buffer);
    case 'int32':
      return t.data instanceof Int32Array ? bytesOf(t.data) : new Uint8Array(Int32Array.from(t.data).buffer);
    case 'int16':
      return t.data instanceof Int16Array ? bytesOf(t.data) : new Uint8Array(Int16Array.from(t.data).buffer);
    case 'int8':
      return t.data instanceof Int8Array ? bytesOf(t.data) : new Uint8Array(Int8Array.from(t.data).buffer);
    case 'float16': {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = halfBits(t.data[i]!);
      return new Uint8Array(out.buffer);
    }
    case 'uint8':
    case 'bool':
      return Uint8Array.from(t.data);
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(Math.trunc(t.data[i]!));
      return new Uint8Array(out.buffer);
    }
  }
}

/**
 * Serializes named tensors (in the given order) and string metadata. Tensors are laid out back to back, so the file
 * has no holes, and the header is padded with spaces to a multiple of 8 bytes as the reference writer does.
 */
export function encodeSafetensors(tensors: Record<string, StTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`metadata value for "${k}" must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new SafetensorsError('"__metadata__" is reserved and cannot name a tensor');
    const bytes = encodeData(t);
    header[name] = { dtype: TO_ST[t.dtype], shape: t.shape.slice(), data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  const padded = Math.ceil(raw.length / 8) * 8;
  json += ' '.repeat(padded - raw.length);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** Decodes one tensor's bytes (copied, so the result is aligned and independent of the file buffer). */
function decodeData(st: string, bytes: Uint8Array, n: number, name: string): StTensor['data'] & {} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (st) {
    case 'F32':
      return new Float32Array(bytes.slice().buffer);
    case 'F64':
      return new Float64Array(bytes.slice().buffer);
    case 'I32':
      return new Int32Array(bytes.slice().buffer);
    case 'F16': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = halfFromBits(view.getUint16(i * 2, true));
      return a;
    }
    case 'BF16': {
      const a = new Float32Array(n);
      const u = new Uint32Array(a.buffer);
      for (let i = 0; i < n; i++) u[i] = view.getUint16(i * 2, true) << 16;
      return a;
    }
    case 'I64':
    case 'U64': {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = Number(st === 'I64' ? view.getBigInt64(i * 8, true) : view.getBigUint64(i * 8, true));
      return a;
    }
    case 'U32': {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getUint32(i * 4, true);
      return a;
    }
    case 'I16':
      return new Int16Array(bytes.slice().buffer);
    case 'U16': {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getUint16(i * 2, true);
      return a;
    }
    case 'I8':
      return new Int8Array(bytes.slice().buffer);
    case 'U8':
    case 'BOOL':
      return bytes.slice();
    default:
      throw new SafetensorsError(`tensor "${name}" has unsupported dtype ${st}`);
  }
}

const FROM_ST: Record<string, StDType> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'float32',
  F64: 'float64',
  I64: 'int64',
  U64: 'int64',
  U32: 'int64',
  I32: 'int32',
  I16: 'int16',
  U16: 'int32',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

/** Parses a safetensors buffer, validating the header and that the tensors tile the data section exactly. */
export function decodeSafetensors(
  input: Uint8Array,
  source = 'buffer',
): { tensors: Record<string, StTensor>; metadata: Record<string, string> } {
  // A plain Uint8Array view: Node Buffers' slice() shares memory, and decodeData relies on slice() copying.
  const buf = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < 8) throw new SafetensorsError(`${source}: file is ${buf.length} bytes, too short for the 8-byte header length`);
  const n = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) throw new SafetensorsError(`${source}: header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  const hlen = Number(n);
  if (8 + hlen > buf.length)
    throw new SafetensorsError(`${source}: header length ${hlen} runs past the end of the ${buf.length}-byte file`);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + hlen));
  if (!text.startsWith('{')) throw new SafetensorsError(`${source}: header does not start with '{'`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new SafetensorsError(`${source}: header is not valid JSON (${(e as Error).message})`);
  }
  const data = buf.subarray(8 + hlen);
  const metadata: Record<string, string> = {};
  const entries: Array<{ name: string; st: string; shape: number[]; begin: number; end: number }> = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const [k, mv] of Object.entries((v ?? {}) as Record<string, unknown>)) {
        if (typeof mv !== 'string') throw new SafetensorsError(`${source}: metadata "${k}" is not a string`);
        metadata[k] = mv;
      }
      continue;
    }
    const info = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const st = info.dtype;
    if (typeof st !== 'string' || !(st in ITEM_SIZE))
      throw new SafetensorsError(`${source}: tensor "${name}" has unknown dtype ${String(st)}`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new SafetensorsError(`${source}: tensor "${name}" has an invalid shape`);
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0)) {
      throw new SafetensorsError(`${source}: tensor "${name}" has invalid data_offsets`);
    }
    const [begin, end] = offs as [number, number];
    const want = numel(shape as number[]) * ITEM_SIZE[st]!;
    if (end - begin !== want) {
      throw new SafetensorsError(
        `${source}: tensor "${name}" spans ${end - begin} bytes but ${st}[${(shape as number[]).join(', ')}] needs ${want}`,
      );
    }
    entries.push({ name, st, shape: shape as number[], begin, end });
  }
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin !== expected)
      throw new SafetensorsError(
        `${source}: tensor "${e.name}" starts at data offset ${e.begin}, expected ${expected} (holes or overlaps)`,
      );
    expected = e.end;
  }
  if (expected !== data.length)
    throw new SafetensorsError(`${source}: tensors cover ${expected} data bytes but the file holds ${data.length}`);
  const tensors: Record<string, StTensor> = {};
  for (const e of entries) {
    tensors[e.name] = {
      dtype: FROM_ST[e.st]!,
      shape: e.shape.slice(),
      data: decodeData(e.st, data.subarray(e.begin, e.end), numel(e.shape), e.name),
    };
  }
  return { tensors, metadata };
}
