// Test helpers for ingest and store tests: temp logdirs and hand-built event records (so a test
// controls every byte: where a record ends, which one is corrupt, what a truncated tail is).
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeRecord } from '../../lib/tfevents/record.ts';

export function tempDir(prefix = 'board-ingest-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---- a minimal protobuf encoder (Event { wall_time, step, file_version | summary }, and hostile values) ----
export class Bytes {
  private buf = new Uint8Array(64);
  private n = 0;
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }
  private push(b: number): void {
    this.room(1);
    this.buf[this.n++] = b;
  }
  varint(v: number | bigint): this {
    if (typeof v === 'number' && v >= 0 && Number.isSafeInteger(v)) {
      while (v >= 0x80) {
        this.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      this.push(v);
      return this;
    }
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.push(Number(x));
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  private raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  double(field: number, v: number): this {
    this.tag(field, 1);
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, v, true);
    this.raw(new Uint8Array(d.buffer));
    return this;
  }
  float(field: number, v: number): this {
    this.tag(field, 5);
    const d = new DataView(new ArrayBuffer(4));
    d.setFloat32(0, v, true);
    this.raw(new Uint8Array(d.buffer));
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    this.raw(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

export function fileVersionRecord(wall = 1.7e9): Uint8Array {
  return encodeRecord(new Bytes().double(1, wall).string(3, 'brain.Event:2').done());
}

/** One Event holding simple_value scalars (several tags share the event's step). */
export function scalarRecord(step: number | bigint, values: Record<string, number>, wall = 1.7e9 + Number(step)): Uint8Array {
  const summary = new Bytes();
  for (const [tag, v] of Object.entries(values)) summary.bytes(1, new Bytes().string(1, tag).float(2, v).done());
  const ev = new Bytes().double(1, wall);
  if (step !== 0 && step !== 0n) ev.tag(2, 0).varint(step);
  return encodeRecord(ev.bytes(5, summary.done()).done());
}

/** A TF2-style scalar: DT_FLOAT rank-0 tensor with the 'scalars' plugin on the value. */
export function tensorScalarRecord(step: number, tag: string, v: number, wall = 1.7e9 + step, withMetadata = true): Uint8Array {
  const f = Buffer.alloc(4);
  f.writeFloatLE(v);
  const tensor = new Bytes().tag(1, 0).varint(1).bytes(2, new Uint8Array(0)).bytes(4, f).done();
  const metadata = new Bytes().bytes(1, new Bytes().string(1, 'scalars').done()).done();
  const value = new Bytes().string(1, tag).bytes(8, tensor);
  if (withMetadata) value.bytes(9, metadata);
  return encodeRecord(new Bytes().double(1, wall).tag(2, 0).varint(step).bytes(5, new Bytes().bytes(1, value.done()).done()).done());
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts.map((p) => Buffer.from(p))));
}

/** Records for steps [from, to) of the given tags, value = f(tag index, step). */
export function scalarRecords(from: number, to: number, tags: string[], f = (t: number, s: number) => t * 1000 + s): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let s = from; s < to; s++) {
    const values: Record<string, number> = {};
    tags.forEach((tag, i) => {
      values[tag] = f(i, s);
    });
    parts.push(scalarRecord(s, values));
  }
  return concat(...parts);
}

export function writeEvents(path: string, ...records: Uint8Array[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, concat(...records));
}

export function appendEvents(path: string, ...records: Uint8Array[]): void {
  appendFileSync(path, concat(...records));
}

/** Poll `cond` until it holds (returns the elapsed ms) or fail after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await cond()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** An Event at `step` whose Summary holds the given encoded Summary.Value messages. */
export function valuesRecord(step: number, values: Uint8Array[], wall = 1.7e9 + step): Uint8Array {
  const summary = new Bytes();
  for (const v of values) summary.bytes(1, v);
  const ev = new Bytes().double(1, wall);
  if (step !== 0) ev.tag(2, 0).varint(step);
  return encodeRecord(ev.bytes(5, summary.done()).done());
}

/** A Summary.Value holding a TensorProto (dtype, shape dims, packed float_val) and optional plugin. */
export function tensorValue(
  tag: string,
  opts: { dtype?: number; dims?: number[]; floats?: number[]; strings?: string[]; plugin?: string; content?: Uint8Array },
): Uint8Array {
  const shape = new Bytes();
  for (const d of opts.dims ?? []) shape.bytes(2, new Bytes().tag(1, 0).varint(d).done());
  const t = new Bytes()
    .tag(1, 0)
    .varint(opts.dtype ?? 1)
    .bytes(2, shape.done());
  if (opts.floats) {
    const f = Buffer.alloc(4 * opts.floats.length);
    opts.floats.forEach((x, i) => f.writeFloatLE(x, 4 * i));
    t.bytes(5, f);
  }
  for (const s of opts.strings ?? []) t.string(8, s);
  const v = new Bytes().string(1, tag).bytes(8, t.done());
  if (opts.plugin) {
    const pd = new Bytes().string(1, opts.plugin);
    if (opts.content) pd.bytes(2, opts.content);
    v.bytes(9, new Bytes().bytes(1, pd.done()).done());
  }
  return v.done();
}

/** A Summary.Value with simple_value. */
export function simpleValue(tag: string, x: number): Uint8Array {
  return new Bytes().string(1, tag).float(2, x).done();
}
