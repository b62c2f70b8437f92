// Encoding of Events and the Summary values PyTorch's SummaryWriter writes, field for field
// (torch/utils/tensorboard/summary.py): same value oneof, same plugin names and payload bytes.
import { ProtoWriter } from './wire.ts';
import { DT } from './dtypes.ts';
import type { Step } from './types.ts';

export interface EventFields {
  wallTime: number;
  step?: Step | undefined;
  fileVersion?: string;
  /** Encoded Summary. */
  summary?: Uint8Array;
  graphDef?: Uint8Array;
  taggedRunMetadata?: { tag: string; runMetadata: Uint8Array };
  sourceWriter?: string;
}

/** Serialized Event (field order as protobuf serializers emit it: by field number). */
const eventWriter = new ProtoWriter();

export function encodeEvent(e: EventFields): Uint8Array {
  const w = eventWriter;
  w.length = 0;
  if (e.wallTime !== 0) w.double(1, e.wallTime);
  if (e.step !== undefined && e.step !== 0 && e.step !== 0n) w.int64(2, e.step);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion);
  if (e.graphDef !== undefined) w.bytes(4, e.graphDef);
  if (e.summary !== undefined) w.bytes(5, e.summary);
  if (e.taggedRunMetadata !== undefined) {
    const t = new ProtoWriter();
    t.string(1, e.taggedRunMetadata.tag);
    t.bytes(2, e.taggedRunMetadata.runMetadata);
    w.message(8, t);
  }
  if (e.sourceWriter !== undefined) {
    const s = new ProtoWriter();
    s.string(1, e.sourceWriter);
    w.message(10, s);
  }
  return w.finish().slice();
}

export interface PluginMetadata {
  pluginName: string;
  content?: Uint8Array;
}

function metadata(m: PluginMetadata): ProtoWriter {
  const pd = new ProtoWriter();
  pd.string(1, m.pluginName);
  if (m.content && m.content.length) pd.bytes(2, m.content);
  const md = new ProtoWriter();
  md.message(1, pd);
  return md;
}

/** One Summary.Value, with exactly one of the value fields (or none: metadata only). */
export interface ValueFieldsOut {
  tag: string;
  metadata?: PluginMetadata;
  simpleValue?: number;
  image?: { height: number; width: number; colorspace: number; encoded: Uint8Array };
  histo?: {
    min: number;
    max: number;
    num: number;
    sum: number;
    sumSquares: number;
    bucketLimit: ArrayLike<number>;
    bucket: ArrayLike<number>;
  };
  audio?: { sampleRate: number; numChannels: number; lengthFrames: number; encoded: Uint8Array; contentType: string };
  /** Encoded TensorProto. */
  tensor?: Uint8Array;
}

/** Serialized Summary holding `values`. */
export function encodeSummary(values: ValueFieldsOut[]): Uint8Array {
  const s = new ProtoWriter();
  for (const v of values) {
    const w = new ProtoWriter();
    w.string(1, v.tag);
    if (v.simpleValue !== undefined) w.float(2, v.simpleValue);
    if (v.image) {
      const im = new ProtoWriter();
      if (v.image.height) im.int32(1, v.image.height);
      if (v.image.width) im.int32(2, v.image.width);
      if (v.image.colorspace) im.int32(3, v.image.colorspace);
      if (v.image.encoded.length) im.bytes(4, v.image.encoded);
      w.message(4, im);
    }
    if (v.histo) {
      const h = v.histo;
      const hw = new ProtoWriter();
      // proto3 omits zero scalars; protobuf's python serializer does the same.
      if (h.min !== 0) hw.double(1, h.min);
      if (h.max !== 0) hw.double(2, h.max);
      if (h.num !== 0) hw.double(3, h.num);
      if (h.sum !== 0) hw.double(4, h.sum);
      if (h.sumSquares !== 0) hw.double(5, h.sumSquares);
      if (h.bucketLimit.length) hw.packedDoubles(6, h.bucketLimit);
      if (h.bucket.length) hw.packedDoubles(7, h.bucket);
      w.message(5, hw);
    }
    if (v.audio) {
      const a = v.audio;
      const aw = new ProtoWriter();
      if (a.sampleRate) aw.float(1, a.sampleRate);
      if (a.numChannels) aw.int64(2, a.numChannels);
      if (a.lengthFrames) aw.int64(3, a.lengthFrames);
      if (a.encoded.length) aw.bytes(4, a.encoded);
      if (a.contentType) aw.string(5, a.contentType);
      w.message(6, aw);
    }
    if (v.tensor) w.bytes(8, v.tensor);
    if (v.metadata) w.message(9, metadata(v.metadata));
    s.message(1, w);
  }
  return s.finish().slice();
}

/**
 * TensorProto with the given dtype/shape and values in the typed *_val field (as PyTorch writes).
 * shape null: no tensor_shape field at all (PyTorch's rank-0 scalars leave it unset).
 */
export function encodeTensor(
  dtype: number,
  shape: number[] | null,
  values: { floats?: ArrayLike<number>; doubles?: ArrayLike<number>; strings?: Uint8Array[] },
): Uint8Array {
  const t = new ProtoWriter();
  t.uint32(1, dtype);
  if (shape !== null) {
    const sh = new ProtoWriter();
    for (const d of shape) {
      const dim = new ProtoWriter();
      if (d !== 0) dim.int64(1, d);
      sh.message(2, dim);
    }
    t.message(2, sh);
  }
  if (values.floats && values.floats.length) t.packedFloats(5, values.floats);
  if (values.doubles && values.doubles.length) t.packedDoubles(6, values.doubles);
  if (values.strings) for (const s of values.strings) t.bytes(8, s);
  return t.finish().slice();
}

/** Rank-0 DT_FLOAT / DT_DOUBLE tensor (add_scalar(new_style=True)). */
export function encodeScalarTensor(value: number, doublePrecision: boolean): Uint8Array {
  return doublePrecision ? encodeTensor(DT.DOUBLE, null, { doubles: [value] }) : encodeTensor(DT.FLOAT, null, { floats: [value] });
}

// ---- the hot path of addScalar: one reused writer, no intermediate objects ----

const scalarValue = new ProtoWriter();
const scalarSummary = new ProtoWriter();
const tagBytesCache = new Map<string, Uint8Array>();
const te = new TextEncoder();

/** Serialized Summary { value { tag, simple_value } }: PyTorch's add_scalar (new_style=False). */
export function encodeSimpleValueSummary(tag: string, value: number): Uint8Array {
  let tb = tagBytesCache.get(tag);
  if (tb === undefined) {
    tb = te.encode(tag);
    if (tagBytesCache.size < 10_000) tagBytesCache.set(tag, tb);
  }
  scalarValue.length = 0;
  scalarValue.bytes(1, tb);
  scalarValue.float(2, value);
  scalarSummary.length = 0;
  scalarSummary.message(1, scalarValue);
  return scalarSummary.finish().slice();
}
