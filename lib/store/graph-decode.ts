// Decoding of stored GraphDef / RunMetadata bytes into the nodes the graph view draws. A small
// protobuf wire reader over the few messages involved (field numbers from proto/graph.proto,
// node_def.proto, attr_value.proto, tensor_shape.proto, run_metadata.proto), so the query module
// loads no .proto file at run time (it also runs bundled inside the Next.js server).
import type { GraphNode, GraphView } from './types.ts';

export function decodeGraphs(run: string, rows: { source: string; tag: string | null; step: number; bytes: Uint8Array }[]): GraphView[] {
  const out: GraphView[] = [];
  for (const r of rows) {
    try {
      const nodes = r.source === 'run_metadata' ? runMetadataNodes(r.bytes) : graphDefNodes(r.bytes);
      out.push({ run, source: r.source, step: r.step, nodes });
    } catch (err) {
      out.push({ run, source: r.source, step: r.step, nodes: [], error: `undecodable ${r.source}: ${(err as Error).message}` });
    }
  }
  return out;
}

/** Nodes of a serialized GraphDef (field 1: repeated NodeDef). */
export function graphDefNodes(bytes: Uint8Array): GraphNode[] {
  const nodes: GraphNode[] = [];
  const r = new Wire(bytes);
  while (r.more()) {
    const [field, wt] = r.tag();
    if (field === 1 && wt === 2) nodes.push(nodeDef(r.sub()));
    else r.skip(wt);
  }
  return nodes;
}

function nodeDef(r: Wire): GraphNode {
  const node: GraphNode = { name: '', op: '', inputs: [], attrs: {} };
  while (r.more()) {
    const [f, wt] = r.tag();
    if (wt !== 2) {
      r.skip(wt);
      continue;
    }
    if (f === 1) node.name = r.string();
    else if (f === 2) node.op = r.string();
    else if (f === 3) node.inputs.push(r.string());
    else if (f === 4) node.device = r.string();
    else if (f === 5) {
      const e = r.sub();
      let key = '',
        value: unknown = null;
      while (e.more()) {
        const [ef, ewt] = e.tag();
        if (ef === 1 && ewt === 2) key = e.string();
        else if (ef === 2 && ewt === 2) value = attrValue(e.sub());
        else e.skip(ewt);
      }
      node.attrs[key] = value;
    } else r.skip(wt);
  }
  return node;
}

/** AttrValue rendered to JSON-able values: strings decoded, shapes as number arrays (-1 unknown). */
function attrValue(r: Wire): unknown {
  let v: unknown = null;
  while (r.more()) {
    const [f, wt] = r.tag();
    switch (f) {
      case 1:
        v = listValue(r.sub());
        break;
      case 2:
        v = r.string();
        break;
      case 3:
        v = r.int64();
        break;
      case 4:
        v = r.float();
        break;
      case 5:
        v = r.varint() !== 0;
        break;
      case 6:
        v = { dtype: r.varint() };
        break;
      case 7:
        v = shape(r.sub());
        break;
      case 8:
        r.skip(wt);
        v = { tensor: true };
        break;
      case 9:
        v = { placeholder: r.string() };
        break;
      case 10:
        v = { func: nameOnly(r.sub()) };
        break;
      default:
        r.skip(wt);
    }
  }
  return v;
}

function listValue(r: Wire): unknown[] {
  const out: unknown[] = [];
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f === 2 && wt === 2) out.push(r.string());
    else if (f === 3) r.packedOr(wt, () => out.push(r.int64()));
    else if (f === 4) r.packedOr(wt, () => out.push(r.float()), 5);
    else if (f === 5) r.packedOr(wt, () => out.push(r.varint() !== 0));
    else if (f === 6) r.packedOr(wt, () => out.push({ dtype: r.varint() }));
    else if (f === 7 && wt === 2) out.push(shape(r.sub()));
    else if (f === 9 && wt === 2) out.push({ func: nameOnly(r.sub()) });
    else r.skip(wt);
  }
  return out;
}

function shape(r: Wire): number[] | null {
  const dims: number[] = [];
  let unknownRank = false;
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f === 2 && wt === 2) {
      const d = r.sub();
      let size = -1;
      while (d.more()) {
        const [df, dwt] = d.tag();
        if (df === 1 && dwt === 0) size = d.int64();
        else d.skip(dwt);
      }
      dims.push(size);
    } else if (f === 3 && wt === 0) unknownRank = r.varint() !== 0;
    else r.skip(wt);
  }
  return unknownRank ? null : dims;
}

function nameOnly(r: Wire): string {
  let name = '';
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === 2) name = r.string();
    else r.skip(wt);
  }
  return name;
}

/** Nodes of a RunMetadata: its partition graphs, annotated with step stats (time, memory); when it
 *  holds only step stats (PyTorch's add_graph profile), one node per executed op. */
