// Reads TensorFlow's V2 checkpoints (tf.train.Checkpoint / Saver): `<prefix>.index`, a LevelDB-format
// table mapping each tensor name to a BundleEntryProto (dtype, shape, shard, offset, size, crc32c),
// and `<prefix>.data-SSSSS-of-NNNNN` shards holding the raw little-endian tensor bytes. The projector
// needs it: TensorFlow's own tutorial saves the embedding in a checkpoint and names it in
// projector_config.pbtxt by tensor_name only. Only what that needs is here: list tensors, read one
// numeric tensor. Every block and tensor is checked against its CRC-32C.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { crc32c, unmaskCrc } from './crc32c.ts';
import { DT, dtypeName, dtypeSize } from './dtypes.ts';
import { contentElement, parseShape } from './tensor.ts';
import { ProtoReader, WIRE_FIXED32, WIRE_LEN, WIRE_VARINT } from './wire.ts';

export class CheckpointError extends Error {}

export interface CheckpointTensor {
  name: string;
  dtype: number;
  shape: number[];
  shard: number;
  offset: number;
  size: number;
  /** Masked CRC-32C of the tensor's bytes, when the writer stored one. */
  crc: number | null;
  /** True for a variable saved in partitions (its data lives in slice entries, not read here). */
  sliced: boolean;
}

export interface CheckpointIndex {
  prefix: string;
  numShards: number;
  tensors: Map<string, CheckpointTensor>;
}

const TABLE_MAGIC_LO = 0x8b80fb57;
const TABLE_MAGIC_HI = 0xdb477524;
const FOOTER_BYTES = 48;
/** An index file larger than this is not a checkpoint index we should hold in memory. */
const MAX_INDEX_BYTES = 256 * 1024 * 1024;

/** `<prefix>.index` of a checkpoint prefix. */
export function indexFileOf(prefix: string): string {
  return `${prefix}.index`;
}

/**
 * The checkpoint named by the `checkpoint` state file in `dir` (what tf.train.latest_checkpoint
 * reads), or null when there is none or its index file is missing. Relative paths are relative to dir.
 */
export function latestCheckpoint(dir: string): string | null {
  const state = join(dir, 'checkpoint');
  if (!existsSync(state)) return null;
  const m = /^\s*model_checkpoint_path\s*:\s*"((?:[^"\\]|\\.)*)"/m.exec(readFileSync(state, 'utf8'));
  if (!m) return null;
  const path = m[1]!.replace(/\\(.)/g, '$1');
  const prefix = isAbsolute(path) ? path : resolve(dir, path);
  return existsSync(indexFileOf(prefix)) ? prefix : null;
}

/** A block handle: offset and size of a table block. */
interface Handle {
  offset: number;
  size: number;
}

function readHandle(r: ProtoReader): Handle {
  const offset = r.int64Number();
  const size = r.int64Number();
  return { offset, size };
}

/** The contents of the block at `h` (its 5-byte trailer checked and removed). */
function blockAt(file: string, buf: Uint8Array, h: Handle): Uint8Array {
  const end = h.offset + h.size;
  if (h.offset < 0 || end + 5 > buf.length)
    throw new CheckpointError(`${file}: block at offset ${h.offset} (${h.size} bytes) runs past the end of the file`);
  const type = buf[end]!;
  const stored = new DataView(buf.buffer, buf.byteOffset + end + 1, 4).getUint32(0, true);
  // The CRC covers the block's contents and its type byte.
  if (crc32c(buf, h.offset, end + 1) !== unmaskCrc(stored))
    throw new CheckpointError(`${file}: corrupt block at offset ${h.offset} (CRC mismatch)`);
  if (type !== 0)
    throw new CheckpointError(`${file}: block at offset ${h.offset} is compressed (type ${type}); only uncompressed tables are supported`);
  return buf.subarray(h.offset, end);
}

/** Every (key, value) of a table block, in order. */
function* blockEntries(file: string, block: Uint8Array, blockOffset: number): Generator<[Uint8Array, Uint8Array]> {
  if (block.length < 4) throw new CheckpointError(`${file}: block at offset ${blockOffset} is too short`);
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const restarts = view.getUint32(block.length - 4, true);
  const limit = block.length - 4 - 4 * restarts;
  if (limit < 0) throw new CheckpointError(`${file}: block at offset ${blockOffset} has a bad restart count ${restarts}`);
  const r = new ProtoReader(block);
  r.reset(0, limit);
  let key = new Uint8Array(0);
  while (r.pos < limit) {
    const shared = r.uint32();
    const unshared = r.uint32();
    const valueLength = r.uint32();
    if (shared > key.length || r.pos + unshared + valueLength > limit)
      throw new CheckpointError(`${file}: bad entry at offset ${blockOffset + r.pos} of a table block`);
    const next = new Uint8Array(shared + unshared);
    next.set(key.subarray(0, shared));
    next.set(block.subarray(r.pos, r.pos + unshared), shared);
    key = next;
    r.pos += unshared;
    yield [key, block.subarray(r.pos, r.pos + valueLength)];
    r.pos += valueLength;
  }
}

