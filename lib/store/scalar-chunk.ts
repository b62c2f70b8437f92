// Packing of scalar points into one blob per chunk (up to CHUNK_POINTS points of one tag from one
// file, in file order). Column layout so a reader gets typed-array views without parsing:
//   [u8 stepFmt, u8 valueFmt, u16 0, u32 n]  steps (i32 | f64 | i64)  pad to 8  walls f64  values (f32 | f64)
// f32 values are used when every value is exactly a float32 (simple_value always is), i32 steps when
// every step fits: a typical point costs 16 bytes. Missing wall times are NaN.

export const CHUNK_POINTS = 1024;

/** Marks stored per chunk, in this order: first, lowest, highest, last, first non-finite point. */
export const MARKS = 5;
/** Each mark is [index in chunk (-1: none), step, wall time, value] as float64. */
export const MARK_FIELDS = 4;

const STEP_I32 = 0;
const STEP_F64 = 1;
const STEP_I64 = 2;
const VALUE_F32 = 0;
const VALUE_F64 = 1;
const HEADER = 8;

/** Points of a chunk being filled. Steps live in `steps` (safe integers) until a step past 2^53
 *  arrives; from then on `bigSteps` holds all of them. */
export class ScalarAccum {
  n = 0;
  /** Columns with room for `cap` points; they start small and double up to CHUNK_POINTS, because
   *  a sweep of small runs opens one accumulator per tag and file for a few dozen points each. */
  private cap: number;
  steps: Float64Array;
  bigSteps: BigInt64Array | null = null;
  walls: Float64Array;
  values: Float64Array;
  /** Row id of this chunk when it is already in the database (a partly filled tail). */
  rowId: number | null = null;
  dirty = false;
  constructor(
    public tagId: number,
    public fileId: number,
    capacity = FIRST_CAPACITY,
  ) {
    this.cap = Math.min(CHUNK_POINTS, Math.max(1, capacity));
    this.steps = new Float64Array(this.cap);
    this.walls = new Float64Array(this.cap);
    this.values = new Float64Array(this.cap);
  }

  get full(): boolean {
    return this.n === CHUNK_POINTS;
  }
  get capacity(): number {
    return this.cap;
  }

  /** Empty this accumulator for another chunk (its columns are kept). */
  reuse(tagId: number, fileId: number): this {
    this.tagId = tagId;
    this.fileId = fileId;
    this.n = 0;
    this.bigSteps = null;
    this.rowId = null;
    this.dirty = false;
    return this;
  }

  push(step: number | bigint, wall: number, value: number): void {
    const i = this.n;
    if (i === this.cap) this.grow();
    if (typeof step === 'bigint' || this.bigSteps) {
      if (!this.bigSteps) {
        this.bigSteps = new BigInt64Array(this.cap);
        for (let j = 0; j < i; j++) this.bigSteps[j] = BigInt(this.steps[j]!);
      }
      this.bigSteps[i] = BigInt(step);
    } else {
      this.steps[i] = step;
    }
    this.walls[i] = wall;
    this.values[i] = value;
    this.n = i + 1;
    this.dirty = true;
  }

  private grow(): void {
    if (this.cap >= CHUNK_POINTS) throw new Error('ScalarAccum: chunk is full');
    const cap = Math.min(CHUNK_POINTS, this.cap * 2);
    const more = <T extends Float64Array | BigInt64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a as never);
      return b;
    };
    this.steps = more(this.steps);
    this.walls = more(this.walls);
    this.values = more(this.values);
    if (this.bigSteps) this.bigSteps = more(this.bigSteps);
    this.cap = cap;
  }
}

/** Points an accumulator has room for before it first grows. */
const FIRST_CAPACITY = 32;

export interface ChunkStats {
  n: number;
  /** Display marks of the chunk (see MARKS): lets downsampling skip the points blob. */
  marks: Buffer;
  minStep: number | bigint;
  maxStep: number | bigint;
  minValue: number | null;
  maxValue: number | null;
  minWall: number | null;
  maxWall: number | null;
  sorted: boolean;
}

