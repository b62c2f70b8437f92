// add_graph: a model's graph as a GraphDef (+ a RunMetadata with step stats, tag "step1", as
// PyTorch writes). Nodes carry their output shapes in `_output_shapes` and their other attributes
// in AttrValues, like torch.utils.tensorboard._pytorch_graph does. Models are turned into a
// GraphDescription by a tracer that lib/nn registers with setGraphTracer().
import { decodeToJson, encodeFromJson } from './proto.ts';

export type GraphAttr = string | number | boolean | number[] | string[];

export interface GraphNode {
  /** Unique; '/' separates name scopes, which TensorBoard draws as collapsible groups. */
  name: string;
  op: string;
  /** Names of the nodes whose outputs this node consumes. */
  inputs: string[];
  device?: string;
  attrs?: Record<string, GraphAttr>;
  /** One shape per output. */
  outputShapes?: number[][];
  /** Element type of the output, e.g. 'float32'. */
  dtype?: string;
  /** Module scope, e.g. 'Net/Linear[fc1]'. */
  scope?: string;
  /** Measured execution time of this node (forward), written as step stats. */
  timing?: { startMicros: number; durationMicros: number };
}

export interface GraphDescription {
  nodes: GraphNode[];
}

export type GraphTracer = (model: unknown, input: unknown) => GraphDescription;

let tracer: GraphTracer | null = null;

/** Registers the function addGraph(model, input) uses to trace a model (lib/nn/trace.ts calls this). */
export function setGraphTracer(fn: GraphTracer | null): void {
  tracer = fn;
}

export function isGraphDescription(x: unknown): x is GraphDescription {
  return typeof x === 'object' && x !== null && Array.isArray((x as GraphDescription).nodes);
}

/** The GraphDescription for addGraph's arguments: given directly, or traced. */
export function describeGraph(model: unknown, input: unknown): GraphDescription {
  if (isGraphDescription(model)) return model;
  if (tracer === null) {
    throw new Error(
      'addGraph: no graph tracer is registered; pass a GraphDescription ({ nodes: [...] }) or import the nn module, which registers one',
    );
  }
  return tracer(model, input);
}

const DTYPE_ENUM: Record<string, string> = {
  float32: 'DT_FLOAT',
  float64: 'DT_DOUBLE',
  int32: 'DT_INT32',
  int64: 'DT_INT64',
  uint8: 'DT_UINT8',
  int8: 'DT_INT8',
  int16: 'DT_INT16',
  bool: 'DT_BOOL',
  float16: 'DT_HALF',
  bfloat16: 'DT_BFLOAT16',
};

const te = new TextEncoder();

function shapeProto(shape: number[]): Record<string, unknown> {
  return { dim: shape.map((size) => ({ size })) };
}

function attrValue(name: string, v: GraphAttr): Record<string, unknown> {
  if (typeof v === 'string') return { s: te.encode(v) };
  if (typeof v === 'boolean') return { b: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { i: v } : { f: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { list: { s: (v as string[]).map((x) => te.encode(x)) } };
    if (v.every((x) => typeof x === 'number')) {
      return (v as number[]).every(Number.isInteger) ? { list: { i: v } } : { list: { f: v } };
    }
  }
  throw new Error(`addGraph: attribute '${name}' must be a string, number, boolean, number[] or string[]`);
}

function validate(g: GraphDescription): void {
  const names = new Set<string>();
  for (const n of g.nodes) {
    if (typeof n.name !== 'string' || n.name === '') throw new Error('addGraph: every node needs a non-empty name');
    if (names.has(n.name)) throw new Error(`addGraph: duplicate node name '${n.name}'`);
    names.add(n.name);
  }
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      const base = i.replace(/^\^/, '').replace(/:\d+$/, '');
      if (!names.has(base)) throw new Error(`addGraph: node '${n.name}' has input '${i}', which is not a node of the graph`);
    }
  }
}

/** Serialized GraphDef (versions.producer = 22, as PyTorch writes). */
export function encodeGraphDef(g: GraphDescription): Uint8Array {
  validate(g);
  const node = g.nodes.map((n) => {
    const attr: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n.attrs ?? {})) attr[k] = attrValue(k, v);
    if (n.outputShapes) attr._output_shapes = { list: { shape: n.outputShapes.map(shapeProto) } };
    if (n.dtype) attr.dtype = DTYPE_ENUM[n.dtype] ? { type: DTYPE_ENUM[n.dtype] } : { s: te.encode(n.dtype) };
    if (n.scope !== undefined) attr._scope = { s: te.encode(n.scope) };
    if (n.timing) attr._compute_time_us = { f: n.timing.durationMicros };
    const out: Record<string, unknown> = { name: n.name, op: n.op, input: n.inputs, attr };
    if (n.device) out.device = n.device;
    return out;
  });
  return encodeFromJson('tensorboard.GraphDef', { node, versions: { producer: 22 } });
}

/** Serialized RunMetadata: one CPU device, with node stats for the nodes that carry timings. */
export function encodeRunMetadata(g: GraphDescription): Uint8Array {
  const nodeStats = g.nodes
    .filter((n) => n.timing)
    .map((n) => {
      const d = Math.round(n.timing!.durationMicros);
      return {
        nodeName: n.name,
        allStartMicros: Math.round(n.timing!.startMicros),
        opStartRelMicros: 0,
        opEndRelMicros: d,
        allEndRelMicros: d,
      };
    });
  const dev: Record<string, unknown> = { device: '/device:CPU:0' };
  if (nodeStats.length) dev.nodeStats = nodeStats;
  return encodeFromJson('tensorboard.RunMetadata', { stepStats: { devStats: [dev] } });
}

/** A GraphDef (Event.graph_def bytes) as plain JSON: { node: [{ name, op, input, device, attr }], versions }. */
export function decodeGraphDef(bytes: Uint8Array): { node?: Array<Record<string, unknown>>; versions?: Record<string, unknown> } {
  return decodeToJson('tensorboard.GraphDef', bytes) as { node?: Array<Record<string, unknown>>; versions?: Record<string, unknown> };
}

/** A RunMetadata (tagged_run_metadata bytes) as plain JSON: { stepStats: { devStats: [{ device, nodeStats }] } }. */
export function decodeRunMetadata(bytes: Uint8Array): Record<string, unknown> {
  return decodeToJson('tensorboard.RunMetadata', bytes);
}
