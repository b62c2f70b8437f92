// Types of what the store's query modules return. No runtime deps: safe to import (as types)
// from client components. The query modules (lib/store/queries.ts for SQLite, lib/store/pg/ for
// PostgreSQL) are the only code that speaks SQL to the web app; they implement `StoreQueries`.
import type { ValueKind } from '../tfevents/types.ts';
import type { JsonStep, RunName, TagName } from '../domain/index.ts';
import type { NameFilter } from '../pattern.ts';

export type { ValueKind };
export type { JsonStep, RunName, TagName };

export interface RunSummary {
  name: RunName;
  /** Number of tags with data in this run. */
  tagCount: number;
  /** Latest wall time seen in the run (seconds), or null. */
  lastWallTime: number | null;
  /** Earliest wall time (seconds), for the relative-time axis. */
  firstWallTime: number | null;
  /** Corrupt records recorded as ingest warnings for this run. */
  warningCount: number;
}

export interface TagSummary {
  run: RunName;
  tag: TagName;
  kind: ValueKind;
  plugin: string | null;
  count: number;
  /** Steps as numbers; beyond 2^53 they are decimal strings. */
  minStep: JsonStep;
  maxStep: JsonStep;
  displayName?: string | null;
  description?: string | null;
}

export type XAxis = 'step' | 'relative' | 'wall';

export interface ScalarQuery {
  minStep?: number;
  maxStep?: number;
  /** Bucket count for downsampling. Each bucket keeps its first, min, max and last point. */
  maxPoints?: number;
  xAxis?: XAxis;
}

export interface ScalarPoint {
  step: number;
  wallTime: number;
  value: number;
}

export interface ScalarSeries {
  run: RunName;
  tag: TagName;
  /** Points in step order; downsampled when `total > maxPoints`. */
  points: ScalarPoint[];
  /** Number of points in range before downsampling. */
  total: number;
  downsampled: boolean;
}

export interface ImageEntry {
  step: number;
  wallTime: number | null;
  /** Index of the image within the event (TF2 image tensors may hold several). */
  index: number;
  width: number;
  height: number;
  blobId: number;
  contentType: string;
}
export interface ImageSeries {
  run: RunName;
  tag: TagName;
  steps: number[];
  images: ImageEntry[];
}
export interface Blob {
  id: number;
  contentType: string;
  bytes: Uint8Array;
  etag: string;
}

export interface HistogramBucket {
  left: number;
  right: number;
  count: number;
}
export interface HistogramEntry {
  step: number;
  wallTime: number | null;
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  buckets: HistogramBucket[];
}

export interface TextEntry {
  step: number;
  wallTime: number | null;
  text: string;
}

export interface PrCurveEntry {
  step: number;
  wallTime: number | null;
  precision: number[];
  recall: number[];
  tp: number[];
  fp: number[];
  tn: number[];
  fn: number[];
  thresholds: number[];
}

/** A graph: a TensorFlow/PyTorch GraphDef from a file, decoded to nodes. Autograd DAGs written by
 *  our SummaryWriter.addGraph are GraphDefs too, with extra attrs (module scope, shapes, timings). */
export interface GraphNode {
  name: string;
  op: string;
  inputs: string[];
  device?: string;
  /** Attributes rendered to JSON-able values (shapes as number arrays, strings decoded). */
  attrs: Record<string, unknown>;
}
export interface GraphView {
  run: RunName;
  /** 'graph_def' for Event.graph_def, 'run_metadata' for tagged RunMetadata (may hold step stats). */
  source: string;
  step: number;
  nodes: GraphNode[];
  /** Set when the stored bytes could not be decoded (nodes is then empty). */
  error?: string;
}

export interface HparamsSession {
  run: RunName;
  hparams: Record<string, string | number | boolean>;
  metrics: Record<string, number>;
  status: string | null;
  startTime: number | null;
  endTime: number | null;
}
export interface HparamsView {
  /** hparam domains and metric infos from the experiment summary, when any run wrote one. */
  hparamInfos: Array<{ name: string; type?: string; domain?: unknown }>;
  metricInfos: Array<{ tag: TagName; group?: string; displayName?: string }>;
  sessions: HparamsSession[];
}

export interface AudioEntry {
  step: number;
  wallTime: number | null;
  sampleRate: number;
  channels: number;
  frames: number;
  blobId: number;
  contentType: string;
}

/** A Custom Scalars layout (add_custom_scalars) as one run's writer logged it; the newest per run. */
export interface CustomScalarsLayout {
  run: RunName;
  categories: Array<{
    title: string;
    closed: boolean;
    charts: Array<{
      title: string;
      multiline?: { tags: string[] };
      margin?: { series: Array<{ value: string; lower: string; upper: string }> };
    }>;
  }>;
}

export interface IngestWarning {
  run: RunName;
  file: string;
  offset: number;
  reason: string;
  time: number;
}

export interface ExportRow {
  run: RunName;
  tag: TagName;
  step: JsonStep;
  wallTime: number | null;
  value: number;
}

/**
 * The web app's read interface to a store. Every method is asynchronous so that a networked
 * store (PostgreSQL, lib/store/pg/) can implement it as well as the embedded SQLite one
 * (lib/store/queries.ts); routes and pages await them.
 */
export interface StoreQueries {
  listRuns(): Promise<RunSummary[]>;
  listTags(run?: RunName): Promise<TagSummary[]>;
  /** Runs plus tags grouped by (tag, kind, plugin) with run index ranges (see tag-index.ts). */
  tagIndex(): Promise<import('./tag-index.ts').TagIndex>;
  scalars(runs: RunName[], tag: TagName, q?: ScalarQuery): Promise<ScalarSeries[]>;
  images(run: RunName, tag: TagName, step?: number): Promise<ImageSeries>;
  blob(id: number): Promise<Blob | null>;
  histograms(run: RunName, tag: TagName): Promise<HistogramEntry[]>;
  graph(run: RunName): Promise<GraphView[]>;
  text(run: RunName, tag: TagName): Promise<TextEntry[]>;
  prCurves(run: RunName, tag: TagName): Promise<PrCurveEntry[]>;
  hparams(): Promise<HparamsView>;
  /** Audio clips of a tag, in step order; bytes through blob(). */
  audio(run: RunName, tag: TagName): Promise<AudioEntry[]>;
  /** Every run's latest Custom Scalars layout (plugin 'custom_scalars'). */
  customScalarLayouts(): Promise<CustomScalarsLayout[]>;
  warnings(run?: RunName): Promise<IngestWarning[]>;
  /** Every scalar point at full resolution, in batches (one stored chunk of one tag per batch),
   *  so a large export streams without a promise per row. */
  exportScalars(opts: { runs?: NameFilter; tags?: NameFilter }): AsyncIterable<ExportRow[]>;
}

/** One entry of the ingester's change feed. */
export interface StoreChange {
  type: 'data' | 'run-added' | 'run-removed' | 'warning';
  run: RunName;
  tag?: TagName;
  kind?: ValueKind;
  /** Highest step now stored for (run, tag). */
  maxStep?: JsonStep;
}