export function chunkStats(a: ScalarAccum): ChunkStats {
  const n = a.n;
  let minV = Infinity,
    maxV = -Infinity,
    minW = Infinity,
    maxW = -Infinity;
  let minI = -1,
    maxI = -1,
    badI = -1;
  const { walls, values } = a;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < minV || (minI < 0 && v === Infinity)) {
      minV = v;
      minI = i;
    }
    if (v > maxV || (maxI < 0 && v === -Infinity)) {
      maxV = v;
      maxI = i;
    }
    if (badI < 0 && (v !== v || v === Infinity || v === -Infinity)) badI = i;
    const w = walls[i]!;
    if (w < minW) minW = w;
    if (w > maxW) maxW = w;
  }
  let minS: number | bigint,
    maxS: number | bigint,
    sorted = true;
  if (a.bigSteps) {
    const s = a.bigSteps;
    let lo = s[0]!,
      hi = s[0]!;
    for (let i = 1; i < n; i++) {
      const x = s[i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      if (x < s[i - 1]!) sorted = false;
    }
    minS = lo;
    maxS = hi;
  } else {
    const s = a.steps;
    let lo = s[0]!,
      hi = s[0]!;
    for (let i = 1; i < n; i++) {
      const x = s[i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      if (x < s[i - 1]!) sorted = false;
    }
    minS = lo;
    maxS = hi;
  }
  // From Node's shared allocation pool (a sweep writes one chunk per tag and file, and an
  // ArrayBuffer of its own per blob was a large share of the ingest's garbage, issue 16).
  const marksBuf = alignedBytes(MARK_FIELDS * MARKS * 8);
  const marks = new Float64Array(marksBuf.buffer, marksBuf.byteOffset, MARK_FIELDS * MARKS);
  setMark(marks, 0, a, 0);
  setMark(marks, 1, a, minI);
  setMark(marks, 2, a, maxI);
  setMark(marks, 3, a, n - 1);
  setMark(marks, 4, a, badI);
  return {
    n,
    minStep: minS,
    maxStep: maxS,
    sorted,
    marks: marksBuf,
    // All-NaN chunks have no min/max; an infinite value is a legitimate extreme.
    minValue: minI < 0 ? null : minV,
    maxValue: maxI < 0 ? null : maxV,
    minWall: minW === Infinity ? null : minW,
    maxWall: maxW === -Infinity ? null : maxW,
  };
}

/** Mark k of `marks`: point i of the chunk (-1: none). */
function setMark(marks: Float64Array, k: number, a: ScalarAccum, i: number): void {
  const o = k * MARK_FIELDS;
  marks[o] = i;
  marks[o + 1] = i >= 0 ? (a.bigSteps ? Number(a.bigSteps[i]!) : a.steps[i]!) : 0;
  marks[o + 2] = i >= 0 ? a.walls[i]! : 0;
  marks[o + 3] = i >= 0 ? a.values[i]! : 0;
}

export function encodeChunk(a: ScalarAccum): Buffer {
  const n = a.n;
  let stepFmt = STEP_I32;
  if (a.bigSteps) stepFmt = STEP_I64;
  else {
    const s = a.steps;
    for (let i = 0; i < n; i++) {
      const x = s[i]!;
      if (x !== (x | 0)) {
        stepFmt = STEP_F64;
        break;
      }
    }
  }
  let valueFmt = VALUE_F32;
  const vals = a.values;
  for (let i = 0; i < n; i++) {
    const v = vals[i]!;
    if (Math.fround(v) !== v && v === v) {
      valueFmt = VALUE_F64;
      break;
    }
  }
  const stepBytes = n * (stepFmt === STEP_I32 ? 4 : 8);
  const wallOff = align8(HEADER + stepBytes);
  const valueOff = wallOff + n * 8;
  const total = valueOff + n * (valueFmt === VALUE_F32 ? 4 : 8);
  const out = alignedBytes(total);
  const ab = out.buffer,
    base = out.byteOffset;
  out[0] = stepFmt;
  out[1] = valueFmt;
  out[2] = 0;
  out[3] = 0;
  out.writeUInt32LE(n, 4);
  if (stepFmt === STEP_I32) {
    const d = new Int32Array(ab, base + HEADER, n);
    for (let i = 0; i < n; i++) d[i] = a.steps[i]!;
  } else if (stepFmt === STEP_F64) new Float64Array(ab, base + HEADER, n).set(a.steps.subarray(0, n));
  else new BigInt64Array(ab, base + HEADER, n).set(a.bigSteps!.subarray(0, n));
  out.fill(0, HEADER + stepBytes, wallOff); // the padding (pooled bytes are not zeroed)
  new Float64Array(ab, base + wallOff, n).set(a.walls.subarray(0, n));
  if (valueFmt === VALUE_F32) new Float32Array(ab, base + valueOff, n).set(vals.subarray(0, n));
  else new Float64Array(ab, base + valueOff, n).set(vals.subarray(0, n));
  return out;
}

/**
 * `size` uninitialized bytes at an 8-byte aligned offset, for float64 views. Small sizes come from
 * Node's shared pool (Buffer.allocUnsafe carves them from one 8 KiB slab and keeps offsets 8-byte
 * aligned) instead of an ArrayBuffer each; anything else gets its own.
 */
function alignedBytes(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  return b.byteOffset % 8 === 0 ? b : Buffer.from(new ArrayBuffer(size));
}

/** Decoded columns of a chunk. `steps` is numeric unless a step is past 2^53 (then `bigSteps`). */
export interface ChunkColumns {
  n: number;
  steps: Float64Array | Int32Array | null;
  bigSteps: BigInt64Array | null;
  walls: Float64Array;
  values: Float32Array | Float64Array;
}

export function decodeChunk(buf: Uint8Array): ChunkColumns {
  // Typed-array views need an 8-byte aligned base; blobs from SQLite usually are (own allocation).
  const aligned = buf.byteOffset % 8 === 0 ? buf : new Uint8Array(buf);
  const ab = aligned.buffer as ArrayBuffer,
    base = aligned.byteOffset;
  const stepFmt = aligned[0]!,
    valueFmt = aligned[1]!;
  const n = new DataView(ab, base, HEADER).getUint32(4, true);
  const stepBytes = n * (stepFmt === STEP_I32 ? 4 : 8);
  const wallOff = align8(HEADER + stepBytes);
  const valueOff = wallOff + n * 8;
  const expected = valueOff + n * (valueFmt === VALUE_F32 ? 4 : 8);
  if (aligned.byteLength < expected) throw new Error(`scalar chunk: ${aligned.byteLength} bytes, expected ${expected} for ${n} points`);
  return {
    n,
    steps:
      stepFmt === STEP_I32 ? new Int32Array(ab, base + HEADER, n) : stepFmt === STEP_F64 ? new Float64Array(ab, base + HEADER, n) : null,
    bigSteps: stepFmt === STEP_I64 ? new BigInt64Array(ab, base + HEADER, n) : null,
    walls: new Float64Array(ab, base + wallOff, n),
    values: valueFmt === VALUE_F32 ? new Float32Array(ab, base + valueOff, n) : new Float64Array(ab, base + valueOff, n),
  };
}

/** Refill an accumulator from a stored partial chunk so appends continue it. */
export function accumFromChunk(tagId: number, fileId: number, rowId: number, buf: Uint8Array): ScalarAccum {
  const c = decodeChunk(buf);
  const a = new ScalarAccum(tagId, fileId, CHUNK_POINTS);
  a.rowId = rowId;
  a.n = c.n;
  if (c.bigSteps) {
    a.bigSteps = new BigInt64Array(CHUNK_POINTS);
    a.bigSteps.set(c.bigSteps);
  } else a.steps.set(c.steps!);
  a.walls.set(c.walls);
  a.values.set(c.values);
  return a;
}

function align8(x: number): number {
  return (x + 7) & ~7;
}
