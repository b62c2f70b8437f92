// The normalized model of everything read from an event file. Shared by the format module
// (which produces it), ingest (which stores it) and the CLI (which prints it). No runtime deps.

/** int64 step: a number while it is a safe integer, a bigint beyond 2^53 (both signs). */
/** int64 step: a number while safe, a bigint beyond (see lib/domain/step.ts). */
export type { Step } from '../domain/step.ts';
import type { Step } from '../domain/step.ts';

/** What a Summary.Value (or a whole Event) holds, after TF1/TF2/PyTorch differences are resolved. */
export type ValueKind =
  'scalar' | 'image' | 'histogram' | 'text' | 'hparams' | 'pr_curve' | 'graph' | 'run_metadata' | 'audio' | 'tensor' | 'unknown_plugin';

export interface ScalarData {
  kind: 'scalar';
  value: number;
}
/** One encoded image (PNG/JPEG/GIF bytes) as written; TF2 image tensors may hold several. */
export interface ImageData {
  kind: 'image';
  images: Array<{ width: number; height: number; colorspace: number; encoded: Uint8Array }>;
}
/** Histogram buckets; `limits[i]` is the right edge of bucket i, as in HistogramProto.bucket_limit. */
export interface HistogramData {
  kind: 'histogram';
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Bucket left edges, right edges and counts, same length. */
  left: Float64Array;
  right: Float64Array;
  counts: Float64Array;
}
export interface TextData {
  kind: 'text';
  texts: string[];
  shape: number[];
}
export interface HparamsData {
  kind: 'hparams';
  /** Which hparams payload this is. */
  part: 'experiment' | 'session_start' | 'session_end';
  /** Decoded HParamsPluginData, as plain JSON (field names camelCase as protobufjs gives them). */
  payload: unknown;
}
export interface PrCurveData {
  kind: 'pr_curve';
  /** Rows of the [6, numThresholds] tensor: TP, FP, TN, FN, precision, recall. */
  tp: Float64Array;
  fp: Float64Array;
  tn: Float64Array;
  fn: Float64Array;
  precision: Float64Array;
  recall: Float64Array;
  numThresholds: number;
}
export interface GraphData {
  kind: 'graph';
  /** Serialized GraphDef bytes as found in the file. */
  graphDef: Uint8Array;
}
export interface RunMetadataData {
  kind: 'run_metadata';
  tag: string;
  runMetadata: Uint8Array;
}
export interface AudioData {
  kind: 'audio';
  sampleRate: number;
  numChannels: number;
  lengthFrames: number;
  encoded: Uint8Array;
  contentType: string;
}
export interface TensorData {
  kind: 'tensor';
  dtype: number; // DataType enum value
  shape: number[];
  /** Numeric content as doubles when numeric; strings for DT_STRING. */
  values: Float64Array | string[];
}
export interface UnknownPluginData {
  kind: 'unknown_plugin';
  plugin: string;
  content: Uint8Array;
  tensor: TensorData | null;
}

export type ValueData =
  | ScalarData
  | ImageData
  | HistogramData
  | TextData
  | HparamsData
  | PrCurveData
  | GraphData
  | RunMetadataData
  | AudioData
  | TensorData
  | UnknownPluginData;

/** One normalized datum: a Summary.Value, or an Event-level graph / run metadata. */
export interface NormalizedValue {
  tag: string;
  step: Step;
  /** Seconds since epoch; null when the event carried no wall_time. */
  wallTime: number | null;
  kind: ValueKind;
  /** plugin_data.plugin_name in force for this tag (remembered from the first value that carried it). */
  plugin: string | null;
  /** SummaryMetadata.display_name / summary_description when present. */
  displayName?: string;
  description?: string;
  data: ValueData;
}

/** A record that failed its length or data CRC (or could not be decoded as an Event). */
export interface CorruptRecord {
  file: string;
  /** Byte offset of the record's header. */
  offset: number;
  /** 'bad-value': one Summary.Value could not be decoded (the event's other values were kept);
   *  'too-large': a record above the reader's size limit, skipped without being read. */
  reason: 'length-crc' | 'data-crc' | 'undecodable' | 'bad-length' | 'bad-value' | 'too-large';
  /** What was wrong, for 'bad-value' and 'too-large' (e.g. the tag and the declared size). */
  detail?: string;
}
