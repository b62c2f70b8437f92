// `board inspect` logic: per run and tag, kind, count, step range, first and last value, plus the
// corrupt records and incomplete tail bytes of the run's files. Pure data; lib/cli/inspect.ts prints it.
import { discoverRuns } from '../discovery/index.ts';
import { RunNormalizer } from './normalize.ts';
import { streamEventFile, type DecodeResult } from './reader.ts';
import type { CorruptRecord, NormalizedValue, Step, ValueData } from './types.ts';

import { compareSteps, stepToJson, type JsonStep } from '../domain/step.ts';

export type { JsonStep } from '../domain/step.ts';

export interface TagInspection {
  kind: string;
  plugin: string | null;
  count: number;
  minStep: JsonStep;
  maxStep: JsonStep;
  first: unknown;
  last: unknown;
}

export interface RunInspection {
  files: string[];
  tags: Record<string, TagInspection>;
  /** Number of corrupt records (CRC failures, undecodable events) over the run's files. */
  corruptRecords: number;
  /** Where they are. */
  corrupt: CorruptRecord[];
  /** Bytes of truncated tail records (a writer may still be writing them). */
  incompleteBytes: number;
  records: number;
}

export interface Inspection {
  runs: Record<string, RunInspection>;
}

/** Steps in JSON: numbers while safe, decimal strings beyond 2^53. */
export const jsonStep: (s: Step) => JsonStep = stepToJson;

export function jsonNumber(x: number): number | string {
  return Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x;
}

const less = (a: Step, b: Step) => compareSteps(a, b) < 0;

/** A short JSON description of a value (the number itself for scalars). */
export function summarizeValue(d: ValueData): unknown {
  switch (d.kind) {
    case 'scalar':
      return jsonNumber(d.value);
    case 'text': {
      const t = d.texts.join('\n');
      return t.length > 200 ? `${t.slice(0, 200)}…` : t;
    }
    case 'image':
      return {
        images: d.images.length,
        width: d.images[0]?.width ?? 0,
        height: d.images[0]?.height ?? 0,
        bytes: d.images.reduce((a, i) => a + i.encoded.length, 0),
      };
    case 'histogram':
      return { num: jsonNumber(d.num), min: jsonNumber(d.min), max: jsonNumber(d.max), buckets: d.counts.length };
    case 'pr_curve':
      return { numThresholds: d.numThresholds, precisionAt0: jsonNumber(d.precision[0] ?? NaN), recallAt0: jsonNumber(d.recall[0] ?? NaN) };
    case 'hparams':
      return { part: d.part };
    case 'graph':
      return { bytes: d.graphDef.length };
    case 'run_metadata':
      return { bytes: d.runMetadata.length };
    case 'audio':
      return { sampleRate: d.sampleRate, frames: d.lengthFrames, bytes: d.encoded.length };
    case 'tensor':
      return {
        dtype: d.dtype,
        shape: d.shape,
        first: d.values.length ? (typeof d.values[0] === 'number' ? jsonNumber(d.values[0]) : d.values[0]) : null,
      };
    case 'unknown_plugin':
      return { plugin: d.plugin, bytes: d.content.length, shape: d.tensor?.shape ?? null };
  }
}

/** Collects one run's inspection from the decode results of its files, in file order. */
export class RunInspector {
  readonly normalizer = new RunNormalizer();
  private readonly ri: RunInspection;
  private readonly raw = new Map<
    string,
    { kind: string; plugin: string | null; count: number; min: Step; max: Step; first: NormalizedValue; last: NormalizedValue }
  >();
  constructor(files: string[]) {
    this.ri = { files, tags: {}, corruptRecords: 0, corrupt: [], incompleteBytes: 0, records: 0 };
  }

  /** Give this to the decoder as its onValue. */
  readonly onValue = (v: NormalizedValue): void => {
    const t = this.raw.get(v.tag);
    if (!t) {
      this.raw.set(v.tag, { kind: v.kind, plugin: v.plugin, count: 1, min: v.step, max: v.step, first: v, last: v });
      return;
    }
    t.count++;
    if (less(v.step, t.min)) t.min = v.step;
    if (less(t.max, v.step)) t.max = v.step;
    t.last = v;
    t.plugin ??= v.plugin;
  };

  /** One file decoded to its end. */
  addFile(res: DecodeResult): void {
    this.ri.corrupt.push(...res.corrupt);
    this.ri.incompleteBytes += res.incompleteBytes;
    this.ri.records += res.records;
  }

  finish(): RunInspection {
    const ri = this.ri;
    ri.corruptRecords = ri.corrupt.length;
    for (const [tag, t] of [...this.raw].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      ri.tags[tag] = {
        kind: t.kind,
        plugin: t.plugin,
        count: t.count,
        minStep: jsonStep(t.min),
        maxStep: jsonStep(t.max),
        first: summarizeValue(t.first.data),
        last: summarizeValue(t.last.data),
      };
    }
    return ri;
  }
}

/** Inspects a local log directory (every run under it) or a single event file (run '.'). */
export function inspect(target: string): Inspection {
  const runs: Record<string, RunInspection> = {};
  for (const { run, files } of discoverRuns(target)) {
    const acc = new RunInspector(files);
    // Streamed in chunks: memory stays bounded for multi-GB files.
    for (const file of files) acc.addFile(streamEventFile(file, { normalizer: acc.normalizer, onValue: acc.onValue }));
    runs[run] = acc.finish();
  }
  return { runs };
}