export function runMetadataNodes(bytes: Uint8Array): GraphNode[] {
  const r = new Wire(bytes);
  const nodes: GraphNode[] = [];
  const stats = new Map<string, { device: string; stats: Record<string, number> }>();
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === 2) stepStats(r.sub(), stats);
    else if (f === 3 && wt === 2) nodes.push(...graphDefNodes(r.bytes()));
    else if (f === 4 && wt === 2) {
      const fg = r.sub(); // FunctionGraphs: partition_graphs = 1
      while (fg.more()) {
        const [ff, fwt] = fg.tag();
        if (ff === 1 && fwt === 2) nodes.push(...graphDefNodes(fg.bytes()));
        else fg.skip(fwt);
      }
    } else r.skip(wt);
  }
  if (nodes.length === 0) {
    for (const [name, s] of stats) nodes.push({ name, op: '', inputs: [], device: s.device, attrs: { _stepStats: s.stats } });
    return nodes;
  }
  for (const n of nodes) {
    const s = stats.get(n.name);
    if (s) n.attrs._stepStats = s.stats;
  }
  return nodes;
}

function stepStats(r: Wire, out: Map<string, { device: string; stats: Record<string, number> }>): void {
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f !== 1 || wt !== 2) {
      r.skip(wt);
      continue;
    }
    const dev = r.sub(); // DeviceStepStats: device = 1, node_stats = 2
    let device = '';
    const pending: [string, Record<string, number>][] = [];
    while (dev.more()) {
      const [df, dwt] = dev.tag();
      if (df === 1 && dwt === 2) device = dev.string();
      else if (df === 2 && dwt === 2) pending.push(nodeExecStats(dev.sub()));
      else dev.skip(dwt);
    }
    for (const [name, stats] of pending) out.set(name, { device, stats });
  }
}

function nodeExecStats(r: Wire): [string, Record<string, number>] {
  let name = '';
  const s: Record<string, number> = {};
  const names: Record<number, string> = {
    2: 'allStartMicros',
    3: 'opStartRelMicros',
    4: 'opEndRelMicros',
    5: 'allEndRelMicros',
    9: 'scheduledMicros',
    10: 'threadId',
  };
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === 2) name = r.string();
    else if (names[f] && wt === 0) s[names[f]!] = r.int64();
    else if (f === 6 && wt === 2) {
      const m = r.sub(); // AllocatorMemoryUsed: total_bytes = 2, peak_bytes = 3
      while (m.more()) {
        const [mf, mwt] = m.tag();
        if (mf === 2 && mwt === 0) s.totalBytes = (s.totalBytes ?? 0) + m.int64();
        else if (mf === 3 && mwt === 0) s.peakBytes = (s.peakBytes ?? 0) + m.int64();
        else m.skip(mwt);
      }
    } else r.skip(wt);
  }
  return [name, s];
}

const utf8 = new TextDecoder();

/** Minimal protobuf wire-format reader. */
class Wire {
  private pos: number;
  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }
  more(): boolean {
    return this.pos < this.end;
  }
  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t & 7];
  }
  varint(): number {
    let result = 0,
      mul = 1,
      b: number;
    do {
      if (this.pos >= this.end) throw new Error('truncated varint');
      b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    return result;
  }
  /** int64 as a number (two's complement negatives come back negative; past 2^53 rounded). */
  int64(): number {
    const start = this.pos;
    const v = this.varint();
    if (this.pos - start < 8) return v; // < 2^49: exact as a double
    // Long varints (negatives take 10 bytes): redo them in BigInt so the sign survives.
    let x = 0n,
      shift = 0n;
    for (let p = start; p < this.pos; p++, shift += 7n) x |= BigInt(this.buf[p]! & 0x7f) << shift;
    return Number(BigInt.asIntN(64, x));
  }
  float(): number {
    if (this.pos + 4 > this.end) throw new Error('truncated float');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }
  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Error('truncated length-delimited field');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
  string(): string {
    return utf8.decode(this.bytes());
  }
  sub(): Wire {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Error('truncated sub-message');
    const w = new Wire(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return w;
  }
  /** A repeated scalar field, packed (wire type 2) or not. */
  packedOr(wt: number, readOne: () => void, unpackedWt = 0): void {
    if (wt !== 2) {
      if (wt === unpackedWt) readOne();
      else this.skip(wt);
      return;
    }
    const len = this.varint();
    const stop = this.pos + len;
    if (stop > this.end) throw new Error('truncated packed field');
    while (this.pos < stop) readOne();
  }
  skip(wt: number): void {
    if (wt === 0) this.varint();
    else if (wt === 1) this.pos += 8;
    else if (wt === 2) {
      const len = this.varint();
      this.pos += len;
    } else if (wt === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wt}`);
    if (this.pos > this.end) throw new Error('truncated field');
  }
}