function parseEntry(name: string, value: Uint8Array): CheckpointTensor {
  const r = new ProtoReader(value);
  r.reset(0, value.length);
  const t: CheckpointTensor = { name, dtype: 0, shape: [], shard: 0, offset: 0, size: 0, crc: null, sliced: false };
  while (r.pos < value.length) {
    const tag = r.uint32();
    const field = tag >>> 3,
      wire = tag & 7;
    if (field === 1 && wire === WIRE_VARINT) t.dtype = r.uint32();
    else if (field === 2 && wire === WIRE_LEN) {
      const end = r.lenEnd();
      const saved = r.end;
      r.end = end;
      parseShape(r, end, t.shape);
      r.end = saved;
    } else if (field === 3 && wire === WIRE_VARINT) t.shard = r.uint32();
    else if (field === 4 && wire === WIRE_VARINT) t.offset = r.int64Number();
    else if (field === 5 && wire === WIRE_VARINT) t.size = r.int64Number();
    else if (field === 6 && wire === WIRE_FIXED32) t.crc = r.fixed32();
    else if (field === 7 && wire === WIRE_LEN) {
      t.sliced = true;
      r.pos = r.lenEnd();
    } else r.skip(wire);
  }
  return t;
}

/** Reads `<prefix>.index`: the tensors of a checkpoint. */
export function readCheckpointIndex(prefix: string): CheckpointIndex {
  const file = indexFileOf(prefix);
  if (!existsSync(file)) throw new CheckpointError(`checkpoint index not found: ${file}`);
  // Checked before reading: the limit exists to keep an oversized file out of memory.
  if (statSync(file).size > MAX_INDEX_BYTES) throw new CheckpointError(`${file} is over ${MAX_INDEX_BYTES >> 20} MiB`);
  const buf = readFileSync(file);
  if (buf.length < FOOTER_BYTES) throw new CheckpointError(`${file}: too short for a table (${buf.length} bytes)`);
  const footer = buf.length - FOOTER_BYTES;
  const magic = new DataView(buf.buffer, buf.byteOffset + buf.length - 8, 8);
  if (magic.getUint32(0, true) !== TABLE_MAGIC_LO || magic.getUint32(4, true) !== TABLE_MAGIC_HI)
    throw new CheckpointError(`${file}: not a checkpoint index (bad table magic at offset ${buf.length - 8})`);
  const r = new ProtoReader(buf);
  r.reset(footer, buf.length - 8);
  readHandle(r); // metaindex: unused by checkpoints
  const indexHandle = readHandle(r);
  const out: CheckpointIndex = { prefix, numShards: 1, tensors: new Map() };
  const decoder = new TextDecoder();
  for (const [, handleBytes] of blockEntries(file, blockAt(file, buf, indexHandle), indexHandle.offset)) {
    const hr = new ProtoReader(handleBytes);
    hr.reset(0, handleBytes.length);
    const h = readHandle(hr);
    for (const [key, value] of blockEntries(file, blockAt(file, buf, h), h.offset)) {
      if (key.length === 0) {
        // The BundleHeaderProto: num_shards (1) and endianness (2: 0 little, 1 big).
        const hdr = new ProtoReader(value);
        hdr.reset(0, value.length);
        while (hdr.pos < value.length) {
          const tag = hdr.uint32();
          if (tag === 1 << 3) out.numShards = hdr.uint32();
          else if (tag === 2 << 3) {
            if (hdr.uint32() !== 0) throw new CheckpointError(`${file}: big-endian checkpoints are not supported`);
          } else hdr.skip(tag & 7);
        }
        continue;
      }
      const name = decoder.decode(key);
      out.tensors.set(name, parseEntry(name, value));
    }
  }
  return out;
}

function shardFile(prefix: string, shard: number, numShards: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${prefix}.data-${pad(shard)}-of-${pad(numShards)}`;
}

/** Most bytes one tensor may have to be read (the projector's budget is far below this). */
export const MAX_TENSOR_BYTES = 512 * 1024 * 1024;

/** One numeric tensor of a checkpoint as float32 (doubles, halves, bfloat16 and integers converted). */
export function readCheckpointTensorF32(
  index: CheckpointIndex,
  name: string,
  maxBytes = MAX_TENSOR_BYTES,
): { shape: number[]; data: Float32Array } {
  const t = index.tensors.get(name);
  if (!t) throw new CheckpointError(`no tensor '${name}' in checkpoint ${index.prefix}`);
  if (t.sliced) throw new CheckpointError(`tensor '${name}' in ${index.prefix} is saved in partitions, which are not supported`);
  const width = dtypeSize(t.dtype);
  if (width === 0 || t.dtype === DT.BOOL) throw new CheckpointError(`tensor '${name}' has dtype ${dtypeName(t.dtype)}, not a number type`);
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count * width !== t.size)
    throw new CheckpointError(
      `tensor '${name}': shape [${t.shape.join(', ')}] of ${dtypeName(t.dtype)} needs ${count * width} bytes, the index says ${t.size}`,
    );
  if (t.size > maxBytes) throw new CheckpointError(`tensor '${name}' is ${t.size} bytes, over the ${maxBytes}-byte limit`);
  const file = shardFile(index.prefix, t.shard, index.numShards);
  if (!existsSync(file)) throw new CheckpointError(`checkpoint data file not found: ${file}`);
  const bytes = Buffer.alloc(t.size);
  const fd = openSync(file, 'r');
  try {
    if (fstatSync(fd).size < t.offset + t.size)
      throw new CheckpointError(`${file}: tensor '${name}' at offset ${t.offset} (${t.size} bytes) runs past the end of the file`);
    let got = 0;
    while (got < t.size) {
      const n = readSync(fd, bytes, got, t.size - got, t.offset + got);
      if (n === 0) break;
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  if (t.crc !== null && crc32c(bytes) !== unmaskCrc(t.crc))
    throw new CheckpointError(`${file}: tensor '${name}' at offset ${t.offset} is corrupt (CRC mismatch)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = contentElement(view, t.dtype, i * width);
  return { shape: t.shape, data: out };
}
