// The tfevents corpus for tests: ../shared/testdata/tfevents when present (all files), else the
// licensed copies in test/fixtures/tfevents. Also a summarizer that reduces our reader's output
// to the shape of EXPECTED.json entries.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURES, HAS_SHARED, SHARED_DIR } from './shared.ts';
import { readEventFile, type NormalizedValue, type Step } from '../../lib/tfevents/index.ts';

export const CORPUS_DIR = HAS_SHARED ? resolve(SHARED_DIR, 'testdata/tfevents') : resolve(FIXTURES, 'tfevents');
export const FIXTURE_CORPUS_DIR = resolve(FIXTURES, 'tfevents');

export type ExpectedFile = Record<string, any>;

export function loadExpected(dir = CORPUS_DIR): Record<string, ExpectedFile> {
  return JSON.parse(readFileSync(resolve(dir, 'EXPECTED.json'), 'utf8')).files;
}

export interface TagSummary {
  count: number;
  kind: string;
  plugin: string | null;
  steps: Step[];
  first?: NormalizedValue;
  last?: NormalizedValue;
}

export interface FileSummary {
  records: number;
  events: number;
  corrupt: number;
  incompleteBytes: number;
  eventKinds: Record<string, number>;
  fileVersions: string[];
  sourceWriters: string[];
  eventsWithoutWallTime: number;
  steps: Step[];
  summarySteps: Step[];
  tags: Map<string, TagSummary>;
  values: NormalizedValue[];
}

export function summarizeFile(path: string): FileSummary {
  const eventKinds: Record<string, number> = {};
  const fileVersions: string[] = [];
  const sourceWriters = new Set<string>();
  const steps: Step[] = [];
  const summarySteps: Step[] = [];
  let eventsWithoutWallTime = 0;
  const res = readEventFile(path, {
    onEvent: (info) => {
      eventKinds[info.kind] = (eventKinds[info.kind] ?? 0) + 1;
      if (info.fileVersion !== null) fileVersions.push(info.fileVersion);
      if (info.sourceWriter !== null) sourceWriters.add(info.sourceWriter);
      if (info.wallTime === null) eventsWithoutWallTime++;
      steps.push(info.step);
      if (info.kind === 'summary') summarySteps.push(info.step);
    },
  });
  const tags = new Map<string, TagSummary>();
  for (const v of res.values) {
    if (v.kind === 'graph' || v.kind === 'run_metadata') continue;
    let t = tags.get(v.tag);
    if (!t) {
      t = { count: 0, kind: v.kind, plugin: v.plugin, steps: [] };
      tags.set(v.tag, t);
    }
    t.count++;
    t.steps.push(v.step);
    t.first ??= v;
    t.last = v;
  }
  return {
    records: res.records,
    events: res.events,
    corrupt: res.corrupt.length,
    incompleteBytes: res.incompleteBytes,
    eventKinds,
    fileVersions,
    sourceWriters: [...sourceWriters].sort(),
    eventsWithoutWallTime,
    steps,
    summarySteps,
    tags,
    values: res.values,
  };
}

const big = (s: Step) => BigInt(s);
export function stepMin(steps: Step[]): Step {
  return steps.reduce((a, b) => (big(b) < big(a) ? b : a));
}
export function stepMax(steps: Step[]): Step {
  return steps.reduce((a, b) => (big(b) > big(a) ? b : a));
}

/** EXPECTED.json's step fields: numbers, or *_str strings beyond 2^53. */
export function expectedStep(e: ExpectedFile, key: string): Step {
  if (e[`${key}_str`] !== undefined) return BigInt(e[`${key}_str`]);
  return e[key];
}

/** Category names of EXPECTED.json -> our ValueKind. */
export const KIND_OF_CATEGORY: Record<string, string> = {
  scalar: 'scalar',
  image: 'image',
  histogram: 'histogram',
  text: 'text',
  hparams: 'hparams',
  pr_curve: 'pr_curve',
  audio: 'audio',
  keras_model: 'unknown_plugin',
  metadata_only: 'unknown_plugin',
  custom_scalars: 'unknown_plugin',
  tensor: 'tensor',
};

/** EXPECTED.json writes non-finite floats as strings. */
export function expectedFloat(x: number | string): number {
  return x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : (x as number);
}
